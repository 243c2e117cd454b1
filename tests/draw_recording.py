"""Feeding two engines the same random draws: record a numpy Generator's draws in call order, then replay them,
in the same order, as arrays of another namespace (DESIGN.md section 8: "for agreement tests, feed both the same
draws"). Both classes have the two methods the shared arithmetic calls (tpneuro.arrays.DrawSource)."""
from __future__ import annotations

import numpy as np


class RecordingDraws:
    """Draws from ``rng``, kept as (kind, array) in call order."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.drawn: list[tuple[str, np.ndarray]] = []

    def standard_normal(self, size, dtype=np.float64):
        out = self.rng.standard_normal(size, dtype=dtype)
        self.drawn.append(("normal", out))
        return out

    def random(self, size, dtype=np.float64):
        out = self.rng.random(size, dtype=dtype)
        self.drawn.append(("uniform", out))
        return out


class ReplayDraws:
    """The draws of a RecordingDraws again, converted by ``asarray``; a call that asks for another kind, shape or
    dtype than was recorded at that position fails (the two engines then draw in a different order)."""

    def __init__(self, drawn: list[tuple[str, np.ndarray]], asarray):
        self.drawn, self.asarray, self.next = drawn, asarray, 0

    def _take(self, kind, size, dtype):
        if self.next >= len(self.drawn):
            raise AssertionError(f"draw {self.next + 1} ({kind} {tuple(size)}) was never recorded")
        got_kind, array = self.drawn[self.next]
        if (got_kind, array.shape, array.dtype) != (kind, tuple(size), np.dtype(dtype)):
            raise AssertionError(f"draw {self.next + 1}: asked for {kind} {tuple(size)} {np.dtype(dtype)}, recorded "
                                 f"{got_kind} {array.shape} {array.dtype}")
        self.next += 1
        return self.asarray(array)

    def standard_normal(self, size, dtype=np.float64):
        return self._take("normal", size, dtype)

    def random(self, size, dtype=np.float64):
        return self._take("uniform", size, dtype)

    @property
    def all_used(self) -> bool:
        return self.next == len(self.drawn)
