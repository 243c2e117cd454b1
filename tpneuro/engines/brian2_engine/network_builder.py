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
- ``difference j`` (layer-wise feedback only, j = 2..L-1): the same ON/OFF coders (2 n_j) of layer j's apical
  signal A_j = t_j - h_j, read from the compartments themselves;
- feedback Synapses onto the apical compartments of every hidden layer i, one per link of
  tpneuro.engines.spiking_schedule.feedback_links: Q_i from the error coders (direct feedback) or Q_{i+1} from
  layer i + 1's difference coders (layer-wise), a weight q on the ON and its own weight q_off on the OFF neuron
  of a channel (the OFF neuron's polarity makes it -q_off), with the noise-driven reconstruction rule when Q is
  trained (plasticity.py: untied or tied pairs; the power normaliser summed by each neuron over its synapses
  or once per coder population); the output's apical compartment receives t_L - r_L itself (identity);
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
from .feedback_populations import build_feedback_population
from ..spiking_schedule import FeedbackLink, feedback_links
from .options import Brian2Options
from .schedule import GATES, Layout


RECORDED_APICAL = 4        # hidden neurons per layer whose apical signal a record build keeps


@dataclass(frozen=True)
class BuildSpec:
    """What a build depends on besides the values of weights and inputs."""

    layer_sizes: tuple[int, ...]
    beta: float
    learns_feedback: bool              # Q plastic (DDTP-linear, DRL, TP, DTP) or fixed (DFA)
    layerwise: bool = False            # feedback from layer i + 1 to layer i (DRL) instead of from the output
    nonlinear: bool = False            # the links are feedback populations of a non-linear g (TP, DTP)
    difference_correction: bool = True     # DTP's F- populations (TP: the neuron's own spikes instead)
    per_unit: int = 1                  # LIF neurons per unit of a feedback population
    fixed_feedback: tuple = ()         # bytes of fixed Q_i (fixed feedback is compiled in)
    neuron_model: str = "lif"
    write_codes: tuple = ()            # per plastic matrix: ("W1", code), ...
    gains: tuple = ()                  # per hidden layer: spike amplitude multipliers (chip mismatch) or None
    record: bool = False               # SpikeMonitors for raster plots

    @property
    def noise_reconstruction(self) -> bool:
        """Q trained by the noise reconstruction rule from the output deviation (DDTP-linear, DRL): the error
        pathway carries it in the noise phase, and the hidden neurons compute the rule's factor."""
        return self.learns_feedback and not self.nonlinear


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
    differences: dict = field(default_factory=dict)   # layer j -> its ON/OFF difference coders (layer-wise)
    feedback_populations: list = field(default_factory=list)   # FeedbackPopulation per non-linear link
    forward: list = field(default_factory=list)       # Synapses W_1..W_L
    feedback: list = field(default_factory=list)      # Synapses into the apical compartments of layers 1..L-1,
                                                      # then the output's identity
    output_log: object = None                         # EventMonitor of the outputs' grab event (acc)
    count_logs: list = field(default_factory=list)    # per hidden layer, EventMonitor of its grab event (counted)
    timed: dict = field(default_factory=dict)         # name -> TimedArray
    monitors: dict = field(default_factory=dict)      # population -> SpikeMonitor (record builds)
    apical_monitors: list = field(default_factory=list)   # per hidden layer, StateMonitor of A (record builds)
    duration: float = 0.0

    @property
    def populations(self) -> dict:
        groups = {"input": self.input}
        groups.update({f"layer {i}": g for i, g in enumerate(self.layers, start=1)})
        groups["error"] = self.error
        groups.update({f"difference {j}": g for j, g in self.differences.items()})
        for fp in self.feedback_populations:
            groups[f"feedback {fp.link.layer}+"] = fp.plus
            if fp.minus is not None:
                groups[f"feedback {fp.link.layer}-"] = fp.minus
        return groups

    @property
    def links(self) -> tuple[FeedbackLink, ...]:
        return feedback_links(len(self.spec.layer_sizes) - 1, self.spec.layerwise, self.spec.nonlinear)


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
              p_floor=0.01 / (gain * o.feedback_synapse) ** 2, n_avg=float(o.steps(o.average)),
              coder_base=(o.coder_baseline or 0.0) / gain)
    timed = {g: b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_{g}") for g in GATES}
    timed["slot"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_slot")
    timed["window"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_window")
    timed["phase_row"] = b2.TimedArray(np.zeros(total), dt=o.dt * second, name=f"{prefix}_phase_row")
    sources = sorted({link.source for link in feedback_links(L, spec.layerwise)} | {L}, reverse=True)   # L first
    tables = [coder_phase_name] + ([coder_baseline_name] if o.coder_baseline is not None else [])
    for j in sources:
        for table in tables:
            timed[table(j, L)] = b2.TimedArray(np.zeros((layout.phase_rows + 1, 2 * sizes[j])), dt=1 * second,
                                               name=f"{prefix}_{table(j, L)}")
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
    if spec.noise_reconstruction:
        events["fb_learn"] = plasticity.FEEDBACK_EVENT
    links = feedback_links(L, spec.layerwise, spec.nonlinear)
    sums_power = spec.noise_reconstruction and o.feedback_normaliser == "neuron"   # each neuron sums its synapses' P
    feeding = {link.source for link in links if link.nonlinear}          # sources of feedback populations
    taught = {link.layer for link in links if link.nonlinear}
    if spec.neuron_model != "poisson":
        events["nudged_spike"] = plasticity.NUDGED_SPIKE_EVENT
    for i in range(1, L):
        eqs = hidden_equations(spec.neuron_model, f"noise{i}", f"noise_on{i}", spec.noise_reconstruction,
                               o.feedback_normaliser, i in feeding, i in taught)
        counters = "n_spikes += active(t)\ncounted += count(t)"
        if i in feeding:
            counters += "\nh_syn += amplitude/n_tau_syn"
        if i in taught:
            counters += "\nh_fb += amplitude/n_tau_fb"
            if not spec.difference_correction:      # TP: the back-propagating spike leaves A = g(t) - h
                counters += "\nA -= amplitude/n_tau_fb"
        if spec.neuron_model == "poisson":      # stochastic units: Poisson spikes at the LIF rate (escape noise)
            g = b2.NeuronGroup(sizes[i], eqs, threshold=f"rand() < {lif_rate('J')}*dt/tau_ref", reset=counters,
                               method=method, clock=clock, namespace=ns, events=dict(events), name=f"{prefix}_layer{i}")
        else:
            g = b2.NeuronGroup(sizes[i], eqs, threshold="v > 1", reset="v = 0\n" + counters,
                               refractory=TAU_REF * second, method=method, clock=clock, namespace=ns, events=dict(events),
                               name=f"{prefix}_layer{i}")
        g.amplitude = TAU_REF * (np.asarray(spec.gains[i - 1]) if spec.gains and spec.gains[i - 1] is not None else 1.0)
        g.run_regularly(plasticity.APICAL_RESTART, when="start", name=f"{prefix}_layer{i}_restart")
        g.run_regularly(plasticity.hidden_clear_code(i in feeding, sums_power), when="end", order=plasticity.CLEAR,
                        name=f"{prefix}_layer{i}_clear")
        g.run_on_event("nudged", plasticity.hidden_nudge_code(), when="end", order=plasticity.NEURON)
        if spec.noise_reconstruction:
            g.run_on_event("fb_learn", plasticity.hidden_feedback_code(), when="end", order=plasticity.NEURON)
        g.run_regularly("b += db\ndb = 0", dt=sample_dt, when="end", order=plasticity.WRITE,
                        name=f"{prefix}_layer{i}_write")
        layers.append(g)
        objects.append(g)

    out = b2.NeuronGroup(sizes[L], output_equations(L in feeding), method="exponential_euler", clock=clock, namespace=ns,
                         events={"grab": "grab(t) > 0.5"}, name=f"{prefix}_output")
    out.run_regularly(plasticity.APICAL_RESTART, when="start", name=f"{prefix}_output_restart")
    out.run_regularly(plasticity.output_step_code(spec.noise_reconstruction), when="end", order=plasticity.CLEAR,
                      name=f"{prefix}_output_step")
    out.run_regularly("b += db\ndb = 0", dt=sample_dt, when="end", order=plasticity.WRITE,
                      name=f"{prefix}_output_write")
    objects.append(out)
    softmax = b2.Synapses(out, out, "Z_post = exp(acc_pre - acc_post) : 1 (summed)", clock=clock, namespace=ns,
                          name=f"{prefix}_softmax")
    softmax.connect()
    objects.append(softmax)

    # ON/OFF coders of the output error and, for layer-wise feedback, of every hidden layer that sends feedback
    coders = {}
    for j in sources:
        source_group, variable = (out, "err_out") if j == L else (layers[j - 1], "A_sent" if j in feeding else "A")
        coders[j], pairs = coder_population(b2, sizes[j], source_group, variable, coder_phase_name(j, L),
                                            f"{prefix}_" + ("error" if j == L else f"diff{j}"), clock, ns, j in feeding,
                                            coder_baseline_name(j, L) if o.coder_baseline is not None else None)
        objects += [coders[j], pairs]
        if j in feeding:        # the coders' trace with the forward synapse's time constant, as the source sends it
            sent = b2.Synapses(coders[j], source_group, "d_syn_post = polarity_pre*trace_syn_pre : 1 (summed)",
                               clock=clock, namespace=ns, name=f"{prefix}_sent{j}")
            sent.connect(i=np.arange(2 * sizes[j]), j=np.tile(np.arange(sizes[j]), 2))
            objects.append(sent)
    if spec.noise_reconstruction and o.feedback_normaliser == "layer":
        # the power P = sum_j s_j^2 of the feedback rule's presynaptic signals, the same for every neuron of a
        # layer (all-to-all feedback): summed once per coder population, from the previous step's traces (order
        # -1: its summed-variable update runs before the pairs' one), linked to the layers that population feeds
        for j in sources:
            fed = [link.layer for link in links if link.source == j]
            if not fed:
                continue
            power = b2.NeuronGroup(1, "P : 1", clock=clock, namespace=ns, order=-1, name=f"{prefix}_power{j}")
            channels = b2.Synapses(coders[j], power, f"P_post = {plasticity.feedback_power(o.feedback_pairs)} : 1 (summed)",
                                   clock=clock, namespace=ns, name=f"{prefix}_power_sum{j}")
            channels.connect()
            for i in fed:
                layers[i - 1].P = b2.linked_var(power, "P", index=np.zeros(sizes[i], dtype=int))
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
        syn.run_regularly(dict(spec.write_codes)[weight_key(i)], dt=sample_dt, when="end", order=plasticity.WRITE,
                          name=f"{prefix}_W{i}_write")
        forward.append(syn)
        objects.append(syn)

    feedback, populations = [], []
    for link in links:
        if link.nonlinear:
            source_group, signal = (out, "rf") if link.source == L else (layers[link.source - 1], "h_syn")
            fp = build_feedback_population(
                b2, link, sizes, source_group, signal, layers[link.layer - 1], 2 if spec.difference_correction else 1,
                spec.per_unit, spec.learns_feedback, dict(spec.write_codes).get(link.key, ""), sample_dt, clock, ns,
                prefix)
            populations.append(fp)
            objects += fp.objects
            continue
        pre, n_src, n_post = coders[link.source], sizes[link.source], sizes[link.layer]
        learning = plasticity.feedback_pathways(o.feedback_pairs, sums_power) if spec.learns_feedback else {}
        syn = b2.Synapses(pre, layers[link.layer - 1], "q : 1\ndq : 1",
                          on_pre="A_post += polarity_pre*q/(gain_n*n_tau_fb)", on_post=learning,
                          on_event=dict.fromkeys(learning, "fb_learn"), clock=clock, namespace=ns,
                          name=f"{prefix}_{link.key}")
        syn.connect(i=np.repeat(np.arange(2 * n_src), n_post), j=np.tile(np.arange(n_post), 2 * n_src))
        if spec.learns_feedback:
            plasticity.learn_after_post_event(syn, learning)
            syn.run_regularly(dict(spec.write_codes)[link.key], dt=sample_dt, when="end", order=plasticity.WRITE,
                              name=f"{prefix}_{link.key}_write")
        else:
            syn.q = q_pair_values(fixed_q[link.key])
        feedback.append(syn)
    identity = b2.Synapses(coders[L], out, "q : 1", on_pre="A_post += polarity_pre*q/(gain_n*n_tau_fb)", clock=clock,
                           namespace=ns, name=f"{prefix}_Qout")
    identity.connect(i=np.arange(2 * sizes[L]), j=np.tile(np.arange(sizes[L]), 2))
    identity.q = 1.0
    feedback.append(identity)
    objects += feedback

    # the free-phase outputs and the rates probe's spike counts: recorded at the step of the sample's grab event
    # (once per sample, so the k-th record of a unit is sample k's)
    output_log = b2.EventMonitor(out, "grab", variables=["acc"], when="end", order=2, name=f"{prefix}_outlog")
    count_logs = [b2.EventMonitor(g, "grab", variables=["counted"], when="end", order=2, name=f"{prefix}_countlog{i}")
                  for i, g in enumerate(layers, start=1)]
    for g in layers:
        g.run_regularly("counted *= 1 - slot_start(t)", when="start", name=f"{g.name}_count_reset")
    objects += [output_log] + count_logs

    net = Brian2Network(None, ns, layout, spec, inp, layers, out, coders[L],
                        {j: g for j, g in coders.items() if j != L}, populations, forward, feedback, output_log,
                        count_logs, timed)
    if spec.record:
        for name, group in net.populations.items():
            mon = b2.SpikeMonitor(group, name=f"{prefix}_spikes_{name.replace(' ', '')}")
            net.monitors[name] = mon
            objects.append(mon)
        for i, group in enumerate(layers, start=1):
            mon = b2.StateMonitor(group, "A", record=np.arange(min(RECORDED_APICAL, sizes[i])), when="end", order=4,
                                  name=f"{prefix}_apical{i}")
            net.apical_monitors.append(mon)
            objects.append(mon)
    net.network = b2.Network(*objects, name=f"{prefix}_network")
    net.duration = total * o.dt
    return net


def coder_phase_name(layer: int, n_layers: int) -> str:
    """The TimedArray of the start phases of layer ``layer``'s ON/OFF coders (Runtime._coder_tables)."""
    return "error_phase" if layer == n_layers else f"difference_phase{layer}"


def coder_baseline_name(layer: int, n_layers: int) -> str:
    """The TimedArray of the baseline factors of layer ``layer``'s push-pull coders (Runtime._coder_tables)."""
    return "error_baseline" if layer == n_layers else f"difference_baseline{layer}"


def coder_population(b2, n: int, source_group, variable: str, phases: str, name: str, clock, ns,
                     feeds_population: bool = False, baseline: str | None = None) -> tuple:
    """ON/OFF coders of ``variable`` of ``source_group`` (n channels: the output's err_out, or a hidden layer's
    apical A): the NeuronGroup and the Synapses that sum each channel's signed trace es. They restart at the
    phases of TimedArray ``phases`` (plasticity.coder_restart). Coders that feed a non-linear link's units keep a
    second trace, trace_syn, with the forward synapse's time constant. With ``baseline`` (the TimedArray of their
    baseline factors) they are push-pull coders in the noise windows (equations.error_equations)."""
    reset = "v -= 1\ntrace += 1/(gain_n*n_tau_fb)\nn_spikes += active(t)"
    if feeds_population:
        reset += "\ntrace_syn += 1/(gain_n*n_tau_syn)"
    group = b2.NeuronGroup(2 * n, error_equations(feeds_population, baseline), threshold="v > 1", reset=reset,
                           method="euler", clock=clock, namespace=ns, name=name)
    group.run_regularly(plasticity.coder_restart(phases), when="start", name=f"{name}_restart")
    group.e_in = b2.linked_var(source_group, variable, index=np.tile(np.arange(n), 2))
    group.polarity = np.repeat([1.0, -1.0], n)
    pairs = b2.Synapses(group, group, "es_post = polarity_pre*trace_pre : 1 (summed)", clock=clock, namespace=ns,
                        name=f"{name}_pairs")
    k = np.arange(n)
    pairs.connect(i=np.concatenate([k, k + n, k, k + n]), j=np.concatenate([k, k, k + n, k + n]))
    return group, pairs


def q_pair_values(q: np.ndarray, q_off: np.ndarray | None = None) -> np.ndarray:
    """Synapse values of the feedback pathway for Q (n_i x n_source) on the ON neurons and ``q_off`` (Q when None)
    on the OFF neurons (their polarity makes it -q_off), in connect order (presynaptic coder neuron major)."""
    return np.concatenate([q.T.ravel(), (q if q_off is None else q_off).T.ravel()])


def q_pair_matrices(values: np.ndarray, n_post: int, n_source: int) -> tuple[np.ndarray, np.ndarray]:
    """(Q_on, Q_off) from the synapse values of q_pair_values."""
    half = len(values) // 2
    return weights_from(values[:half], n_post, n_source), weights_from(values[half:], n_post, n_source)


def forward_values(W: np.ndarray) -> np.ndarray:
    """Synapse values of W (n_post x n_pre) in connect order (presynaptic neuron major)."""
    return W.T.ravel()


def weights_from(values: np.ndarray, n_post: int, n_pre: int) -> np.ndarray:
    return np.asarray(values).reshape(n_pre, n_post).T

