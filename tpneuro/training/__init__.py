"""The training loop (schedule, evaluation, diagnostics, checkpoints each epoch), run summaries and plots."""
from .trainer import RunResult, Trainer, run_together, train, train_together

__all__ = ["RunResult", "Trainer", "run_together", "train", "train_together"]
