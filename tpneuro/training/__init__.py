"""The training loop (schedule, evaluation, diagnostics, checkpoints each epoch), run summaries and plots."""
from .trainer import RunResult, Trainer, train

__all__ = ["RunResult", "Trainer", "train"]
