"""The network description as nengo objects (DESIGN.md section 4: one mapping, two simulators).

- Input: n_0 spiking rate-coders (nengo.SpikingRectifiedLinear, regular firing at x_j / tau_ref Hz, spike
  amplitude tau_ref), so their low-passed spike trains are the normalised rates x_j (inputs are clipped at 0).
- Hidden layers 1..L-1: ensembles of LIF neurons (tau_rc = 0.02 s, tau_ref = 0.002 s, threshold current 1,
  gain 1, bias 0, spike amplitude tau_ref), so a neuron's input current is J = W_i h_{i-1} + b_i of the rate
  engine and its low-passed output is its normalised rate lif_rate(J) (tpneuro.network.lif_rate).
- Forward weights: neuron-to-neuron connections ``Connection(a.neurons, b.neurons, transform=W_i)`` with a
  lowpass synapse; biases: connections with transform b_i from a constant unit (one non-spiking
  nengo.RectifiedLinear neuron with output 1), so the same local rule learns W_i and b_i.
- Output layer: the rate engine's output is linear (logits), so layer L is a readout of the synaptic current
  W_L h_{L-1} + b_L (a Node), not a spiking population.
- Feedback pathway, separate: an error Node computes t_L - r_L; ON/OFF populations of spiking rate-coders
  (2 n_L neurons, ``error_rate / beta`` Hz per unit) carry it; connections with the differential-pair
  transform [Q_i, -Q_i] deliver Q_i (t_L - r_L) = t_i - h_i to an apical-compartment Node of each hidden
  layer, which feeds the layer's forward rules (through a gate that is open only in the nudged phase).
- Plasticity: LocalTargetRule (forward_rule.py) on every forward and bias connection, NoiseReconstructionRule
  (feedback_rule.py) on every Q_i connection when the rule trains its feedback; noise Nodes inject the noise
  currents of the noise phase.
- On a chip (``state.chip``, DESIGN.md section 5): the plastic W_i and Q_i are committed once per gated
  window through a ChipWeightStore (update resolution, rounding, weight grid; tpneuro.hardware.weight_store),
  the in-simulation learning rates per step are rounded to the profile's learning-rate mantissa, and a
  chip's activity noise and offsets enter as currents (chip_noise.py). ``net.weight_stores`` lists the stores.

Probe-able handles are attributes of the returned network: ``layers`` (input, hidden ensembles),
``forward_connections`` / ``bias_connections`` (their ``learning_rule`` probes "delta", "apical",
"pre_filtered", "post_slope"), ``readout``, ``error_node``, ``error_neurons``, ``apical`` (t_i - h_i per
layer 1..L), ``gates`` (their NudgeGate functions, which record the apical signal while asked), ``targets`` (t_i = h_i + apical_i per hidden layer), ``feedback_connections`` (their rules probe
"reconstruction_error", "rate_deviation", "delta"), ``noise_nodes``, ``chip_noise`` (None without chip
noise), ``weight_stores``, ``monitors`` and ``presentation``.
"""
from __future__ import annotations

import numpy as np
import nengo

from ...network.lif_rate import TAU_RC, TAU_REF
from ...network.weights import bias_key, weight_key
from ...hardware import ChipWeightStore, modeled_chip
from ..spiking_schedule import forward_rate_constant
from ..train_state import TrainState
from .chip_noise import ChipActivityNoise
from .feedback_rule import NoiseReconstructionRule
from .forward_rule import LocalTargetReadoutRule, LocalTargetRule
from .options import NengoOptions
from .presentation import NudgeGate, Presentation, SpikeMonitor


def _population(n: int, neuron_type, gain: float, label: str) -> nengo.Ensemble:
    """n neurons driven only through their .neurons (gain and bias fixed, encoders unused)."""
    return nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.full(n, gain), bias=np.zeros(n), label=label)


def _monitor(net: nengo.Network, name: str, ens: nengo.Ensemble, amplitude: float, opts: NengoOptions) -> None:
    monitor = SpikeMonitor(net.presentation, ens.n_neurons, amplitude, opts.dt)
    node = nengo.Node(monitor, size_in=ens.n_neurons, size_out=0, label=f"{name} spikes")
    nengo.Connection(ens.neurons, node, synapse=None)
    net.monitors[name] = monitor


