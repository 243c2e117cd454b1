"""The small firing network every spiking-engine test uses (brian2, nengo and the shared agreement suite)."""
from __future__ import annotations

import numpy as np

from tpneuro.engines import TrainState
from tpneuro.network import NetworkSpec, init_forward_params
from tpneuro.optimizers import Adam
from tpneuro.rules import make_rule

BETA = 0.5


def firing_state(seed: int = 0, rule: str = "ddtp_linear") -> tuple[TrainState, np.ndarray, np.ndarray]:
    """An 8-12-3 soft-LIF network with W_1 ~ U(-1, 3)/4 and b_1 ~ U(0.5, 1.5), so that its input currents
    J = W_1 x + b_1 span the firing range; six inputs in [0, 1)^8 and their labels."""
    spec = NetworkSpec((8, 12, 3), "soft_lif")
    rng = np.random.default_rng(seed)
    fwd = init_forward_params(spec, rng)
    fwd["W1"] = rng.uniform(-1.0, 3.0, (12, 8)) / 4
    fwd["b1"] = rng.uniform(0.5, 1.5, 12)
    hyper = {"beta": BETA, "sigma": 0.05} if rule == "ddtp_linear" else {}
    r = make_rule(rule, spec, **hyper)
    state = TrainState(spec, r, fwd, r.init_feedback(rng, fwd), Adam(1e-3), Adam(1e-3))
    return state, rng.random((6, 8)), rng.integers(0, 3, 6)
