"""The nengo engine: the network description and its local rules run as spiking LIF populations on nengo's
reference simulator, samples presented online (DESIGN.md section 4).

Per training sample: free phase (settle, average the output r_L^free; loss and accuracy come from it) ->
noise phase (if the rule trains feedback: noise currents, one hidden layer at a time, feedback rule on) ->
nudged phase (error pathway carries t_L - r_L^free = beta (onehot(y) - softmax(r_L^free)), Meulemans et al.
2020 Eq. 4 with batch size 1, computed inside the simulation by the output unit from its free-phase average
and a label input; forward rules on). Feedback is direct (DDTP-linear, DFA) or layer-wise (DRL with linear
feedback: each hidden layer's ON/OFF difference coders drive the layer below, as in the brian2 engine). The config's optimizers are not used: the plasticity
happens inside the simulation at the rates of :class:`NengoOptions` (``learning_rate``,
``feedback_learning_rate``). After every call the learned weights are copied back into the state.

On a chip (``state.chip``; DESIGN.md section 5) the engine models the weight grids, update resolution and
rounding of W_i and Q_i (committed once per plasticity window with the call's rng), the learning-rate
mantissa, and activity noise and offset mismatch (chip_noise.py); it refuses, with one line, what a spiking
LIF population does not have (stochastic, sign or quantized units; gain mismatch).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import replace
from typing import ClassVar

import numpy as np
from nengo.utils.progress import Progress, ProgressTracker

from ...network.loss import cross_entropy
from ..protocol import BatchResult, PhaseRecording, SpikeRecording, SpikingEngine
from ..train_state import TrainState
from .options import NengoOptions
from .runtime import Runtime, runtime_key

RECORDED_APICAL = 4        # hidden neurons per layer whose apical signal a phase recording keeps


class NengoEngine(SpikingEngine):
    name: ClassVar[str] = "nengo"
    capabilities = replace(
        SpikingEngine.capabilities, wirings=frozenset({"direct", "layerwise"}),
        profile_features=frozenset({"weight_grid", "learning_rate_precision", "activity_noise", "offset_mismatch"}),
        why="the nengo spiking mapping (LIF ensembles, a linear readout and an error pathway of connections)")
    options_type: ClassVar[type] = NengoOptions

    def __init__(self, options: NengoOptions | None = None, **overrides):
        super().__init__(options, **overrides)
        self._runtime: Runtime | None = None
        self._wall_start = 0.0

    # -- contract ------------------------------------------------------------------------------------
    def train_batch(self, state, x, y, rng, train_feedback):
        rt = self._start(state, rng=rng)
        learn_feedback = train_feedback and state.rule.has_trained_feedback and not self.options.frozen_hidden
        loss, correct = 0.0, 0
        with self._progress(len(x), "Training") as step:
            for xb, yb in zip(x, y):
                out = rt.free_phase(xb, rng)
                res = cross_entropy(out[None], np.array([yb]))
                loss += res.loss
                correct += res.n_correct
                if learn_feedback:
                    rt.noise_phase(rng)
                rt.nudged_phase(yb)
                step()
        rec = rt.reconstruction_loss() if learn_feedback else float("nan")
        self._finish(state, len(x), "train")
        return BatchResult(loss / max(len(x), 1), correct, rec)

    def feedback_batch(self, state, x, rng):
        if not state.rule.has_trained_feedback or self.options.frozen_hidden:
            return float("nan")
        rt = self._start(state, rng=rng)
        with self._progress(len(x), "Feedback training") as step:
            for xb in x:
                rt.free_phase(xb, rng)
                rt.noise_phase(rng)
                step()
        rec = rt.reconstruction_loss()
        self._finish(state, len(x), "feedback")
        return rec

    def predict(self, state, x, rng=None):
        """Free-phase output r_L (logits) per input row, no learning. On a chip with activity noise, ``rng``
        draws it (a fixed default stream when not given, so evaluation is reproducible)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        rt = self._start(state)
        out = []
        with self._progress(len(x), "Inference") as step:
            for xb in x:
                out.append(rt.free_phase(xb, rng))
                step()
        logits = np.array(out).reshape(len(x), state.spec.layer_sizes[-1])
        self._finish(None, len(x), "inference")
        return logits

    # -- probes of the engine-agreement suite --------------------------------------------------------
    def rates(self, state, x, *, dt=None):
        rt = self._start(state, dt)
        per_sample = [rt.hidden_rates(xb) for xb in x]
        self._finish(None, len(x), "probe")
        return [np.array([rates[i] for rates in per_sample]) for i in range(state.spec.n_layers - 1)]

    def nudged_weight_change(self, state, x, y):
        rt = self._start(state, rng=np.random.default_rng(0))
        rt.free_phase(x[0], np.random.default_rng(0))
        rt.nudged_phase(int(y[0]))
        after_fwd, after_fb = dict(state.forward_params), dict(state.feedback_params)
        rt.store(TrainState(state.spec, state.rule, after_fwd, after_fb, None, None))
        rt.load(state)
        self._finish(None, 1, "probe")
        return {k: after_fwd[k] - state.forward_params[k] for k in state.forward_params if k.startswith("W")}

    def spike_trains(self, state, x):
        """Per input row, the spike counts per time step (steps, neurons) of every population during its
        free phase (settle + average); no learning."""
        rt = self._start(state)
        out = []
        for xb in x:
            for m in rt.net.monitors.values():
                m.trains.clear()
            rt.presentation.recording = True
            rt.free_phase(xb, np.random.default_rng(0))
            rt.presentation.recording = False
            out.append({name: np.array(m.trains) for name, m in rt.net.monitors.items()})
        self._finish(None, len(x), "probe")
        return SpikeRecording(rt.options.dt, out)

    def phase_recording(self, state, x, y, rng=None):
        """The first sample as a training sample with its spikes and the apical signals of the first hidden
        neurons recorded over the free phase, the noise windows, resettle and nudge; the learned weights are
        discarded."""
        rng = rng if rng is not None else np.random.default_rng(0)
        rt = self._start(state, rng=rng)
        o, hidden = rt.options, [c.output for c in rt.net.compartments[:-1]]
        for m in list(rt.net.monitors.values()) + hidden:
            (m.trains if hasattr(m, "trains") else m.recorded).clear()
        rt.presentation.recording = True
        rt.free_phase(x[0], rng)
        phases = [("free", 0, rt.simulated_steps)]
        if state.rule.has_trained_feedback and not o.frozen_hidden:
            cursor, window = rt.simulated_steps, o.steps(o.noise_settle) + o.steps(o.noise_learn)
            rt.noise_phase(rng)
            for layer in range(1, len(hidden) + 1):
                for k in range(o.noise_windows):
                    phases.append((f"noise L{layer} #{k + 1}", cursor, cursor + window))
                    cursor += window
            phases.append(("resettle", cursor, rt.simulated_steps))
        first = rt.simulated_steps
        rt.nudged_phase(int(y[0]))
        phases.append(("nudge", first, rt.simulated_steps))
        rt.presentation.recording = False
        rt.load(state)
        recording = PhaseRecording(o.dt, {name: np.array(m.trains) for name, m in rt.net.monitors.items()},
                                   {f"layer {i}": np.array(g.recorded)[:, :RECORDED_APICAL]
                                    for i, g in enumerate(hidden, start=1)}, phases)
        self._finish(None, 1, "probe")
        return recording

    # -- runtime management ----------------------------------------------------------------------------
    def _start(self, state: TrainState, dt: float | None = None, rng: np.random.Generator | None = None) -> Runtime:
        """The built model for ``state`` (built once per architecture, rule, options and chip; the learning rates
        are built in, so a new epoch factor ``state.lr_scale`` rebuilds it), loaded with its weights; ``rng``
        draws the stochastic rounding of the call's weight commits on a chip."""
        self._wall_start = time.perf_counter()
        self.check_supported(state)
        options = self.options.with_dt(dt).scaled_learning_rates(state.lr_scale)
        if self._runtime is None or self._runtime.key != runtime_key(state, options):
            self._runtime = Runtime(state, options)
        self._runtime.load(state)
        self._runtime.reset_counts()
        self._runtime.seed_rounding(rng if rng is not None else np.random.default_rng(0))
        return self._runtime

    @contextmanager
    def _progress(self, n_samples: int, task: str):
        """nengo's own progress bar over the samples of one call (``options.progress_bar``: False, True for
        nengo's default, shown when a call takes over a second, or a nengo ProgressBar); yields step()."""
        if not self.options.progress_bar:
            yield lambda: None
            return
        with ProgressTracker(self.options.progress_bar, Progress(task, task, n_samples)) as tracker:
            yield tracker.total_progress.step

    def _finish(self, state: TrainState | None, n_samples: int, kind: str) -> None:
        """Copy learned weights back into ``state`` (None: nothing learned) and record the call's counts."""
        if state is not None:
            self._runtime.store(state)
        self._record_call(self._runtime.counts(n_samples), kind, self._wall_start)