def build_nengo_network(state: TrainState, options: NengoOptions | None = None,
                        presentation: Presentation | None = None, seed: int = 0) -> nengo.Network:
    """The nengo network of ``state`` (weights W_i, b_i, Q_i as initial transforms); see the module docstring."""
    opts = options if options is not None else NengoOptions()
    spec, fwd, fb = state.spec, state.forward_params, state.feedback_params
    sizes, L = spec.layer_sizes, spec.n_layers
    beta = state.rule.output_step()
    learns_feedback = state.rule.has_trained_feedback and not opts.frozen_hidden
    chip = modeled_chip(state.chip)
    net = nengo.Network(label="tpneuro", seed=seed)
    net.presentation = presentation if presentation is not None else Presentation(spec)
    net.monitors = {}
    net.weight_stores = []
    net.chip_noise = ChipActivityNoise(chip) if chip is not None else None
    if net.chip_noise is not None and not net.chip_noise.active:
        net.chip_noise = None

    def store(layer: int, pathway: str) -> ChipWeightStore | None:
        if chip is None:
            return None
        net.weight_stores.append(ChipWeightStore(chip, layer, pathway))
        return net.weight_stores[-1]

    def per_step_rate(rate: float, pathway: str) -> float:
        """A learning rate (per second) whose per-step factor rate * dt the chip can store."""
        return rate if chip is None else chip.quantize_learning_rate(rate * opts.dt, pathway) / opts.dt
    with net:
        stimulus = nengo.Node(net.presentation.stimulus, size_out=sizes[0], label="stimulus")
        inputs = _population(sizes[0], nengo.SpikingRectifiedLinear(amplitude=TAU_REF), 1.0 / TAU_REF, "input")
        nengo.Connection(stimulus, inputs.neurons, synapse=None)
        lif = nengo.LIF(tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=TAU_REF)
        net.layers = [inputs] + [_population(sizes[i], lif, 1.0, f"layer {i}") for i in range(1, L)]
        net.readout = nengo.Node(size_in=sizes[L], label="readout")
        bias_unit = nengo.Ensemble(1, 1, neuron_type=nengo.RectifiedLinear(), gain=[1.0], bias=[1.0], label="bias unit")

        kappa_feedback = per_step_rate(opts.feedback_learning_rate, "feedback")
        net.forward_connections, net.bias_connections = [], []
        for i in range(1, L + 1):
            kappa = per_step_rate(forward_rate_constant(opts.layer_learning_rate(i, L), beta, opts.nudge_integral()),
                                  "forward")
            post = net.layers[i].neurons if i < L else net.readout
            rule = LocalTargetRule if i < L else LocalTargetReadoutRule
            plastic = i == L or not opts.frozen_hidden          # frozen_hidden: only the readout learns
            net.forward_connections.append(nengo.Connection(
                net.layers[i - 1].neurons, post, transform=fwd[weight_key(i)], synapse=opts.synapse,
                learning_rule_type=rule(kappa, pre_synapse=nengo.Lowpass(opts.synapse), store=store(i, "forward"))
                if plastic else None))
            net.bias_connections.append(nengo.Connection(
                bias_unit.neurons, post, transform=fwd[bias_key(i)][:, None], synapse=None,
                learning_rule_type=rule(kappa, pre_synapse=None) if plastic else None))

        net.error_node = nengo.Node(net.presentation.error_source, size_in=sizes[L], size_out=sizes[L], label="t_L - r_L")
        nengo.Connection(net.readout, net.error_node, synapse=opts.readout_synapse)
        gain = opts.error_rate / beta
        net.error_neurons = _population(2 * sizes[L], nengo.SpikingRectifiedLinear(amplitude=1.0 / gain), gain, "error ON/OFF")
        identity = np.eye(sizes[L])
        nengo.Connection(net.error_node, net.error_neurons.neurons, transform=np.vstack([identity, -identity]), synapse=None)

        net.apical, net.targets, net.feedback_connections, net.noise_nodes, net.gates = [], [], [], [], []
        feedback_synapse = nengo.Lowpass(opts.feedback_synapse)
        for i in range(1, L + 1):
            apical = nengo.Node(size_in=sizes[i], label=f"apical {i}: t_{i} - h_{i}")
            q = fb[f"Q{i}"] if i < L else identity
            rule = (NoiseReconstructionRule(net.layers[i].neurons, kappa_feedback, opts.power_tau,
                                            feedback_synapse, store=store(i, "feedback"))
                    if i < L and learns_feedback else None)
            conn = nengo.Connection(net.error_neurons.neurons, apical, transform=np.hstack([q, -q]),
                                    synapse=feedback_synapse, learning_rule_type=rule)
            net.apical.append(apical)
            net.gates.append(NudgeGate(net.presentation, sizes[i], float(np.exp(-opts.dt / opts.feedback_synapse))))
            gate = nengo.Node(net.gates[-1], size_in=sizes[i], size_out=sizes[i], label=f"gate {i}")
            nengo.Connection(apical, gate, synapse=None)
            if net.forward_connections[i - 1].learning_rule_type is not None:
                nengo.Connection(gate, net.forward_connections[i - 1].learning_rule, synapse=None)
                nengo.Connection(gate, net.bias_connections[i - 1].learning_rule, synapse=None)
            if i == L:
                continue
            net.feedback_connections.append(conn)
            target = nengo.Node(size_in=sizes[i], label=f"target t_{i}")
            nengo.Connection(net.layers[i].neurons, target, synapse=feedback_synapse)
            nengo.Connection(apical, target, synapse=None)
            net.targets.append(target)
            noise = nengo.Node(net.presentation.noise_source(i), size_out=sizes[i] + 2, label=f"noise {i}")
            nengo.Connection(noise[:sizes[i]], net.layers[i].neurons, synapse=None)
            if rule is not None:
                nengo.Connection(noise, conn.learning_rule, synapse=None)
            net.noise_nodes.append(noise)

        if net.chip_noise is not None:
            with nengo.Network(label="chip noise"):     # a subnetwork: the other objects keep their seeds
                for i in range(1, L + 1):
                    post = net.layers[i].neurons if i < L else net.readout
                    node = nengo.Node(net.presentation.chip_source(i), size_out=sizes[i], label=f"chip noise {i}")
                    nengo.Connection(node, post, synapse=None)

        for i, ens in enumerate(net.layers):
            _monitor(net, "input" if i == 0 else f"layer {i}", ens, TAU_REF, opts)
        _monitor(net, "error", net.error_neurons, 1.0 / gain, opts)
    return net
