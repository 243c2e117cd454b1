"""The engine contract: everything the trainer, evaluation, deployment, sweeps and the tests ask of an engine.

An engine is a subclass of :class:`Engine` registered in :mod:`tpneuro.engines.registry`. It declares

- ``name``: the value of the config field ``engine``;
- ``capabilities``: the rules, activations and chip features it maps
  (:class:`~tpneuro.engines.capabilities.EngineCapabilities`); :meth:`Engine.check_supported` refuses the rest;
- ``options_type``: the dataclass of its settings (config field ``engine_options``), or None;
- ``quick_options``: settings that make short checks cheap (no compile step), used by the shared engine suite;
- ``continues_runs_of``: another engine whose runs this one continues and whose checkpoints it writes (the same
  state, optimizer moments and random streams), so that a run resumes on either (None: its runs are its own);

and implements :meth:`~Engine.train_batch`, :meth:`~Engine.feedback_batch` and :meth:`~Engine.predict`. The base
class gives evaluation with averaged stochastic passes, ``totals``: what the engine counted of its own calls
(empty for an engine that counts nothing, such as the rate engine), and whole epochs of one or several networks
(:meth:`~Engine.train_epochs`, :meth:`~Engine.feedback_epochs`), batch after batch; an engine that compiles an
epoch, or runs several networks at once (the JAX engine), overrides those two.

Spiking engines subclass :class:`SpikingEngine`, which adds spike trains, the call counts and the probes the
engine-agreement suite compares with the rate engine (:meth:`~SpikingEngine.rates`,
:meth:`~SpikingEngine.nudged_weight_change`, :meth:`~SpikingEngine.train_feedback`).
"""
from __future__ import annotations

import copy
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from tqdm.auto import tqdm

from ..errors import ConfigError, UnsupportedByEngine
from ..hardware import HardwareProfile, modeled_chip
from ..network.loss import cross_entropy, softmax
from .capabilities import EngineCapabilities, check_capabilities
from .spike_totals import add_call_counts
from .train_state import TrainState


@dataclass(frozen=True)
class BatchResult:
    """Mean training loss and number correct of one minibatch, and the feedback loss if trained."""

    loss: float
    n_correct: int
    reconstruction_loss: float = float("nan")


@dataclass(frozen=True)
class EpochWork:
    """One network's share of an epoch: its state, its training set, the minibatches (index arrays into ``x``) in
    the order they are shown, and the generator that draws its noise."""

    state: TrainState
    x: np.ndarray
    y: np.ndarray
    batches: list[np.ndarray]
    rng: np.random.Generator


@dataclass(frozen=True)
class EpochResult:
    """Per minibatch of one network's epoch: mean training loss, number correct, feedback loss. An engine may stop
    a network's epoch at its first non-finite loss, so the arrays can be shorter than the epoch."""

    losses: np.ndarray
    n_correct: np.ndarray
    reconstruction_losses: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """Mean cross-entropy and accuracy on a dataset."""

    loss: float
    accuracy: float


@dataclass(frozen=True)
class SpikeRecording:
    """Spike counts per time step, shape (steps, neurons), of every population, one dict per input row."""

    dt: float
    samples: list[dict[str, np.ndarray]]


@dataclass(frozen=True)
class PhaseRecording:
    """One training sample through all its phases (a spiking engine's PhaseRecording probe): spike counts per
    time step, shape (steps, neurons), of every population; the apical signal A = t_i - h_i, shape (steps, k), of
    the first k neurons of every hidden layer ("layer i"); the phases as (label, first step, end step)."""

    dt: float
    spikes: dict[str, np.ndarray]
    apical: dict[str, np.ndarray]
    phases: list[tuple[str, int, int]]


