"""The feedback plasticity as a nengo learning rule: the difference reconstruction loss with the network's own
noise (Meulemans et al. 2020, arXiv 2006.14331, Sec. 3.3 and Sec. 4; DESIGN.md section 4).

The rule sits on the connection from the ON/OFF error populations (2 n_L neurons, traces e_on, e_off with
e = e_on - e_off = t_L - r_L) into the apical compartment of hidden layer i, whose weights are the
differential pair [Q_i, -Q_i] (one stored Q_i, used with opposite signs for the ON and OFF channel). During
the noise phase a noise current n_i is injected into layer i and the error pathway carries
e = r_L^free - r_L(t) = -dr_L. The rule is normalised gradient descent (normalised LMS, e.g. Haykin,
Adaptive Filter Theory, ch. 7) on 1/2 ||u_i - Q_i dr_L||^2:

    dQ_i/dt = (kappa / p) g (u_i - Q_i dr_L) dr_L^T = -(kappa / p) g (u_i + Q_i e) e^T,

- ``u_i = G(J_i) - G(J_i - n_i)`` is the deviation of the neurons' normalised rate that their own noise
  current causes, with G the LIF rate curve (tpneuro.network.lif_rate.lif_rate) and J_i the neurons' input
  current: the neuron's own noise in activity units (sigma epsilon of the paper);
- ``Q_i e`` is the apical input itself (the connection's weights applied to its presynaptic traces);
- ``g`` in {0, 1} is a plasticity gate (a third factor), on only in the settled part of a noise window;
- ``p`` is a running average (time constant ``power_tau`` of gated time) of ||e||^2, the power of the
  presynaptic error traces, so that ``kappa`` is a rate per second independent of the size of dr_L.

The rule's input has n_i + 2 entries: the noise current n_i injected into layer i, the gate g, and a hold
flag that is 1 through a sample's whole noise phase (it only matters on a chip, see below).
Linearised, the fixed point is Q_i = C J_i^T (J_i C J_i^T)^{-1} with C the covariance of u_i (the damped
pseudo-inverse of Meulemans et al. 2020 Theorem 6 when C is isotropic; here C = D_i^2 sigma_J^2 with D_i
the LIF slopes, because the noise enters as a current).

On a chip (``store``) the changes of a sample's gated noise windows are summed and Q_i is written once, when
the gate is shut and the hold flag drops at the end of the noise phase (one learning epoch per sample, as for
the forward weights): Q_i <- chip.apply_update(Q_i, sum_t dQ_t) on the feedback pathway's grid (see
tpneuro.hardware.weight_store); the pair stays [Q_i, -Q_i].
"""
from __future__ import annotations

import numpy as np
import nengo
from nengo.builder import Builder, Operator, Signal
from nengo.builder.operator import Reset
from nengo.params import NumberParam, Parameter
from nengo.synapses import Lowpass, SynapseParam

from ...network.lif_rate import lif_rate
from .forward_rule import filtered_pre_activity


class NoiseReconstructionRule(nengo.learning_rules.LearningRuleType):
    """Difference reconstruction of layer ``soma``'s own noise from the output deviation (see module docstring)."""

    modifies = "decoders"     # weights from neurons into a Node (the apical compartment) are nengo's "decoders"
    probeable = ("noise_current", "gate", "rate_deviation", "reconstruction_error", "input_power", "pre_filtered",
                 "delta")

    learning_rate = NumberParam("learning_rate", low=0, readonly=True, default=1.0)
    power_tau = NumberParam("power_tau", low=0, low_open=True, readonly=True, default=0.1)
    pre_synapse = SynapseParam("pre_synapse", default=Lowpass(tau=0.01), readonly=True)
    soma = Parameter("soma", readonly=True)
    store = Parameter("store", default=None, optional=True, readonly=True)

    def __init__(self, soma, learning_rate=1.0, power_tau=0.1, pre_synapse=Lowpass(tau=0.01), store=None):
        super().__init__(learning_rate, size_in=soma.size_in + 2)
        self.power_tau = power_tau
        self.pre_synapse = pre_synapse
        self.soma = soma
        self.store = store


