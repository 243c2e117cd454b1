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
- Feedback pathway, separate: the output unit (a Node, presentation.OutputUnit) computes t_L - r_L from the
  smoothed readout and a label input (beta (label - softmax(acc)) in the nudged phase, acc the free-phase
  average); ON/OFF populations of spiking rate-coders (2 n_L neurons, ``error_rate / beta`` Hz per unit)
  carry it. Each link of tpneuro.engines.spiking_schedule.feedback_links is a connection with the
  differential-pair transform [Q, -Q] from ON/OFF coders into the apical-compartment Node of a hidden layer:
  from the output error's coders through Q_i (direct feedback, Q_i (t_L - r_L) = t_i - h_i), or from layer
  i + 1's ON/OFF *difference coders*, which read that layer's apical compartment A_{i+1}, through Q_{i+1}
  (layer-wise feedback, DRL with linear g: t_i - h_i = Q_{i+1} (t_{i+1} - h_{i+1})). Each apical compartment
  (presentation.ApicalCompartment) restarts at every noise window and nudge and feeds its layer's forward
  rules in the nudged phase only.
- Plasticity: LocalTargetRule (forward_rule.py) on every forward and bias connection, NoiseReconstructionRule
  (feedback_rule.py) on every Q_i connection when the rule trains its feedback; noise Nodes inject the noise
  currents of the noise phase.
- On a chip (``state.chip``, DESIGN.md section 5): the plastic W_i and Q_i are committed once per gated
  window through a ChipWeightStore (update resolution, rounding, weight grid; tpneuro.hardware.weight_store),
  the in-simulation learning rates per step are rounded to the profile's learning-rate mantissa, and a
  chip's activity noise and offsets enter as currents (chip_noise.py). ``net.weight_stores`` lists the stores.

