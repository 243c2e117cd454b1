"""The forward plasticity as a nengo learning rule: a local three-factor rule on one forward connection.

For a connection from population i-1 into layer i (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5, the
gradient of the local loss ||t_i - h_i||^2 with the target held fixed; DESIGN.md section 4):

    dW/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T,

- ``t_i - h_i`` is the apical signal delivered by a connection into ``conn.learning_rule`` (for hidden
  layers Q_i (t_L - r_L) from the error pathway, for the output readout t_L - r_L itself);
- ``s'(J_i)`` is the soft-LIF slope (tpneuro.network.lif_rate) at the post neurons' own input current J_i,
  or 1 when the post object is a Node (the linear output readout);
- ``h_{i-1}`` is the presynaptic spike train low-passed by ``pre_synapse`` (normalised rate).

On a chip (``store``, a tpneuro.hardware.weight_store.ChipWeightStore) the per-step changes are
accumulated over the gated window and written once when the gate closes, as the chip stores them:
W <- chip.apply_update(W, sum_t delta_t) (update resolution, rounding, weight grid). nengo adds ``delta`` to
the weights one step after it is computed, so that commit reaches the weights one step after the gate
closes.

The error input has one entry per *post neuron*, so ``size_in = "post"``: for a neuron-to-neuron connection
"post_state" would give the post ensemble's dimension instead (the pitfall pinned by
tests/test_nengo_engine.py). Built with the documented builder API only (LearningRuleType, Operator,
Builder.register, model.sig), so any nengo backend that builds these can run it.
"""
from __future__ import annotations

import numpy as np
import nengo
from nengo.builder import Builder, Operator, Signal
from nengo.builder.operator import Reset
from nengo.params import NumberParam, Parameter
from nengo.synapses import Lowpass, SynapseParam

from ...network.lif_rate import soft_lif_derivative, soft_lif_rate


class LocalTargetRule(nengo.learning_rules.LearningRuleType):
    """dW/dt = learning_rate * s'(J_post) * apical (x) pre_trace; the apical signal is the rule's input."""

    modifies = "weights"
    probeable = ("apical", "pre_filtered", "post_slope", "delta")

    learning_rate = NumberParam("learning_rate", low=0, readonly=True, default=1.0)
    pre_synapse = SynapseParam("pre_synapse", default=Lowpass(tau=0.005), readonly=True)
    store = Parameter("store", default=None, optional=True, readonly=True)

    def __init__(self, learning_rate=1.0, pre_synapse=Lowpass(tau=0.005), store=None):
        super().__init__(learning_rate, size_in="post")
        self.pre_synapse = pre_synapse
        self.store = store


class LocalTargetReadoutRule(LocalTargetRule):
    """The same rule on a connection from neurons into a Node (the linear output readout), whose weights nengo
    calls "decoders"; the post slope is 1."""

    modifies = "decoders"


class SimLocalTarget(Operator):
    """delta = learning_rate * dt * (slope * apical) pre^T; slope = s'(J) if J is given, else 1.

    Reads pre_filtered, apical, the connection weights and (optionally) the post current J; updates delta
    and post_slope. With a ``store`` the deltas of a gated window are summed and committed through it
    when the gate closes (see the module docstring).
    """

    def __init__(self, pre_filtered, apical, weights, post_current, post_slope, delta, learning_rate, store=None,
                 tag=None):
        super().__init__(tag=tag)
        self.learning_rate, self.store = learning_rate, store
        self.sets, self.incs = [], []
        self.reads = [pre_filtered, apical, weights] + ([post_current] if post_current is not None else [])
        self.updates = [delta, post_slope]

    def make_step(self, signals, dt, rng):
        pre, apical, weights = (signals[s] for s in self.reads[:3])
        current = signals[self.reads[3]] if len(self.reads) == 4 else None
        delta, slope = signals[self.updates[0]], signals[self.updates[1]]
        scale, store = self.learning_rate * dt, self.store
        pending = np.zeros(delta.shape) if store is not None else None
        state = {"was_zero": False, "open": False}

        def step_local_target():
            if not apical.any():            # plasticity gated off: skip the outer product
                if state["open"]:           # the window just closed: write its change as the chip stores it
                    delta[...] = store.commit(weights, pending) - weights
                    pending[...] = 0.0
                    state["open"] = False
                elif not state["was_zero"]:
                    delta[...] = 0.0
                    state["was_zero"] = True
                return
            state["was_zero"] = False
            if current is not None:
                slope[...] = soft_lif_derivative(current, soft_lif_rate(current))
            if store is None:
                np.outer(scale * slope * apical, pre, out=delta)
                return
            if not state["open"]:
                delta[...] = 0.0
                state["open"] = True
            pending[...] += np.outer(scale * slope * apical, pre)

        return step_local_target


def filtered_pre_activity(model, conn, synapse) -> Signal:
    """The presynaptic neurons' output, low-passed by ``synapse`` (the presynaptic trace)."""
    pre = model.sig[conn.pre_obj]["out"]
    return pre if synapse is None else model.build(synapse, pre)


@Builder.register(LocalTargetRule)
def build_local_target(model, rule_type, rule):
    """Create the rule's input signal (the apical signal, one entry per post neuron) and its operator."""
    conn = rule.connection
    apical = Signal(shape=rule.size_in, name="LocalTarget:apical")
    model.add_op(Reset(apical))
    model.sig[rule]["in"] = apical
    post_current = model.sig[conn.post_obj]["in"] if isinstance(conn.post_obj, nengo.ensemble.Neurons) else None
    slope = Signal(np.ones(rule.size_in), name="LocalTarget:post_slope")
    pre = filtered_pre_activity(model, conn, rule_type.pre_synapse)
    model.add_op(SimLocalTarget(pre, apical, model.sig[conn]["weights"], post_current, slope,
                                model.sig[rule]["delta"], rule_type.learning_rate, rule_type.store,
                                tag=f"{conn} local target rule"))
    model.sig[rule]["apical"] = apical
    model.sig[rule]["pre_filtered"] = pre
    model.sig[rule]["post_slope"] = slope