class SimNoiseReconstruction(Operator):
    """With e = pre_on - pre_off and apical = W pre: err = u + apical, p <- p + dt/power_tau (||e||^2 - p),
    delta = -(kappa dt / p) g [err e^T, -err e^T].

    Also accumulates ``totals`` += g [mean(err^2), mean(u^2), 1] for the reconstruction loss.
    """

    def __init__(self, pre_filtered, weights, soma_current, rule_input, deviation, error, power, delta, totals,
                 learning_rate, power_tau, store=None, tag=None):
        super().__init__(tag=tag)
        self.learning_rate, self.power_tau, self.store = learning_rate, power_tau, store
        self.sets, self.incs = [], []
        self.reads = [pre_filtered, weights, soma_current, rule_input]
        self.updates = [delta, deviation, error, power, totals]

    def make_step(self, signals, dt, rng):
        pre, weights, current, rule_input = (signals[s] for s in self.reads)
        delta, deviation, error, power, totals = (signals[s] for s in self.updates)
        n_out = pre.shape[0] // 2
        scale, smoothing, store = self.learning_rate * dt, dt / self.power_tau, self.store
        pending = np.zeros((delta.shape[0], n_out)) if store is not None else None
        state = {"was_zero": False, "open": False}

        def commit():
            q = weights[:, :n_out]
            stored = store.commit(q, pending)
            delta[:, :n_out] = stored - q
            delta[:, n_out:] = q - stored          # the OFF half: -stored - (-q)
            pending[...] = 0.0
            state["open"] = False

        def step_noise_reconstruction():
            gate = rule_input[-2]
            if gate == 0.0:
                if state["open"] and rule_input[-1] == 0.0:     # shut and no longer held: write the change
                    commit()
                elif not state["was_zero"]:
                    delta[...] = 0.0
                    state["was_zero"] = True
                return
            state["was_zero"] = False
            signed = pre[:n_out] - pre[n_out:]
            energy = float(signed @ signed)
            power[...] = energy if power[0] == 0.0 else power + smoothing * (energy - power)
            deviation[...] = lif_rate(current) - lif_rate(current - rule_input[:-2])
            error[...] = deviation + weights @ pre
            step = -scale * gate / max(power[0], np.finfo(float).tiny)
            totals[...] += gate * np.array([np.mean(error * error), np.mean(deviation * deviation), 1.0])
            if store is None:
                np.outer(step * error, signed, out=delta[:, :n_out])
                np.negative(delta[:, :n_out], out=delta[:, n_out:])
                return
            if not state["open"]:
                delta[...] = 0.0
                state["open"] = True
            pending[...] += np.outer(step * error, signed)

        return step_noise_reconstruction


@Builder.register(NoiseReconstructionRule)
def build_noise_reconstruction(model, rule_type, rule):
    """Create the rule's input (noise current and gate), its probeable signals and its operator."""
    conn = rule.connection
    n_units = rule.size_in - 2
    if conn.size_in % 2 or conn.size_out != n_units:
        raise nengo.exceptions.BuildError(f"{conn}: NoiseReconstructionRule needs ON/OFF pairs into {n_units} "
                                          f"apical units (got {conn.size_in} -> {conn.size_out})")
    rule_input = Signal(shape=rule.size_in, name="NoiseReconstruction:in")
    model.add_op(Reset(rule_input))
    model.sig[rule]["in"] = rule_input
    pre = filtered_pre_activity(model, conn, rule_type.pre_synapse)
    deviation = Signal(shape=n_units, name="NoiseReconstruction:rate_deviation")
    error = Signal(shape=n_units, name="NoiseReconstruction:reconstruction_error")
    power = Signal(shape=1, name="NoiseReconstruction:input_power")
    totals = Signal(shape=3, name="NoiseReconstruction:totals")
    model.add_op(SimNoiseReconstruction(pre, model.sig[conn]["weights"], model.sig[rule_type.soma]["in"],
                                        rule_input, deviation, error, power, model.sig[rule]["delta"], totals,
                                        rule_type.learning_rate, rule_type.power_tau, rule_type.store,
                                        tag=f"{conn} noise reconstruction rule"))
    model.sig[rule].update(noise_current=rule_input[:-2], gate=rule_input[-2:-1], rate_deviation=deviation,
                           reconstruction_error=error, input_power=power, pre_filtered=pre, totals=totals)
