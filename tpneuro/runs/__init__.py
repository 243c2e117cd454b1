"""Runs: the preflight that checks a config before any data are read, the assembly of a run (data, engine,
state, chip, random streams), the run directory and its checkpoint, and reloading a finished run."""
from .assembly import AssembledRun, assemble, build_state, load_data, make_optimizer
from .checkpoints import CHECKPOINT_FILE, Checkpoint, load_checkpoint, save_checkpoint
from .loading import LoadedRun, evaluate_run, load_run
from .preflight import RunPlan, preflight
from .run_directory import CONFIG_FILE, RunDirectory

__all__ = ["AssembledRun", "CHECKPOINT_FILE", "CONFIG_FILE", "Checkpoint", "LoadedRun", "RunDirectory", "RunPlan",
           "assemble", "build_state", "evaluate_run", "load_checkpoint", "load_data", "load_run", "make_optimizer",
           "preflight", "save_checkpoint"]