class Engine(ABC):
    """Runs a :class:`TrainState`: training minibatches, feedback-only batches, inference and evaluation."""

    name: ClassVar[str]
    capabilities: ClassVar[EngineCapabilities] = EngineCapabilities()
    options_type: ClassVar[type | None] = None
    quick_options: ClassVar[dict[str, Any]] = {}
    continues_runs_of: ClassVar[str | None] = None

    def __init__(self, options: Any = None, **overrides):
        if self.options_type is None:
            if options is not None or overrides:
                raise ConfigError(f"{self.name} engine", f"engine_options.{next(iter(overrides), 'options')}",
                                  f"the {self.name} engine has no settings", "remove engine_options")
            self.options = None
        else:
            self.options = replace(options if options is not None else self.options_type(), **overrides)
        self.totals: dict[str, dict] = {}       # per kind of call: what the engine counted (spiking engines)
        self.last_counts: dict = {}             # the same, of the last call

    # -- support ------------------------------------------------------------------------------------
    @classmethod
    def check_run(cls, rule, spec, profile: HardwareProfile | None) -> None:
        """Refuse, in one line, a rule, network or chip profile this engine cannot run.

        Decided from the engine's declared ``capabilities`` and the rule's and profile's declarations; the preflight
        calls this before anything is built.

        Parameters
        ----------
        rule : LearningRule
            The rule.
        spec : NetworkSpec
            The network (its activations).
        profile : HardwareProfile or None
            The chip's profile, or None without a chip.

        Raises
        ------
        UnsupportedByEngine
            ``{engine} engine: {problem}; fix: {fix}``.
        """
        check_capabilities(cls.name, cls.capabilities, rule, spec, profile)

    def check_supported(self, state: TrainState) -> None:
        """:meth:`check_run` for a built state (its modeled chip's profile, if any)."""
        chip = modeled_chip(state.chip)
        self.check_run(state.rule, state.spec, chip.profile if chip is not None else None)

    def prepare_state(self, state: TrainState) -> None:
        """Add to ``state`` the parameters this engine learns beyond the rule's own (none here; e.g. brian2's OFF
        feedback synapses). A run calls it before a checkpoint is loaded into the state, so that the checkpoint
        holds them; an engine also calls it on first use of a state built by hand. Idempotent."""

    # -- training -----------------------------------------------------------------------------------
    @abstractmethod
    def train_batch(self, state: TrainState, x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                    train_feedback: bool) -> BatchResult:
        """Train on one minibatch: forward pass, rule updates, one feedback step, forward learning step.

        Parameters
        ----------
        state : TrainState
            The network; its parameters (and optimizer states) are updated in place.
        x : numpy.ndarray
            Inputs, shape (batch, n_0).
        y : numpy.ndarray
            Integer labels, shape (batch,).
        rng : numpy.random.Generator
            Draws the run's noise (feedback training noise, a chip's stochastic rounding and units).
        train_feedback : bool
            Whether the feedback parameters take their step too.

        Returns
        -------
        BatchResult
            Mean training loss, number correct and the feedback loss if trained.
        """

    @abstractmethod
    def feedback_batch(self, state: TrainState, x: np.ndarray, rng: np.random.Generator) -> float:
        """One feedback-only step (feedback pre-training and the extra feedback epochs).

        Parameters
        ----------
        state : TrainState
            The network; its feedback parameters are updated in place.
        x : numpy.ndarray
            Inputs, shape (batch, n_0).
        rng : numpy.random.Generator
            Draws the noise that trains the feedback weights.

        Returns
        -------
        float
            The feedback (reconstruction) loss of the step.
        """

    def train_epochs(self, works: Sequence[EpochWork], input_noise: float = 0.0,
                     progress: str | None = None) -> list[EpochResult]:
        """A training epoch of every network in ``works``.

        Per minibatch, the inputs plus ``input_noise`` times N(0, 1) drawn from the work's generator (when
        ``input_noise`` > 0), then :meth:`train_batch` with a feedback step. Here one network after the other, batch
        by batch, each stopping at its first non-finite loss; an engine that compiles an epoch or runs several
        networks at once overrides this with the same numbers.

        Parameters
        ----------
        works : sequence of EpochWork
            Per network: its state (updated in place), training set, minibatches in order and noise generator.
        input_noise : float
            Standard deviation of the Gaussian noise added to the inputs (``training.input_noise``).
        progress : str, optional
            The description of a progress bar; None shows none.

        Returns
        -------
        list of EpochResult
            Per network, the loss, number correct and feedback loss of each minibatch it trained.
        """
        return [self._train_epoch(work, input_noise, progress) for work in works]

    def _train_epoch(self, work: EpochWork, input_noise: float, progress: str | None) -> EpochResult:
        losses, correct, rec = [], [], []
        bar = tqdm(work.batches, desc=progress, leave=False, disable=progress is None)
        for b, idx in enumerate(bar):
            xb = work.x[idx]
            if input_noise:
                xb = xb + input_noise * work.rng.standard_normal(xb.shape, dtype=xb.dtype)
            res = self.train_batch(work.state, xb, work.y[idx], work.rng, train_feedback=True)
            losses.append(res.loss)
            correct.append(res.n_correct)
            rec.append(res.reconstruction_loss)
            if b % 20 == 0:
                seen = sum(len(i) for i in work.batches[:b + 1])
                mean = sum(l * len(i) for l, i in zip(losses, work.batches)) / seen
                bar.set_postfix(loss=f"{mean:.4f}", acc=f"{100 * sum(correct) / seen:.1f}%")
            if not math.isfinite(res.loss):
                break
        return EpochResult(np.array(losses, dtype=np.float64), np.array(correct, dtype=np.int64),
                           np.array(rec, dtype=np.float64))

    def feedback_epochs(self, works: Sequence[EpochWork], progress: str | None = None) -> list[np.ndarray]:
        """A feedback-only epoch of every network in ``works`` (feedback pre-training, extra feedback epochs).

        Here one network after the other, batch by batch, through :meth:`feedback_batch`.

        Parameters
        ----------
        works : sequence of EpochWork
            Per network: its state (feedback parameters updated in place), inputs (``y`` unused), minibatches and
            noise generator.
        progress : str, optional
            The description of a progress bar; None shows none.

        Returns
        -------
        list of numpy.ndarray
            Per network, the feedback loss of each minibatch.
        """
        return [np.array([self.feedback_batch(work.state, work.x[idx], work.rng)
                          for idx in tqdm(work.batches, desc=progress, leave=False, disable=progress is None)],
                         dtype=np.float64) for work in works]

    # -- inference ----------------------------------------------------------------------------------
    @abstractmethod
    def predict(self, state: TrainState, x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """The output h_L (logits) per input row, without learning.

        Parameters
        ----------
        state : TrainState
            The network.
        x : numpy.ndarray
            Inputs, shape (n, n_0).
        rng : numpy.random.Generator, optional
            Draws a stochastic network's randomness; a fixed stream when None, so that evaluation is reproducible.

        Returns
        -------
        numpy.ndarray
            Logits, shape (n, n_L).
        """

    @classmethod
    def averages_passes(cls, profile: HardwareProfile | None) -> bool:
        """Whether repeated passes over one input can differ on a chip of ``profile`` (None: no chip), so that
        averaging them means something."""
        return True

    @classmethod
    def check_passes(cls, passes: int, profile: HardwareProfile | None) -> None:
        """UnsupportedByEngine when ``passes`` > 1 on a network whose passes cannot differ."""
        if passes > 1 and not cls.averages_passes(profile):
            raise UnsupportedByEngine(cls.name, f"training.eval_passes = {passes} averages stochastic units, which "
                                      "this network does not have", "set training.eval_passes: 1")

    def evaluate(self, state: TrainState, x: np.ndarray, y: np.ndarray, passes: int = 1,
                 rng: np.random.Generator | None = None) -> Evaluation:
        """Mean cross-entropy and accuracy on a dataset.

        With ``passes`` > 1 the softmax is averaged over stochastic passes (Lee et al. 2015, Sec. 3.2: the test output
        is the mean over 100 passes of the stochastic network).

        Parameters
        ----------
        state : TrainState
            The network.
        x, y : numpy.ndarray
            Inputs (n, n_0) and integer labels (n,).
        passes : int
            Stochastic passes to average; more than 1 only where passes can differ (:meth:`averages_passes`).
        rng : numpy.random.Generator, optional
            Draws the passes' randomness (a fixed stream when None).

        Returns
        -------
        Evaluation
            Loss and accuracy.

        Raises
        ------
        UnsupportedByEngine
            ``passes`` > 1 on a network whose passes cannot differ.
        """
        chip = modeled_chip(state.chip)
        self.check_passes(passes, chip.profile if chip is not None else None)
        if passes == 1:
            res = cross_entropy(self.predict(state, x, rng), y)
            return Evaluation(res.loss, res.n_correct / max(len(y), 1))
        rng = rng if rng is not None else np.random.default_rng(0)
        probs = np.mean([softmax(self.predict(state, x, rng)) for _ in range(passes)], axis=0)
        picked = np.maximum(probs[np.arange(len(y)), y], np.finfo(probs.dtype).tiny)
        return Evaluation(float(-np.mean(np.log(picked))), float(np.mean(probs.argmax(axis=1) == y)))

    def spike_trains(self, state: TrainState, x: np.ndarray) -> SpikeRecording | None:
        """The spikes of every population while inputs are shown (free phase, no learning).

        Parameters
        ----------
        state : TrainState
            The network.
        x : numpy.ndarray
            Inputs, shape (n, n_0).

        Returns
        -------
        SpikeRecording or None
            Spike counts per time step of every population, one dict per input; None for an engine without spikes.
        """
        return None

    def phase_recording(self, state: TrainState, x: np.ndarray, y: np.ndarray,
                        rng: np.random.Generator | None = None) -> PhaseRecording | None:
        """The first sample of ``x``, ``y`` shown as a training sample (free phase, noise windows, nudge) with its
        spikes and apical signals recorded; ``state`` is left as it was. None for an engine that cannot record it."""
        return None


PROBE_SCALE = 1e-4     # learning-rate factor of SpikingEngine.nudged_weight_changes


class SpikingEngine(Engine):
    """What the spiking engines (brian2, nengo; DESIGN.md section 4) share: their options
    (tpneuro.engines.spiking_options), the counts of their calls and the probes of the agreement suite.

    ``totals[kind]`` for kind in train, feedback, inference, probe holds ``{samples, simulated_seconds,
    wall_seconds, spikes: {population: n}, synaptic_events: {population: n}}`` summed since construction;
    ``last_counts`` the same of the last call, with ``fan_out`` (tpneuro.engines.spike_totals).
    """

    capabilities: ClassVar[EngineCapabilities] = EngineCapabilities(
        wirings=frozenset({"direct"}), feedback_maps=frozenset({"none", "linear", "nonlinear"}),
        feedback_trainings=frozenset({"fixed", "difference_reconstruction"}),
        nonlinear_feedback_trainings=frozenset({"fixed", "layer_reconstruction"}),
        feedback_activations=frozenset({"soft_lif"}), local_rules_only=True,
        needs_output_step=True, hidden_activations=frozenset({"soft_lif"}),
        output_activations=frozenset({"linear"}), uses_optimizers=False,
        why="the spiking mapping (LIF populations, a linear readout and an error pathway of synapses)")

    @property
    def dt(self) -> float:
        """The simulation time step in seconds."""
        return self.options.dt

    @classmethod
    def averages_passes(cls, profile):
        return False

    # -- probes of the engine-agreement suite ----------------------------------------------------------
    @abstractmethod
    def rates(self, state: TrainState, x: np.ndarray, *, dt: float | None = None) -> list[np.ndarray]:
        """The hidden layers' normalised rates, learning off.

        Spike count x tau_ref / window, counted over ``options.rate_window`` after ``options.settle``.

        Parameters
        ----------
        state : TrainState
            The network.
        x : numpy.ndarray
            Inputs, shape (n, n_0).
        dt : float, optional
            A time step other than the engine's.

        Returns
        -------
        list of numpy.ndarray
            One (n, n_i) array per hidden layer.
        """

    @abstractmethod
    def nudged_weight_change(self, state: TrainState, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """The change of every W_i after the free and nudged phases of the first sample (no noise phase).

        ``state`` is left as it was, and the probe is repeatable (fixed random streams).

        Parameters
        ----------
        state : TrainState
            The network.
        x, y : numpy.ndarray
            Inputs and labels; only the first row is shown.

        Returns
        -------
        dict
            ``{"W1": dW_1, ...}``.
        """

    def nudged_weight_changes(self, state: TrainState, x: np.ndarray, y: np.ndarray,
                              rng: np.random.Generator) -> dict[str, np.ndarray]:
        """The summed change of every W_i that the nudged phases of the samples ``x``, ``y`` make at the state's
        weights, per unit of the epoch's learning-rate factor: one training call (no noise phase) on a copy of
        the state whose learning rates are scaled by PROBE_SCALE = 1e-4, so that the weights move by 1e-4 of
        their online steps within the call, divided by PROBE_SCALE. No chip (its update grid would round the
        scaled changes away); ``state`` is left as it was."""
        probe = TrainState(state.spec, state.rule, {k: v.copy() for k, v in state.forward_params.items()},
                           {k: v.copy() for k, v in state.feedback_params.items()}, None, None,
                           lr_scale=PROBE_SCALE)
        train_totals = copy.deepcopy(self.totals.get("train"))
        self.train_batch(probe, x, y, rng, train_feedback=False)
        counts = self.last_counts                       # counted as a probe, not as training
        if train_totals is None:
            del self.totals["train"]
        else:
            self.totals["train"] = train_totals
        add_call_counts(self.totals, "probe", counts)
        return {k: (v - state.forward_params[k]) / PROBE_SCALE for k, v in probe.forward_params.items()
                if k.startswith("W")}

    def train_feedback(self, state: TrainState, x: np.ndarray, rng: np.random.Generator) -> None:
        """Noise phases on the samples ``x`` with forward plasticity off; Q_i updated in ``state``."""
        self.feedback_batch(state, x, rng)

    # -- call counts -----------------------------------------------------------------------------------
    def _record_call(self, counts: dict, kind: str, started: float) -> None:
        """Keep one call's ``counts`` (tpneuro.engines.spike_totals.call_counts) with its wall time since
        ``started`` as ``last_counts`` and add them to ``totals[kind]``."""
        counts["wall_seconds"] = time.perf_counter() - started
        self.last_counts = counts
        add_call_counts(self.totals, kind, counts)
