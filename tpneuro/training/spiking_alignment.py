"""Per-layer alignment of a spiking engine's own weight changes (the angles of Meulemans et al. 2020, Sec. 5,
as tpneuro.training.theory_diagnostics computes them for the rate rule, here for the change the spikes make).

On a batch of training samples, at the state's weights, the engine's summed nudged-phase change Delta W_i
(SpikingEngine.nudged_weight_changes, a descent step) is compared with

- the BP gradient of the batch's cross-entropy: ``angle_spiking_bp/L{i}`` = angle(-Delta W_i, dL/dW_i);
- the rate engine's update of the same rule at the same weights, its LocalUpdate gradient G_i (the reference of
  the engine-agreement suite): ``angle_spiking_rule/L{i}`` = angle(-Delta W_i, G_i).

0 degrees is the same direction, 90 none. The rate quantities use the network's own activation (soft LIF).
"""
from __future__ import annotations

import numpy as np

from ..engines.protocol import SpikingEngine
from ..engines.train_state import TrainState
from ..network.forward_pass import forward
from ..network.loss import cross_entropy
from ..rules.backprop import bp_updates
from ..theory import angle_degrees

PROBE_SEED = 0     # the probe's own random stream (error coders' start phases): the run's streams are not touched


def spiking_alignment(engine: SpikingEngine, state: TrainState, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Keys ``angle_spiking_bp/L{i}`` and ``angle_spiking_rule/L{i}`` for i = 1..L on the batch ``x``, ``y``."""
    change = engine.nudged_weight_changes(state, x, y, np.random.default_rng(PROBE_SEED))
    act = forward(state.spec, state.forward_params, x)
    g_out = cross_entropy(act.output, y).grad_output
    rule = state.rule.forward_updates(state.forward_params, state.feedback_params, act, g_out)
    bp = bp_updates(state.spec, state.forward_params, act, g_out)
    out = {}
    for i, (r, b) in enumerate(zip(rule, bp), start=1):
        descent = -change[f"W{i}"]
        out[f"angle_spiking_bp/L{i}"] = angle_degrees(descent, b.weight_gradient())
        out[f"angle_spiking_rule/L{i}"] = angle_degrees(descent, r.weight_gradient())
    return out
