"""Training loop, checkpoints, run-directory files and plots."""
from .trainer import RunResult, Trainer, build_state, load_data, train

__all__ = ["RunResult", "Trainer", "build_state", "load_data", "train"]
