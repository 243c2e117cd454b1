"""The network description as brian2 objects (DESIGN.md section 4: one mapping, two simulators).

- ``input``: n_0 regular-firing rate coders (x_j / tau_ref Hz, spike amplitude tau_ref), so a synapse sees
  the normalised rate x_j.
- ``layer i`` (1..L-1): LIF NeuronGroups (equations.py) with a soma and an apical compartment A; on a profile
  with stochastic units (TrueNorth-style, units.kind stochastic_binary) Poisson neurons whose spike probability
  per step is G(J) dt / tau_ref (G the LIF rate curve), so E[h] = G(J) as E[Bern(h)] = h in the rate engine.
- ``output``: the linear readout r_L = I + b_L of layer L's synaptic current (not spiking, as the rate engine's
  output is linear), its free-phase average acc, the softmax normaliser Z and the error e.
- forward Synapses W_i (event-driven: a presynaptic spike of amplitude a adds w a / tau_syn to I_post) and
  the forward rule (plasticity.py) in the same synapses, as a second pathway on the presynaptic spikes of the
  nudged phase;
- ``error``: ON/OFF populations (2 n_L regular-firing coders at error_rate / beta Hz per unit) carrying the
  signed t_L - r_L: the held beta (onehot(y) - softmax(acc)) in the nudged phase, acc - rf = -dr_L in the noise
  phase, nothing in the free phase;
- feedback Synapses Q_i from the error populations onto the apical compartment of layer i (weights +q on the
  ON, -q on the OFF neuron of a channel), with the noise-driven reconstruction rule when Q_i is trained; the
  output's apical compartment receives t_L - r_L itself (identity);
- event monitors that record the free-phase outputs (and, for the rates probe, the spike counts) once per
  sample, at its ``grab`` step.

Every input that changes between calls is a TimedArray (schedule.py) or an initial value, so the same objects
run as numpy, cython or cpp_standalone code, and a compiled standalone binary is re-run with new values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...network.lif_rate import TAU_REF
from ...network.weights import weight_key
from . import plasticity
from .equations import CONSTANTS, error_equations, hidden_equations, input_equations, lif_rate, output_equations
from .options import Brian2Options
from .schedule import GATES, Layout


@dataclass(frozen=True)
class BuildSpec:
    """What a build depends on besides the values of weights and inputs."""

    layer_sizes: tuple[int, ...]
    beta: float
    learns_feedback: bool              # Q_i plastic (DDTP-linear) or fixed (DFA)
    fixed_feedback: tuple = ()         # bytes of fixed Q_i (fixed feedback is compiled in)
    neuron_model: str = "lif"
    write_codes: tuple = ()            # per plastic matrix: ("W1", code), ...
    gains: tuple = ()                  # per hidden layer: spike amplitude multipliers (chip mismatch) or None
    record: bool = False               # SpikeMonitors for raster plots


@dataclass
class Brian2Network:
    """Handles of one built network."""

    network: object
    namespace: dict
    layout: Layout
    spec: BuildSpec
    input: object
    layers: list = field(default_factory=list)        # hidden NeuronGroups, index 0 = layer 1
    output: object = None
    error: object = None
    forward: list = field(default_factory=list)       # Synapses W_1..W_L
    feedback: list = field(default_factory=list)      # Synapses Q_1..Q_{L-1}
    output_log: object = None                         # EventMonitor of the outputs' grab event (acc)
    count_logs: list = field(default_factory=list)    # per hidden layer, EventMonitor of its grab event (counted)
    timed: dict = field(default_factory=dict)         # name -> TimedArray
    monitors: dict = field(default_factory=dict)      # population -> SpikeMonitor (record builds)
    duration: float = 0.0

    @property
    def populations(self) -> dict:
        groups = {"input": self.input}
        groups.update({f"layer {i}": g for i, g in enumerate(self.layers, start=1)})
        groups["error"] = self.error
        return groups


def build_network(spec: BuildSpec, layout: Layout, options: Brian2Options, fixed_q: dict[str, np.ndarray],
                  prefix: str = "tp") -> Brian2Network:
    """Create every brian2 object of the network (on the currently active brian2 device)."""
    import brian2 as b2
    from brian2 import Hz, second

    o = options
    sizes, L = spec.layer_sizes, len(spec.layer_sizes) - 1
    clock = b2.Clock(dt=o.dt * second, name=f"{prefix}_clock")
    total = layout.steps_per_run
    gain = o.error_rate / spec.beta
    ns = {name: value * second for name, value in CONSTANTS.items() if name.startswith("tau")}
    ns.update(smooth=CONSTANTS["smooth"], tau_syn=o.synapse * second, tau_fb=o.feedback_synapse * second,
              tau_readout=o.readout_synapse * second, power_tau=o.power_tau * second, gain=gain * Hz,
              n_tau_syn=o.synapse, n_tau_fb=o.feedback_synapse, gain_n=gain, beta=spec.beta,
              p_floor=0.01 / (gain * o.feedback_synapse) ** 2, n_avg=float(o.steps(o.average)))
    timed = {g: b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_{g}") for g in GATES}
    timed["slot"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_slot")
    timed["window"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_window")
    timed["phase_row"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_phase_row")
    timed["error_phase"] = b2.TimedArray(np.zeros((layout.phase_rows + 1, 2 * sizes[L])), dt=1 * second,
                                         name=f"{prefix}_error_phase")
    timed["stim"] = b2.TimedArray(np.zeros((layout.slots + 1, sizes[0])), dt=1 * second, name=f"{prefix}_stim")
    timed["label"] = b2.TimedArray(np.zeros((layout.slots + 1, sizes[L])), dt=1 * second, name=f"{prefix}_label")
    for i in range(1, L):
        timed[f"noise_on{i}"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_noise_on{i}")
        timed[f"noise{i}"] = b2.TimedArray(np.zeros((layout.windows + 1, sizes[i])), dt=1 * second,
                                           name=f"{prefix}_noise{i}")
    ns.update(timed)
    objects = []
    sample_dt = layout.sample_steps * o.dt * second

    inp = b2.NeuronGroup(sizes[0], input_equations(),
                         threshold="v > 1", reset="v -= 1\nn_spikes += active(t)", method="euler", clock=clock,
                         namespace=ns, events={"nudged_spike": plasticity.NUDGED_SPIKE_EVENT}, name=f"{prefix}_input")
    inp.amplitude = TAU_REF
    objects.append(inp)

    method = "euler" if spec.neuron_model == "loihi_cuba" else "exponential_euler"
    layers = []
    events = {"nudged": plasticity.NUDGE_EVENT, "grab": "grab_counts(t) > 0.5"}
    if spec.learns_feedback:
        events["fb_learn"] = plasticity.FEEDBACK_EVENT
    if spec.neuron_model != "poisson":
        events["nudged_spike"] = plasticity.NUDGED_SPIKE_EVENT
    for i in range(1, L):
        eqs = hidden_equations(spec.neuron_model, f"noise{i}", f"noise_on{i}", spec.learns_feedback)
        counters = "n_spikes += active(t)\ncounted += count(t)"
        if spec.neuron_model == "poisson":      # stochastic units: Poisson spikes at the LIF rate (escape noise)
            g = b2.NeuronGroup(sizes[i], eqs, threshold=f"rand() < {lif_rate('J')}*dt/tau_ref", reset=counters,
                               method=method, clock=clock, namespace=ns, events=events, name=f"{prefix}_layer{i}")
        else:
            g = b2.NeuronGroup(sizes[i], eqs, threshold="v > 1", reset="v = 0\n" + counters,
                               refractory=TAU_REF * second, method=method, clock=clock, namespace=ns, events=events,
                               name=f"{prefix}_layer{i}")
        g.amplitude = TAU_REF * (np.asarray(spec.gains[i - 1]) if spec.gains and spec.gains[i - 1] is not None else 1.0)
        g.run_regularly(plasticity.APICAL_RESTART, when="start", name=f"{prefix}_layer{i}_restart")
        g.run_regularly(plasticity.hidden_clear_code(), when="end", order=0, name=f"{prefix}_layer{i}_clear")
        g.run_on_event("nudged", plasticity.hidden_nudge_code(), when="end", order=1)
        if spec.learns_feedback:
            g.run_on_event("fb_learn", plasticity.hidden_feedback_code(), when="end", order=1)
        g.run_regularly("b += db\ndb = 0", dt=sample_dt, when="end", order=3, name=f"{prefix}_layer{i}_write")
        layers.append(g)
        objects.append(g)

    out = b2.NeuronGroup(sizes[L], output_equations(), method="exponential_euler", clock=clock, namespace=ns,
                         events={"grab": "grab(t) > 0.5"}, name=f"{prefix}_output")
    out.run_regularly(plasticity.APICAL_RESTART, when="start", name=f"{prefix}_output_restart")
    out.run_regularly(plasticity.output_step_code(), when="end", order=0, name=f"{prefix}_output_step")
    out.run_regularly("b += db\ndb = 0", dt=sample_dt, when="end", order=3, name=f"{prefix}_output_write")
    objects.append(out)
    softmax = b2.Synapses(out, out, "Z_post = exp(acc_pre - acc_post) : 1 (summed)", clock=clock, namespace=ns,
                          name=f"{prefix}_softmax")
    softmax.connect()
    objects.append(softmax)

    n_out = sizes[L]
    err = b2.NeuronGroup(2 * n_out, error_equations(), threshold="v > 1",
                         reset="v -= 1\ntrace += 1/(gain_n*n_tau_fb)\nn_spikes += active(t)", method="euler",
                         clock=clock, namespace=ns, name=f"{prefix}_error")
    err.run_regularly(plasticity.ERROR_CODER_RESTART, when="start", name=f"{prefix}_error_restart")
    err.e_in = b2.linked_var(out, "err_out", index=np.tile(np.arange(n_out), 2))
    err.polarity = np.repeat([1.0, -1.0], n_out)
    objects.append(err)
    pairs = b2.Synapses(err, err, "es_post = polarity_pre*trace_pre : 1 (summed)", clock=clock, namespace=ns,
                        name=f"{prefix}_pairs")
    k = np.arange(n_out)
    pairs.connect(i=np.concatenate([k, k + n_out, k, k + n_out]), j=np.concatenate([k, k, k + n_out, k + n_out]))
    objects.append(pairs)
    if spec.learns_feedback:
        # the error power P = sum_k es_k^2 of the feedback rule, the same for every hidden neuron: summed once,
        # from the previous step's traces (order -1: its summed-variable update runs before the pairs' one)
        power = b2.NeuronGroup(1, "P : 1", clock=clock, namespace=ns, order=-1, name=f"{prefix}_power")
        channels = b2.Synapses(err, power, "P_post = int(polarity_pre > 0)*es_pre**2 : 1 (summed)", clock=clock,
                               namespace=ns, name=f"{prefix}_power_sum")
        channels.connect()
        for g in layers:
            g.P = b2.linked_var(power, "P", index=np.zeros(len(g), dtype=int))
        objects += [power, channels]

    forward = []
    pre_groups = [inp] + layers
    for i in range(1, L + 1):
        pre, post = pre_groups[i - 1], (layers[i - 1] if i < L else out)
        learn_on = "nudged_spike" if "nudged_spike" in pre.events else "spike"
        syn = b2.Synapses(pre, post, "w : 1\ndw : 1", clock=clock, namespace=ns, name=f"{prefix}_W{i}",
                          on_pre={"pre": plasticity.forward_propagate(), "learn": plasticity.forward_learn()},
                          on_event={"pre": "spike", "learn": learn_on})
        n_pre, n_post = sizes[i - 1], sizes[i]
        syn.connect(i=np.repeat(np.arange(n_pre), n_post), j=np.tile(np.arange(n_post), n_pre))
        syn.run_regularly(dict(spec.write_codes)[weight_key(i)], dt=sample_dt, when="end", order=3,
                          name=f"{prefix}_W{i}_write")
        forward.append(syn)
        objects.append(syn)

    feedback = []
    for i in range(1, L + 1):
        post = layers[i - 1] if i < L else out
        plastic = i < L and spec.learns_feedback
        syn = b2.Synapses(err, post, "q : 1\ndq : 1", on_pre="A_post += polarity_pre*q/(gain_n*n_tau_fb)", clock=clock,
                          namespace=ns, name=f"{prefix}_Q{i}")
        if i < L:
            syn.connect(i=np.repeat(np.arange(2 * n_out), sizes[i]), j=np.tile(np.arange(sizes[i]), 2 * n_out))
            if not plastic:
                syn.q = q_pair_values(fixed_q[f"Q{i}"])
        else:
            syn.connect(i=np.arange(2 * n_out), j=np.tile(np.arange(n_out), 2))
            syn.q = 1.0
        if plastic:
            syn.run_regularly(plasticity.feedback_step_code(), when="end", order=2, name=f"{prefix}_Q{i}_step")
            syn.run_regularly(dict(spec.write_codes)[f"Q{i}"], dt=sample_dt, when="end", order=3,
                              name=f"{prefix}_Q{i}_write")
        feedback.append(syn)
        objects.append(syn)

    # the free-phase outputs and the rates probe's spike counts: recorded at the step of the sample's grab event
    # (once per sample, so the k-th record of a unit is sample k's)
    output_log = b2.EventMonitor(out, "grab", variables=["acc"], when="end", order=2, name=f"{prefix}_outlog")
    count_logs = [b2.EventMonitor(g, "grab", variables=["counted"], when="end", order=2, name=f"{prefix}_countlog{i}")
                  for i, g in enumerate(layers, start=1)]
    for g in layers:
        g.run_regularly("counted *= 1 - slot_start(t)", when="start", name=f"{g.name}_count_reset")
    objects += [output_log] + count_logs

    net = Brian2Network(None, ns, layout, spec, inp, layers, out, err, forward, feedback, output_log, count_logs,
                        timed)
    if spec.record:
        for name, group in net.populations.items():
            mon = b2.SpikeMonitor(group, name=f"{prefix}_spikes_{name.replace(' ', '')}")
            net.monitors[name] = mon
            objects.append(mon)
    net.network = b2.Network(*objects, name=f"{prefix}_network")
    net.duration = total * o.dt
    return net


def q_pair_values(q: np.ndarray) -> np.ndarray:
    """Synapse values of the feedback pathway for Q (n_i x n_L): ON neurons k carry +q, OFF neurons the same
    q (their polarity makes it -q), in connect order (presynaptic error neuron major)."""
    return np.concatenate([q.T.ravel(), q.T.ravel()])


def forward_values(W: np.ndarray) -> np.ndarray:
    """Synapse values of W (n_post x n_pre) in connect order (presynaptic neuron major)."""
    return W.T.ravel()


def weights_from(values: np.ndarray, n_post: int, n_pre: int) -> np.ndarray:
    return np.asarray(values).reshape(n_pre, n_post).T

