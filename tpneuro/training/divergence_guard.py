"""Stop a run the moment it produces a non-finite loss or weight, before anything bad is written."""
from __future__ import annotations

import math

import numpy as np

from ..errors import DivergedError


LearningRate = tuple[str, float]      # the config field of the run's learning rate, and its value


def check_loss(loss: float, epoch: int, batch: int, lr: LearningRate) -> None:
    if not math.isfinite(loss):
        raise DivergedError(
            f"training diverged at epoch {epoch}, batch {batch}: loss is {loss}; the run directory keeps "
            f"the last finished epoch; fix: lower {lr[0]} (now {lr[1]:g}) or the rule's beta")


def check_params(params: dict[str, np.ndarray], epoch: int, lr: LearningRate) -> None:
    for key, value in params.items():
        if not np.all(np.isfinite(value)):
            raise DivergedError(f"training diverged at epoch {epoch}: parameter {key} is not finite; "
                                f"fix: lower {lr[0]} (now {lr[1]:g}) or the rule's beta")
