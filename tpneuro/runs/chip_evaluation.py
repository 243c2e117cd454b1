"""Accuracy of a trained network on seeded instances of a modeled chip, and the record of a deployment: the one
loop that ``tpneuro evaluate RUN --hardware`` (tpneuro.deployment) and the deployment of a NIR graph written by
tpneuro (tpneuro.interchange) share, so a run and its exported graph give the same accuracy on every profile."""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..engines.rate_engine import RateEngine
from ..engines.train_state import TrainState
from ..hardware import DesignRuleViolation, HardwareProfile, computation_changes
from .chip_setup import chip_instance, put_on_chip


@dataclass
class Deployment:
    """Test accuracy of each chip instance, their mean and standard deviation, the trained weights' own accuracy
    without a chip (the baseline), what the chip changes in the arithmetic, operations and energy."""

    profile: str
    accuracies: list[float]
    energy: dict
    design_rule_violations: list[str] = field(default_factory=list)
    baseline_accuracy: float = float("nan")
    changes: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.accuracies))


def deploy_state(trained: TrainState, profile: HardwareProfile, chips: int, x: np.ndarray, y: np.ndarray, *,
                 passes: int = 1, energy: dict, violations: Sequence[DesignRuleViolation] = ()) -> Deployment:
    """Accuracy on (x, y) of ``chips`` instances of ``profile`` (seeds 0..chips-1): each chip's ranges calibrated
    to the trained weights, the forward weights put on its grid with rounding drawn from the instance's seed, the
    rate engine with the chip's units, mismatch and noise; ``passes`` > 1 averages the softmax over stochastic
    passes (stochastic units, Lee et al. 2015). ``energy`` and ``violations`` go into the record as given."""
    if chips < 1 or passes < 1:
        raise ValueError(f"chips and passes must be at least 1, got chips={chips}, passes={passes}")
    engine, accs = RateEngine(), []
    baseline = engine.evaluate(trained, x, y).accuracy
    for seed in range(chips):
        state = copy.deepcopy(trained)
        rng = np.random.default_rng(seed)
        put_on_chip(state, chip_instance(profile, state, seed), rng, pathways=("forward",))
        accs.append(engine.evaluate(state, x, y, passes, rng).accuracy)
    return Deployment(profile.name, accs, energy, [str(v) for v in violations], baseline, computation_changes(profile))
