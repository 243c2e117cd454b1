"""A TrainState's network built on brian2, and the calls that run sample presentations on it.

Samples are shown in runs of the compiled schedule (schedule.py): up to ``layout.capacity(mode)`` samples per
run; the learned weights are read back after every run and written in as initial values of the next, so a
minibatch larger than one run continues online where the previous run stopped.
"""
from __future__ import annotations

import numpy as np

from ...hardware import ChipInstance, modeled_chip
from ...network.weights import bias_key, weight_key
from ..spike_totals import call_counts
from ..spiking_schedule import forward_rate_constant, rule_links
from ..train_state import TrainState
from .feedback_populations import q_from, q_values
from .network_builder import (
    BuildSpec,
    coder_baseline_name,
    coder_phase_name,
    forward_values,
    q_pair_matrices,
    q_pair_values,
    weights_from,
)
from .options import Brian2Options
from .schedule import Layout, Schedule, build_schedule
from .simulation import cached_simulation
from .weight_writes import write_code


def neuron_model(options: Brian2Options, chip: ChipInstance | None) -> str:
    """poisson on a profile with stochastic binary units; else the option, where auto takes the chip profile's
    ``units.neuron_model`` (lif without a chip)."""
    if chip is not None and chip.profile.units.kind.value == "stochastic_binary":
        return "poisson"
    if options.neuron_model != "auto":
        return options.neuron_model
    return chip.profile.units.neuron_model.value if chip is not None else "lif"


def build_spec(state: TrainState, options: Brian2Options, record: bool = False) -> BuildSpec:
    chip = modeled_chip(state.chip)
    rule, sizes = state.rule, state.spec.layer_sizes
    L = len(sizes) - 1
    beta = rule.output_step()
    learns, layerwise = bool(rule.has_trained_feedback), rule.feedback_wiring == "layerwise"
    links = rule_links(rule)
    nonlinear = any(link.nonlinear for link in links)
    codes = [(weight_key(i), write_code("w", chip, i, "forward")) for i in range(1, L + 1)]
    if learns:
        codes += [(link.key, write_code("q", chip, link.matrix, "feedback")) for link in links]
    gains = tuple(chip.mismatch.layer(i)[0] for i in range(1, L)) if chip is not None else ()
    fixed = () if learns or nonlinear else tuple(state.feedback_params[link.key].tobytes() for link in links)
    return BuildSpec(tuple(sizes), beta, learns, layerwise, nonlinear, rule.difference_correction,
                     options.feedback_neurons_per_unit if nonlinear else 1, fixed, neuron_model(options, chip),
                     tuple(codes), tuple(tuple(g) if g is not None else None for g in gains), record)


def off_key(key: str) -> str:
    """The state's key of the OFF synapses' weights of feedback matrix ``key`` (untied pairs)."""
    return f"{key}_off"


def learning_rates(state: TrainState, options: Brian2Options) -> tuple[list[float], float, float, float]:
    """(kappa per hidden layer, kappa_output, kappa_fb, kappa_rec): the forward rate constants
    (spiking_schedule.forward_rate_constant) of the hidden layers and of the output readout, the feedback
    rate and the feedback populations' reconstruction rate (2 reconstruction_learning_rate over a sample's gated
    noise time: one SGD step per sample), from the options' learning rates (SpikingOptions.layer_learning_rate)
    times the epoch's factor ``state.lr_scale``, rounded to the chip's learning-rate mantissa if there is one;
    they are values of the run, not of the build. Layer i's apical signal arrives through one feedback synapse
    (direct feedback) or those of its chain of links in series (layer-wise), and its rate constant uses their
    rise. With ``options.frozen_hidden`` the hidden layers' constants are 0."""
    chip = modeled_chip(state.chip)
    scaled = options.scaled_learning_rates(state.lr_scale)
    L = state.spec.n_layers
    hidden, output, fb_lr = scaled.layer_learning_rate(1, L), scaled.layer_learning_rate(L, L), scaled.feedback_learning_rate
    rec_lr = 2.0 * scaled.reconstruction_learning_rate / (options.noise_windows * options.noise_learn)
    if chip is not None:
        hidden, output = chip.quantize_learning_rate(hidden, "forward"), chip.quantize_learning_rate(output, "forward")
        fb_lr = chip.quantize_learning_rate(fb_lr, "feedback")
        rec_lr = chip.quantize_learning_rate(rec_lr, "feedback")
    beta = state.rule.output_step()
    links = rule_links(state.rule)
    if options.frozen_hidden:
        hidden = 0.0
    return ([forward_rate_constant(hidden, beta, options.nudge_integral(options.apical_time_constants(i, links)))
             for i in range(1, L)],
            forward_rate_constant(output, beta, options.nudge_integral()), fb_lr, rec_lr)