Probe-able handles are attributes of the returned network: ``layers`` (input, hidden ensembles),
``forward_connections`` / ``bias_connections`` (their ``learning_rule`` probes "delta", "apical",
"pre_filtered", "post_slope"), ``readout``, ``label_input``, ``output_unit`` (its ``acc``), ``error_node``,
``error_neurons``, ``coders`` (per source layer of a link), ``links``, ``apical`` (t_i - h_i per layer 1..L,
before the restart), ``compartments`` (their ApicalCompartment functions record the signal while asked),
``targets`` (t_i = h_i + apical_i per hidden layer), ``feedback_parameters`` ((key, connection) per linear
link; the connections' rules probe "reconstruction_error", "rate_deviation", "delta"), ``noise_nodes``,
``chip_noise`` (None without chip noise), ``weight_stores``, ``monitors`` and ``presentation``.
"""
from __future__ import annotations

import numpy as np
import nengo

from ...network.lif_rate import TAU_RC, TAU_REF
from ...network.weights import bias_key, weight_key
from ...hardware import ChipWeightStore, modeled_chip
from ..spiking_schedule import forward_rate_constant, rule_links
from ..train_state import TrainState
from .chip_noise import ChipActivityNoise
from .feedback_populations import build_feedback_population
from .feedback_rule import NoiseReconstructionRule
from .forward_rule import LocalTargetReadoutRule, LocalTargetRule
from .options import NengoOptions
from .presentation import ApicalCompartment, OutputUnit, Presentation, SpikeMonitor


def _population(n: int, neuron_type, gain: float, label: str) -> nengo.Ensemble:
    """n neurons driven only through their .neurons (gain and bias fixed, encoders unused)."""
    return nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.full(n, gain), bias=np.zeros(n), label=label)


def _coders(n: int, gain: float, label: str) -> nengo.Ensemble:
    """ON/OFF coders of n signed channels: 2 n regular-firing rate coders at ``gain`` Hz per unit, neuron k at
    gain max(e_k, 0), neuron n + k at gain max(-e_k, 0) (input through :func:`_pair`), spike amplitude 1 / gain,
    so that the filtered difference of a pair's spike trains is e."""
    return _population(2 * n, nengo.SpikingRectifiedLinear(amplitude=1.0 / gain), gain, label)


def _pair(n: int) -> np.ndarray:
    """The transform from n signed channels to their ON/OFF coders, [I; -I]."""
    return np.vstack([np.eye(n), -np.eye(n)])


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
        net.bias_unit = bias_unit = nengo.Ensemble(1, 1, neuron_type=nengo.RectifiedLinear(), gain=[1.0], bias=[1.0],
                                                   label="bias unit")

        kappa_feedback = per_step_rate(opts.feedback_learning_rate, "feedback")
        links = rule_links(state.rule)
        net.forward_connections, net.bias_connections = [], []
        for i in range(1, L + 1):
            # layer i's apical signal arrives through the synapses of its chain of feedback links in series
            kappa = per_step_rate(forward_rate_constant(opts.layer_learning_rate(i, L), beta,
                                                        opts.nudge_integral(opts.apical_time_constants(i, links))),
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

        net.label_input = nengo.Node(net.presentation.label_source, size_out=sizes[L], label="label")
        net.output_unit = OutputUnit(net.presentation, sizes[L], beta,
                                     noise_error=state.rule.feedback_training == "difference_reconstruction")
        net.error_node = nengo.Node(net.output_unit, size_in=2 * sizes[L], size_out=sizes[L], label="t_L - r_L")
        nengo.Connection(net.readout, net.error_node[:sizes[L]], synapse=opts.readout_synapse)
        nengo.Connection(net.label_input, net.error_node[sizes[L]:], synapse=None)
        gain = opts.error_rate / beta
        net.error_neurons = _coders(sizes[L], gain, "error ON/OFF")
        nengo.Connection(net.error_node, net.error_neurons.neurons, transform=_pair(sizes[L]), synapse=None)

        feedback_synapse = nengo.Lowpass(opts.feedback_synapse)
        decay = float(np.exp(-opts.dt / opts.feedback_synapse))
        net.apical, net.compartments, net.targets, net.noise_nodes = [], [], [], []
        for i in range(1, L + 1):
            net.apical.append(nengo.Node(size_in=sizes[i], label=f"apical {i}: t_{i} - h_{i}"))
            compartment = nengo.Node(ApicalCompartment(net.presentation, sizes[i], decay), size_in=sizes[i],
                                     size_out=2 * sizes[i], label=f"apical compartment {i}")
            nengo.Connection(net.apical[-1], compartment, synapse=None)
            if net.forward_connections[i - 1].learning_rule_type is not None:      # not a frozen hidden layer
                nengo.Connection(compartment[sizes[i]:], net.forward_connections[i - 1].learning_rule, synapse=None)
                nengo.Connection(compartment[sizes[i]:], net.bias_connections[i - 1].learning_rule, synapse=None)
            net.compartments.append(compartment)
        nengo.Connection(net.error_neurons.neurons, net.apical[L - 1], transform=_pair(sizes[L]).T,
                         synapse=feedback_synapse)
        for i in range(1, L):
            noise = nengo.Node(net.presentation.noise_source(i), size_out=sizes[i] + 2, label=f"noise {i}")
            nengo.Connection(noise[:sizes[i]], net.layers[i].neurons, synapse=None)
            net.noise_nodes.append(noise)
            target = nengo.Node(size_in=sizes[i], label=f"target t_{i}")
            nengo.Connection(net.layers[i].neurons, target, synapse=feedback_synapse)
            nengo.Connection(net.compartments[i - 1][:sizes[i]], target, synapse=None)
            net.targets.append(target)

        # the sources of the feedback links: the output error's coders and, for layer-wise feedback, ON/OFF
        # difference coders of every hidden layer j that sends feedback, reading its apical compartment A_j (only in
        # the nudged phase when they drive feedback populations)
        net.links, net.difference_correction = links, state.rule.difference_correction
        net.coders = {L: net.error_neurons}
        for j in sorted({link.source for link in net.links} - {L}):
            net.coders[j] = _coders(sizes[j], gain, f"difference {j} ON/OFF")
            sent = slice(sizes[j], None) if any(link.nonlinear for link in links) else slice(None, sizes[j])
            nengo.Connection(net.compartments[j - 1][sent], net.coders[j].neurons, transform=_pair(sizes[j]),
                             synapse=None)
        net.feedback_parameters, net.feedback_synapses, net.feedback_populations = [], [], []
        for link in net.links:
            if link.nonlinear:
                rate = (per_step_rate(2 * opts.reconstruction_learning_rate / (opts.noise_windows * opts.noise_learn),
                                      "feedback") if learns_feedback else None)
                build_feedback_population(net, link, fb[link.key], fb[f"c{link.matrix}"], rate,
                                          nengo.Lowpass(opts.synapse), feedback_synapse,
                                          state.rule.difference_correction, opts.dt, store(link.matrix, "feedback"),
                                          opts.feedback_neurons_per_unit)
                continue
            q = fb[link.key]
            rule = (NoiseReconstructionRule(net.layers[link.layer].neurons, kappa_feedback, opts.power_tau,
                                            feedback_synapse, store=store(link.matrix, "feedback"))
                    if learns_feedback else None)
            conn = nengo.Connection(net.coders[link.source].neurons, net.apical[link.layer - 1],
                                    transform=np.hstack([q, -q]), synapse=feedback_synapse, learning_rule_type=rule)
            if rule is not None:
                nengo.Connection(net.noise_nodes[link.layer - 1], conn.learning_rule, synapse=None)
            net.feedback_parameters.append((link.key, conn))

        if net.chip_noise is not None:
            with nengo.Network(label="chip noise"):     # a subnetwork: the other objects keep their seeds
                for i in range(1, L + 1):
                    post = net.layers[i].neurons if i < L else net.readout
                    node = nengo.Node(net.presentation.chip_source(i), size_out=sizes[i], label=f"chip noise {i}")
                    nengo.Connection(node, post, synapse=None)

        for i, ens in enumerate(net.layers):
            _monitor(net, "input" if i == 0 else f"layer {i}", ens, TAU_REF, opts)
        for j, coders in net.coders.items():
            _monitor(net, "error" if j == L else f"difference {j}", coders, 1.0 / gain, opts)
        for link, pair in zip([link for link in links if link.nonlinear], net.feedback_populations):
            for sign, ens in zip("+-", pair):
                _monitor(net, f"feedback {link.layer}{sign}", ens, TAU_REF, opts)
    return net
