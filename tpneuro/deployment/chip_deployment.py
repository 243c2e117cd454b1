"""Deploy trained weights onto modeled chips: several seeded chip instances of a profile, each with its
own frozen mismatch, weights rounded onto its grid, its units and noise in every pass."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.experiment import HardwareConfig
from ..engines.rate_engine import RateEngine
from ..hardware import check_design_rules, computation_changes, load_profile
from ..runs import load_run
from ..runs.chip_setup import chip_instance, put_on_chip
from ..training.energy_summary import energy_summary


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


class RunDeployer:
    """Loads a run directory once and deploys its checkpoint onto any number of profiles."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.run = load_run(self.run_dir)

    @property
    def cfg(self):
        return self.run.cfg

    @property
    def data(self):
        return self.run.data

    def deploy(self, profile_name: str, chips: int = 5, *, report_only: bool = False, passes: int = 1) -> Deployment:
        """Deploy the run's trained weights onto seeded chip instances of a profile.

        Each chip's ranges are calibrated to the trained weights and the forward weights put on its grid with rounding
        drawn from the instance's seed (0..chips-1); passes > 1 average the softmax over stochastic passes (stochastic
        units, Lee et al. 2015).

        Parameters
        ----------
        profile_name : str
            A profile name or YAML path.
        chips : int
            Chip instances.
        report_only : bool
            Report design-rule violations instead of refusing the network.
        passes : int
            Stochastic passes per test input.

        Returns
        -------
        Deployment
            Test accuracy per chip, the accuracy without a chip, what the chip changes, operations and energy, and the
            design-rule violations.
        """
        profile = load_profile(profile_name)
        trained = self.run.state
        violations = check_design_rules(profile, trained.spec.layer_sizes, report_only=report_only)
        cfg = self.cfg.model_copy(update={"hardware": HardwareConfig(profile=profile_name, design_rules="report")})
        if chips < 1 or passes < 1:
            raise ValueError(f"chips and passes must be at least 1, got chips={chips}, passes={passes}")
        engine, accs = RateEngine(), []
        baseline = engine.evaluate(trained, self.data.x_test, self.data.y_test).accuracy
        for seed in range(chips):
            state = copy.deepcopy(trained)
            rng = np.random.default_rng(seed)
            put_on_chip(state, chip_instance(profile, state, seed), rng, pathways=("forward",))
            accs.append(engine.evaluate(state, self.data.x_test, self.data.y_test, passes, rng).accuracy)
        return Deployment(profile.name, accs, energy_summary(cfg, trained, profile), [str(v) for v in violations],
                          baseline, computation_changes(profile))
