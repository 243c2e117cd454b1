"""Deploying trained networks onto modeled chips: seeded chip instances of a profile, and the comparison of every
profile for one run."""
from .chip_comparison import compare_chips
from .chip_deployment import Deployment, RunDeployer

__all__ = ["Deployment", "RunDeployer", "compare_chips"]
