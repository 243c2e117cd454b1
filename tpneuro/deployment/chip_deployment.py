"""Deploy trained weights onto modeled chips: several seeded chip instances of a profile, each with its
own frozen mismatch, weights rounded onto its grid, its units and noise in every pass."""
from __future__ import annotations

from pathlib import Path

from ..config.experiment import HardwareConfig
from ..hardware import check_design_rules, load_profile
from ..runs import load_run
from ..runs.chip_evaluation import Deployment, deploy_state
from ..training.energy_summary import energy_summary

__all__ = ["Deployment", "RunDeployer"]


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
        return deploy_state(trained, profile, chips, self.data.x_test, self.data.y_test, passes=passes,
                            energy=energy_summary(cfg, trained, profile), violations=violations)
