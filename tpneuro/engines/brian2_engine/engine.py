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

from ...errors import UnsupportedByEngine
from ...network.lif_rate import TAU_REF
from ...network.loss import cross_entropy, softmax
from ..protocol import BatchResult, Evaluation
from ..spike_totals import add_call_counts
from ..spiking_schedule import DIRECT_RULES, LAYERWISE_RULES, check_spiking_mapping
from ..train_state import TrainState
from .options import Brian2Options
from .runtime import Runtime, active_chip, build_spec, check_chip


def runtime_key(state: TrainState, options: Brian2Options, record: bool = False) -> tuple:
    """What a build depends on besides its learned weights."""
    chip = active_chip(state)
    chip_key = () if chip is None else (chip.profile, chip.seed, chip.weight_max_abs, chip.feedback_weight_max_abs)
    return (build_spec(state, options, record), options, chip_key)


class Brian2Engine:
    name: ClassVar[str] = "brian2"
    supported_rules: ClassVar[tuple[str, ...]] = DIRECT_RULES + LAYERWISE_RULES
    options_type: ClassVar[type] = Brian2Options

    def __init__(self, options: Brian2Options | None = None, **overrides):
        self.options = replace(options if options is not None else Brian2Options(), **overrides)
        self._runtimes: dict[tuple, Runtime] = {}
        self.last_counts: dict = {}                       # spikes and synaptic events of the last call
        self.totals: dict[str, dict] = {}                 # the same, summed per kind of call since construction

    # -- protocol ------------------------------------------------------------------------------------
    def check_supported(self, state: TrainState) -> None:
        """One-line UnsupportedByEngine for what this engine cannot run, before anything is built."""
        check_spiking_mapping(self.name, state, self.supported_rules)
        check_chip(active_chip(state))

    def train_batch(self, state, x, y, rng, train_feedback):
        rt, start = self._start(state), time.perf_counter()
        learn_feedback = bool(train_feedback and state.rule.has_trained_feedback)
        res = rt.present(state, "train", x, y, rng, learn_feedback=learn_feedback)
        ce = cross_entropy(res["outputs"], np.asarray(y))
        rec = rt.take_reconstruction_loss() if learn_feedback else float("nan")
        self._finish(rt, len(x), "train", start)
        return BatchResult(ce.loss, ce.n_correct, rec)

    def feedback_batch(self, state, x, rng):
        if not state.rule.has_trained_feedback:
            return float("nan")
        rt, start = self._start(state), time.perf_counter()
        rt.present(state, "feedback", x, None, rng)
        rec = rt.take_reconstruction_loss()
        self._finish(rt, len(x), "feedback", start)
        return rec

    def evaluate(self, state, x, y, passes: int = 1):
        """Loss and accuracy of the free-phase outputs. LIF populations are deterministic: one pass; with
        stochastic (Poisson) units ``passes`` > 1 averages the softmax over passes (Lee et al. 2015)."""
        stochastic = self._start(state).spec.neuron_model == "poisson"
        if passes != 1 and not stochastic:
            raise UnsupportedByEngine(f"brian2 engine: training.eval_passes = {passes} averages stochastic units, "
                                      "which this network does not have; fix: set training.eval_passes: 1")
        if passes == 1:
            res = cross_entropy(self.predict(state, x), np.asarray(y))
            return Evaluation(res.loss, res.n_correct / max(len(y), 1))
        probs = np.mean([softmax(self.predict(state, x)) for _ in range(passes)], axis=0)
        picked = np.maximum(probs[np.arange(len(y)), y], np.finfo(probs.dtype).tiny)
        return Evaluation(float(-np.mean(np.log(picked))), float(np.mean(probs.argmax(axis=1) == y)))

    def predict(self, state: TrainState, x: np.ndarray) -> np.ndarray:
        """Free-phase output r_L (logits) per input row, no learning."""
        rt, start = self._start(state), time.perf_counter()
        out = rt.present(state, "eval", x, write_back=False)["outputs"]
        self._finish(rt, len(x), "inference", start)
        return out

    # -- probes of the engine-agreement suite --------------------------------------------------------
    def rates(self, state: TrainState, x: np.ndarray, *, dt: float | None = None) -> list[np.ndarray]:
        """Hidden layers' normalised rates from spike counts over ``options.rate_window`` after
        ``options.settle``, learning off; one row per input."""
        rt, start = self._start(state, dt), time.perf_counter()
        counts = rt.present(state, "rates", x, write_back=False)["counts"]
        self._finish(rt, len(x), "probe", start)
        window = rt.options.steps(rt.options.rate_window) * rt.options.dt
        return [c * TAU_REF / window for c in counts]

    def nudged_weight_change(self, state: TrainState, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """Free then nudged phase of one sample (no noise phase); the change of every W_i; ``state`` is left
        as it was. The error coders' start phases come from a fixed generator, so the probe is repeatable."""
        rt, start = self._start(state), time.perf_counter()
        res = rt.present(state, "train", x[:1], y[:1], np.random.default_rng(0), learn_feedback=False,
                         write_back=False)
        self._finish(rt, 1, "probe", start)
        return {k: res["params"][k] - state.forward_params[k] for k in state.forward_params if k.startswith("W")}

    def train_feedback(self, state: TrainState, x: np.ndarray, rng: np.random.Generator) -> None:
        """Noise phases on the samples ``x`` with forward plasticity off; Q_i updated in ``state``."""
        self.feedback_batch(state, x, rng)

    def spike_trains(self, state: TrainState, x: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Per input row, the spike counts per time step (steps, neurons) of every population during its
        free phase (settle + average), for raster plots; no learning."""
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
        self._finish(rt, len(x), "probe", start)
        return out

    # -- runtime management ----------------------------------------------------------------------------
    def _start(self, state: TrainState, dt: float | None = None, record: bool = False) -> Runtime:
        """The built network for ``state`` (built once per architecture, rule, chip and options)."""
        self.check_supported(state)
        options = self.options.with_dt(dt)
        key = runtime_key(state, options, record)
        if key not in self._runtimes:
            self._runtimes[key] = Runtime(state, options, record)
        rt = self._runtimes[key]
        rt.reset_counts()
        return rt

    def _finish(self, rt: Runtime, n_samples: int, kind: str, start: float) -> None:
        """Record the spike counts of the call in ``last_counts`` and, summed, in ``totals[kind]`` (kind: train,
        feedback, inference, probe)."""
        self.last_counts = counts = rt.counts(n_samples)
        counts["wall_seconds"] = time.perf_counter() - start
        add_call_counts(self.totals, kind, counts)
