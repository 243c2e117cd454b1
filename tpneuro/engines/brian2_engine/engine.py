"""The brian2 engine: the network description and its local rules run as spiking LIF populations generated
by brian2 (numpy, cython or cpp_standalone), samples presented online (DESIGN.md section 4).

Per training sample: free phase (settle, average the output readout r_L^free; loss and accuracy come from it)
-> noise phase (if the rule trains feedback: held noise currents, one hidden layer at a time, feedback rule
on) -> nudged phase (the error populations carry t_L - r_L^free = beta (onehot(y) - softmax(r_L^free)),
Meulemans et al. 2020 Eq. 4 with batch size 1, computed inside the simulation; forward rules on). The whole
schedule of up to ``samples_per_run`` samples is one brian2 run (schedule.py); the state's Adam optimizers are
not used: the plasticity happens inside the simulation at the rates of :class:`Brian2Options`.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import ClassVar

import numpy as np

from ...hardware import modeled_chip
from ...network.lif_rate import TAU_REF
from ...network.loss import cross_entropy
from ..protocol import BatchResult, PhaseRecording, SpikeRecording, SpikingEngine
from ..spiking_schedule import rule_links
from ..train_state import TrainState
from .options import FAST, Brian2Options
from .runtime import Runtime, build_spec, off_key


def runtime_key(state: TrainState, options: Brian2Options, record: bool = False) -> tuple:
    """What a build depends on besides its learned weights."""
    chip = modeled_chip(state.chip)
    return (build_spec(state, options, record), options, () if chip is None else chip.key)


class Brian2Engine(SpikingEngine):
    name: ClassVar[str] = "brian2"
    capabilities = replace(
        SpikingEngine.capabilities, wirings=frozenset({"direct", "layerwise"}),
        profile_features=frozenset({"weight_grid", "learning_rate_precision", "units.stochastic_binary",
                                    "gain_mismatch"}),
        why="the brian2 spiking mapping (LIF or Poisson populations, a linear readout and an error pathway of "
            "synapses)")
    options_type: ClassVar[type] = Brian2Options
    quick_options: ClassVar[dict] = {**FAST, "target": "numpy"}

    def __init__(self, options: Brian2Options | None = None, **overrides):
        super().__init__(options, **overrides)
        self._runtimes: dict[tuple, Runtime] = {}

    # -- contract ------------------------------------------------------------------------------------
    def prepare_state(self, state):
        """With untied feedback pairs and trained feedback, the OFF synapses' weights of every linear feedback
        matrix Q (key ``Q{m}_off``, the same n_i x n_source layout) start equal to Q. A non-linear link's feedback
        populations have no ON/OFF pairs of synapses (feedback_populations.py)."""
        if self.options.feedback_pairs != "untied" or not state.rule.has_trained_feedback:
            return
        for link in rule_links(state.rule):
            if not link.nonlinear:
                state.feedback_params.setdefault(off_key(link.key), state.feedback_params[link.key].copy())

    def train_batch(self, state, x, y, rng, train_feedback):
        rt, start = self._start(state), time.perf_counter()
        learn_feedback = bool(train_feedback and state.rule.has_trained_feedback and not self.options.frozen_hidden)
        res = rt.present(state, "train", x, y, rng, learn_feedback=learn_feedback)
        ce = cross_entropy(res["outputs"], np.asarray(y))
        rec = rt.take_reconstruction_loss() if learn_feedback else float("nan")
        self._record_call(rt.counts(len(x)), "train", start)
        return BatchResult(ce.loss, ce.n_correct, rec)

    def feedback_batch(self, state, x, rng):
        if not state.rule.has_trained_feedback or self.options.frozen_hidden:
            return float("nan")
        rt, start = self._start(state), time.perf_counter()
        rt.present(state, "feedback", x, None, rng)
        rec = rt.take_reconstruction_loss()
        self._record_call(rt.counts(len(x)), "feedback", start)
        return rec

    @classmethod
    def averages_passes(cls, profile):
        """LIF populations are deterministic; Poisson units (a profile's stochastic_binary units) are not."""
        return profile is not None and profile.units.kind.value == "stochastic_binary"

    def predict(self, state, x, rng=None):
        """Free-phase output r_L (logits) per input row, no learning; ``rng`` seeds the run's random numbers
        (Poisson units; seed 0 when None)."""
        rt, start = self._start(state), time.perf_counter()
        out = rt.present(state, "eval", x, rng=rng, write_back=False)["outputs"]
        self._record_call(rt.counts(len(x)), "inference", start)
        return out

    # -- probes of the engine-agreement suite --------------------------------------------------------
    def rates(self, state, x, *, dt=None):
        rt, start = self._start(state, dt), time.perf_counter()
        counts = rt.present(state, "rates", x, write_back=False)["counts"]
        self._record_call(rt.counts(len(x)), "probe", start)
        window = rt.options.steps(rt.options.rate_window) * rt.options.dt
        return [c * TAU_REF / window for c in counts]

    def nudged_weight_change(self, state, x, y):
        """The error coders' start phases come from a fixed generator, so the probe is repeatable."""
        rt, start = self._start(state), time.perf_counter()
        res = rt.present(state, "train", x[:1], y[:1], np.random.default_rng(0), learn_feedback=False,
                         write_back=False)
        self._record_call(rt.counts(1), "probe", start)
        return {k: res["params"][k] - state.forward_params[k] for k in state.forward_params if k.startswith("W")}

    def spike_trains(self, state, x):
        """Per input row, the spike counts per time step (steps, neurons) of every population during its
        free phase (settle + average); no learning."""
        rt, start = self._start(state, record=True), time.perf_counter()
        free, out = rt.layout.free_steps, []
        cap = rt.layout.capacity("eval")
        for s0 in range(0, len(x), cap):          # the monitors hold the spikes of the last run
            sched = rt.present(state, "eval", x[s0:s0 + cap], write_back=False)["schedules"][0]
            trains = [dict() for _ in sched.starts]
            for name, group in rt.sim.net.populations.items():
                idx, steps = rt.sim.spike_monitor(name)
                for k, first in enumerate(sched.starts):
                    train = np.zeros((free, len(group)), dtype=np.int16)
                    sel = (steps >= first) & (steps < first + free)
                    np.add.at(train, (steps[sel] - first, idx[sel]), 1)
                    trains[k][name] = train
            out += trains
        self._record_call(rt.counts(len(x)), "probe", start)
        return SpikeRecording(rt.options.dt, out)

    def phase_recording(self, state, x, y, rng=None):
        """The first sample as a training sample in a record build: its spikes and the apical signals of the
        first hidden neurons over settle, average, the noise windows, resettle and nudge; nothing is written
        back."""
        rt, start = self._start(state, record=True), time.perf_counter()
        learn = bool(state.rule.has_trained_feedback and not self.options.frozen_hidden)
        rng = rng if rng is not None else np.random.default_rng(0)
        rt.present(state, "train", x[:1], y[:1], rng, learn_feedback=learn, write_back=False)
        steps = rt.layout.sample_steps
        spikes = {}
        for name, group in rt.sim.net.populations.items():
            idx, at = rt.sim.spike_monitor(name)
            train = np.zeros((steps, len(group)), dtype=np.int16)
            sel = at < steps
            np.add.at(train, (at[sel], idx[sel]), 1)
            spikes[name] = train
        apical = {f"layer {i}": rt.sim.apical_traces(i)[:steps] for i in range(1, state.spec.n_layers)}
        self._record_call(rt.counts(1), "probe", start)
        return PhaseRecording(rt.options.dt, spikes, apical, rt.layout.phase_spans())

    # -- runtime management ----------------------------------------------------------------------------
    def _start(self, state: TrainState, dt: float | None = None, record: bool = False) -> Runtime:
        """The built network for ``state`` (built once per architecture, rule, chip and options)."""
        self.check_supported(state)
        self.prepare_state(state)
        options = self.options.with_dt(dt)
        key = runtime_key(state, options, record)
        if key not in self._runtimes:
            self._runtimes[key] = Runtime(state, options, record)
        rt = self._runtimes[key]
        rt.reset_counts()
        return rt
