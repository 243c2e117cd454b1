"""Experiment sweeps: grids and random searches of configs run as Ray tasks, with tables and a report."""
from .sweep_runner import SweepResult, plan_sweep, run_sweep
from .sweep_spec import SweepSpec, load_sweep_spec, parse_sweep_spec

__all__ = ["SweepResult", "SweepSpec", "load_sweep_spec", "parse_sweep_spec", "plan_sweep", "run_sweep"]