class Runtime:
    """One built network for a (spec, options) and the bookkeeping of its calls."""

    def __init__(self, state: TrainState, options: Brian2Options, record: bool = False):
        self.options = options
        self.spec = build_spec(state, options, record)
        sizes = self.spec.layer_sizes
        self.L = len(sizes) - 1
        self.layout = Layout(options, self.L - 1, self.spec.learns_feedback and not options.frozen_hidden)
        fixed_q = {k: v for k, v in state.feedback_params.items()}
        self.sim = cached_simulation(self.spec, self.layout, options, fixed_q)
        self.pbar = [np.zeros(n) for n in sizes[1:-1]]
        self.reset_counts()

    # -- bookkeeping ---------------------------------------------------------------------------------
    def reset_counts(self) -> None:
        self.spikes = {name: 0 for name in self.sim.net.populations}
        self.active_steps = 0
        self.reconstruction = np.zeros(2)

    def counts(self, n_samples: int) -> dict:
        return call_counts(self.spec.layer_sizes, self.spikes, n_samples, self.active_steps * self.options.dt,
                           self.sim.net.links, self.spec.difference_correction)

    def take_reconstruction_loss(self) -> float:
        err, dev = self.reconstruction
        self.reconstruction = np.zeros(2)
        return float(err / dev) if dev > 0 else float("nan")

    # -- runs ----------------------------------------------------------------------------------------
    def present(self, state: TrainState, mode: str, x: np.ndarray, y: np.ndarray | None = None,
                rng: np.random.Generator | None = None, learn_feedback: bool = True,
                write_back: bool = True) -> dict:
        """Show the rows of ``x`` in ``mode`` (train, feedback, eval, rates). Returns the free-phase outputs
        ("outputs", (n, n_L)), hidden spike counts of the count window ("counts", per layer (n, n_i)) and the
        schedules of the runs. Learned parameters are written into ``state`` when ``write_back``."""
        x = np.asarray(x, dtype=float)
        cap = self.layout.capacity(mode)
        params = {k: v.copy() for k, v in state.forward_params.items()}
        fb = {k: v.copy() for k, v in state.feedback_params.items()}
        outputs, counts, schedules = [], [[] for _ in range(self.L - 1)], []
        for start in range(0, len(x), cap):
            xb = x[start:start + cap]
            yb = None if y is None else np.asarray(y)[start:start + cap]
            sched = build_schedule(self.layout, mode, len(xb), learn_feedback)
            seed = int(rng.integers(2**31)) if rng is not None else 0
            self.sim.run(self._timed(sched, xb, yb, rng), self._variables(state, params, fb), sched.end_step, seed)
            out, cnt = self._collect(sched, params, fb, learned=mode in ("train", "feedback"))
            outputs.append(out)
            for i, c in enumerate(cnt):
                counts[i].append(c)
            schedules.append(sched)
        if write_back:
            for k in params:
                state.forward_params[k] = params[k].astype(state.forward_params[k].dtype, copy=False)
            if self.spec.learns_feedback:
                for k in fb:
                    state.feedback_params[k] = fb[k].astype(state.feedback_params[k].dtype, copy=False)
        n_out = self.spec.layer_sizes[-1]
        return {"outputs": np.concatenate(outputs) if outputs else np.zeros((0, n_out)),
                "counts": [np.concatenate(c) if c else np.zeros((0,)) for c in counts],
                "schedules": schedules, "params": params, "feedback": fb}

    def _timed(self, sched: Schedule, x: np.ndarray, y: np.ndarray | None, rng) -> dict[str, np.ndarray]:
        layout, sizes = self.layout, self.spec.layer_sizes
        values = dict(sched.gates)
        values["slot"], values["window"], values["phase_row"] = sched.slot, sched.window, sched.phase_row
        values.update(self._coder_tables(rng))
        stim = np.zeros((layout.slots + 1, sizes[0]))
        stim[:len(x)] = x
        values["stim"] = stim
        label = np.zeros((layout.slots + 1, sizes[-1]))
        if y is not None:
            label[np.arange(len(y)), np.asarray(y, dtype=int)] = 1.0
        values["label"] = label
        for i in range(1, self.L):
            values[f"noise_on{i}"] = sched.layer_noise[i - 1]
            noise = np.zeros((layout.windows + 1, sizes[i]))
            if rng is not None and sched.layer_noise[i - 1].any():
                noise[:-1] = self.options.noise_current * rng.standard_normal((layout.windows, sizes[i]))
            values[f"noise{i}"] = noise
        return values

    def _coder_tables(self, rng) -> dict[str, np.ndarray]:
        """Start phases v of the ON/OFF coders (the output error's, then each difference population's) for each
        noise window and nudge, uniform on [0, 1) (``rng``; 1/2 without one, where nothing learns). A
        regular-firing coder of rate g|e| then emits g|e| T spikes in a window T in expectation, spread uniformly
        over it, so the apical trace carries e without bias however small |e| is. Started from 0, a coder at
        100 Hz fires its first spike 10 ms into a 20 ms nudge: the readout's update for the wrong classes (small
        |e| = beta p_k) came out at about half the rate engine's while the label's (large e) matched.
        Push-pull coders (``coder_baseline``) also take each channel's baseline factor per noise window, uniform on
        [0, 2) (1 without ``rng``), the same for its ON and OFF coder: with one baseline for all channels the rule
        could restore only the sum of a neuron's pair differences, with independent ones it restores each."""
        sizes, L, phases = self.spec.layer_sizes, self.L, {}
        for j in [L] + sorted(self.sim.net.differences):
            shape = (self.layout.phase_rows + 1, 2 * sizes[j])
            phases[coder_phase_name(j, L)] = p = rng.random(shape) if rng is not None else np.full(shape, 0.5)
            p[-1] = 0.0
            if self.options.coder_baseline is not None:
                rows = (shape[0], sizes[j])
                factor = 2 * rng.random(rows) if rng is not None else np.ones(rows)
                phases[coder_baseline_name(j, L)] = np.tile(factor, 2)
        return phases

    def _variables(self, state, params, fb) -> dict:
        net, chip_vars = self.sim.net, {}
        kappas, kappa_output, kappa_fb, kappa_rec = learning_rates(state, self.options)
        for group, kappa in zip(net.layers, kappas):
            chip_vars[(group, "kappa")], chip_vars[(group, "kappa_fb")] = kappa, kappa_fb
        chip_vars[(net.output, "kappa")] = kappa_output
        for i, syn in enumerate(net.forward, start=1):
            chip_vars[(syn, "w")] = forward_values(params[weight_key(i)])
        for i, group in enumerate(net.layers + [net.output], start=1):
            chip_vars[(group, "b")] = params[bias_key(i)]
        if self.spec.noise_reconstruction:
            for link, syn in zip(net.links, net.feedback):
                chip_vars[(syn, "q")] = q_pair_values(fb[link.key], fb.get(off_key(link.key)))
                chip_vars[(net.layers[link.layer - 1], "pbar")] = self.pbar[link.layer - 1]
        for fp in net.feedback_populations:
            chip_vars[(fp.synapses, "q")] = q_values(fb[fp.link.key], fp.copies)
            chip_vars[(fp.units, "c")] = np.tile(fb[f"c{fp.link.matrix}"], fp.copies)
            if self.spec.learns_feedback:
                chip_vars[(fp.units, "kappa_rec")] = kappa_rec
        return chip_vars

    def _collect(self, sched: Schedule, params, fb, learned: bool):
        net, sim, sizes = self.sim.net, self.sim, self.spec.layer_sizes
        n = sched.n_samples
        out = sim.read(net.output_log, "acc").reshape(n, sizes[-1])
        counts = [sim.read(log, "counted").reshape(n, sizes[i]) if sched.mode == "rates"
                  else np.zeros((0, sizes[i])) for i, log in enumerate(net.count_logs, start=1)]
        for name, group in net.populations.items():
            self.spikes[name] += int(round(sim.read(group, "n_spikes").sum()))
        self.active_steps += sched.active_steps
        if learned:
            for i, syn in enumerate(net.forward, start=1):
                params[weight_key(i)] = weights_from(sim.read(syn, "w"), sizes[i], sizes[i - 1])
            for i, group in enumerate(net.layers + [net.output], start=1):
                params[bias_key(i)] = sim.read(group, "b")
            if self.spec.noise_reconstruction:
                for link, syn in zip(net.links, net.feedback):
                    fb[link.key], q_off = q_pair_matrices(sim.read(syn, "q"), sizes[link.layer], sizes[link.source])
                    if self.options.feedback_pairs == "untied":
                        fb[off_key(link.key)] = q_off
                    layer = net.layers[link.layer - 1]
                    self.pbar[link.layer - 1] = sim.read(layer, "pbar")
                    self.reconstruction += [sim.read(layer, "rec_err").sum(), sim.read(layer, "rec_dev").sum()]
            if self.spec.learns_feedback:
                for fp in net.feedback_populations:
                    n, key = sizes[fp.link.layer], fp.link.key
                    fb[key] = q_from(sim.read(fp.synapses, "q"), n, sizes[fp.link.source], fp.copies)
                    fb[f"c{fp.link.matrix}"] = sim.read(fp.units, "c")[:n]
                    self.reconstruction += [sim.read(fp.units, "rec_err").sum(), sim.read(fp.units, "rec_n").sum()]
        return out, counts
