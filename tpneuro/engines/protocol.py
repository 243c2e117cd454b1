"""The engine protocol: what the training loop asks of any engine (rate, brian2, nengo)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from .train_state import TrainState


@dataclass(frozen=True)
class BatchResult:
    """Mean training loss and number correct of one minibatch, and the feedback loss if trained."""

    loss: float
    n_correct: int
    reconstruction_loss: float = float("nan")


@dataclass(frozen=True)
class Evaluation:
    loss: float
    accuracy: float


class Engine(Protocol):
    name: ClassVar[str]

    def check_supported(self, state: TrainState) -> None:
        """Raise UnsupportedByEngine naming why (and which engine can) before any expensive work."""

    def train_batch(self, state: TrainState, x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                    train_feedback: bool) -> BatchResult:
        """Forward pass, rule updates, one feedback step (if ``train_feedback``), forward optimizer step."""

    def feedback_batch(self, state: TrainState, x: np.ndarray, rng: np.random.Generator) -> float:
        """One feedback-only step (pre-training and extra feedback epochs); returns the feedback loss."""

    def evaluate(self, state: TrainState, x: np.ndarray, y: np.ndarray) -> Evaluation:
        """Mean loss and accuracy on a dataset, no learning."""


class SpikingEngine(Engine, Protocol):
    """What the trainer also reads of a spiking engine (brian2, nengo): its settings, its own counts and
    spike trains. ``totals[kind]`` for kind in train, feedback, inference, probe holds ``{samples,
    simulated_seconds, wall_seconds, spikes: {population: n}, synaptic_events: {population: n}}`` summed
    since construction (see tpneuro.training.spiking_summary)."""

    options: object            # a dataclass with at least ``dt`` (s)
    totals: dict[str, dict]

    def spike_trains(self, state: TrainState, x: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Per input row, spike counts per time step, shape (steps, neurons), of every population during its
        free phase; no learning."""
