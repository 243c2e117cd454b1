"""Deploy trained weights onto modeled chips: several seeded chip instances of a profile, each with its
own frozen mismatch, weights rounded onto its grid, its units and noise in every pass."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import load_config
from .config.experiment import HardwareConfig
from .engines.on_chip import place_on_chip
from .engines.rate_engine import RateEngine
from .hardware import check_design_rules, load_profile
from .network.loss import softmax
from .training.checkpoints import load_checkpoint
from .training.chip_setup import chip_for
from .training.energy_summary import energy_summary
from .training.results_files import CONFIG_FILE
from .training.trainer import build_state, load_data


@dataclass
class Deployment:
    """Test accuracy of each chip instance, their mean and standard deviation, operations and energy."""

    profile: str
    accuracies: list[float]
    energy: dict
    design_rule_violations: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.accuracies))


class RunDeployer:
    """Loads a run directory once and deploys its checkpoint onto any number of profiles."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.cfg = load_config(self.run_dir / CONFIG_FILE)
        self.data = load_data(self.cfg, str(self.run_dir / CONFIG_FILE))

    def _trained_state(self):
        state = build_state(self.cfg, self.data.input_size, self.data.n_classes, np.random.default_rng(0))
        load_checkpoint(self.run_dir, state)
        return state

    def deploy(self, profile_name: str, chips: int = 5, *, report_only: bool = False, passes: int = 1) -> Deployment:
        """Accuracy on the test set of ``chips`` instances (seeds 0..chips-1); ``passes`` > 1 averages the
        softmax over stochastic passes (stochastic units, Lee et al. 2015)."""
        profile = load_profile(profile_name)
        violations = check_design_rules(profile, self._trained_state().spec.layer_sizes, report_only=report_only)
        cfg = self.cfg.model_copy(update={"hardware": HardwareConfig(profile=profile_name, design_rules="report")})
        engine, accs = RateEngine(), []
        for seed in range(chips):
            state = self._trained_state()
            chip, _ = chip_for(cfg, state, seed=seed)
            rng = np.random.default_rng(seed)
            if chip is not None:
                place_on_chip(chip, state.forward_params, "forward", rng)
            state.chip = chip
            probs = np.mean([softmax(engine.predict(state, self.data.x_test, rng)) for _ in range(passes)], axis=0)
            accs.append(float(np.mean(probs.argmax(axis=1) == self.data.y_test)))
        return Deployment(profile.name, accs, energy_summary(cfg, self._trained_state(), profile),
                          [str(v) for v in violations])
