"""Stop a run the moment it diverges, before anything bad is written: a non-finite loss or weight, a minibatch
loss above ``training.divergence.max_loss``, an epoch's training loss ``growth`` times the lowest of the previous
``window`` epochs, or a reconstruction loss above ``max_reconstruction_loss``. The message names the bound, the
learning rate to lower, and the numeric warnings numpy gave on the way (folded into it instead of printed)."""
from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ..config.experiment import DivergenceConfig
from ..errors import DivergedError

LearningRate = tuple[str, float]      # the config field of the run's learning rate, and its value


class DivergenceGuard:
    """The checks of one run; ``numeric_warnings`` counts numpy's RuntimeWarnings caught while training."""

    def __init__(self, bounds: DivergenceConfig, lr: LearningRate):
        self.bounds, self.lr = bounds, lr
        self.numeric_warnings: Counter[str] = Counter()

    @contextmanager
    def catching_numeric_warnings(self) -> Iterator[None]:
        """Collect numpy's RuntimeWarnings (overflow, invalid value) of the block instead of printing them; other
        warnings are shown as usual."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                yield
            finally:
                for w in caught:
                    if issubclass(w.category, RuntimeWarning):
                        self.numeric_warnings[str(w.message)] += 1
                    else:
                        warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    def warnings_note(self) -> str:
        """'numpy warned N times (overflow encountered in matmul, ...)', or ''."""
        if not self.numeric_warnings:
            return ""
        kinds = ", ".join(self.numeric_warnings)
        return f"numpy warned {sum(self.numeric_warnings.values())} times ({kinds})"

    def _diverged(self, where: str, problem: str, epochs_done: int) -> DivergedError:
        note = self.warnings_note()
        return DivergedError(f"training diverged at {where}: {problem}; the run directory keeps epoch {epochs_done}"
                             + (f"; {note}" if note else "") + f"; fix: lower {self.lr[0]} (now {self.lr[1]:g}) "
                             "or the rule's beta")

    def check_batch(self, loss: float, epoch: int, batch: int) -> None:
        where = f"epoch {epoch}, batch {batch}"
        if not math.isfinite(loss):
            raise self._diverged(where, f"the loss is {loss}", epoch - 1)
        if self.bounds.max_loss is not None and loss > self.bounds.max_loss:
            raise self._diverged(where, f"the loss {loss:.4g} exceeds training.divergence.max_loss = "
                                 f"{self.bounds.max_loss:g}", epoch - 1)

    def check_epoch(self, row: dict, history: list[dict], params: dict[str, np.ndarray]) -> None:
        """After an epoch's training (``row``), before it is saved; ``history`` holds the finished epochs."""
        epoch = row["epoch"]
        for key, value in params.items():
            if not np.all(np.isfinite(value)):
                raise self._diverged(f"epoch {epoch}", f"parameter {key} is not finite", epoch - 1)
        recent = [r["train_loss"] for r in history[-self.bounds.window:]]
        if self.bounds.growth is not None and recent and row["train_loss"] > self.bounds.growth * min(recent):
            raise self._diverged(f"epoch {epoch}", f"the training loss {row['train_loss']:.4g} is more than "
                                 f"training.divergence.growth = {self.bounds.growth:g} times the lowest of the "
                                 f"previous {len(recent)} epochs ({min(recent):.4g})", epoch - 1)
        rec = row.get("reconstruction_loss", float("nan"))
        if self.bounds.max_reconstruction_loss is not None and rec > self.bounds.max_reconstruction_loss:
            raise self._diverged(f"epoch {epoch}", f"the reconstruction loss {rec:.4g} exceeds "
                                 f"training.divergence.max_reconstruction_loss = "
                                 f"{self.bounds.max_reconstruction_loss:g}", epoch - 1)
