"""The grid a stored weight lives on: W = s * n with integer level n in [n_min, n_max]. Snapping runs on numpy and
jax.numpy arrays; the step may be a JAX scalar (a chip per network in a vmapped job)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..arrays import DrawSource, namespace
from .profile import WeightFormat
from .rounding import round_nearest, round_stochastic


@dataclass(frozen=True)
class WeightGrid:
    """Step s and the integer level range; n_min/n_max are -inf/inf for an unclipped grid."""

    step: float
    n_min: float
    n_max: float

    @property
    def lower(self) -> float:
        return self.step * self.n_min

    @property
    def upper(self) -> float:
        return self.step * self.n_max

    def snap(self, x: np.ndarray, rounding: str, rng: DrawSource | None) -> np.ndarray:
        """Round x onto the grid (nearest or stochastic) and saturate at the range ends."""
        if rounding == "stochastic":
            if rng is None:
                raise ValueError("stochastic rounding needs a numpy Generator; pass rng")
            rounded = round_stochastic(x, self.step, rng)
        else:
            rounded = round_nearest(x, self.step)
        return namespace(rounded).clip(rounded, self.lower, self.upper)

    def contains(self, x: np.ndarray, tolerance: float = 1e-9) -> bool:
        """True when every entry is an integer multiple of the step (to ``tolerance`` levels) in range."""
        levels = np.asarray(x, dtype=np.float64) / self.step
        on_grid = np.all(np.abs(levels - np.rint(levels)) <= tolerance)
        in_range = np.all(levels >= self.n_min - tolerance) and np.all(levels <= self.n_max + tolerance)
        return bool(on_grid and in_range)


def level_range(weights: WeightFormat) -> tuple[int, int]:
    """Integer levels of ``bits`` stored bits: sign_bit -> +-(2^(b-1)-1) (symmetric, as nengo-loihi's
    discretize_weights clips mixed-sign weights), separate_sign -> +-(2^b-1), unsigned -> 0..2^b-1."""
    bits, sign = weights.bits.value, weights.sign.value
    if sign == "sign_bit":
        return -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
    if sign == "separate_sign":
        return -(2 ** bits - 1), 2 ** bits - 1
    return 0, 2 ** bits - 1


def grid_for(weights: WeightFormat, max_abs: float) -> WeightGrid:
    """s = max_abs / n_max, rounded up to a power of two for a shared-exponent format (so the range
    s * n_max still covers max_abs); the range is unbounded when clipping is 'none'."""
    if not max_abs > 0:
        raise ValueError(f"max_abs must be positive, got {max_abs!r}")
    n_min, n_max = level_range(weights)
    step = max_abs / n_max
    if weights.power_of_two_step.value:
        step = 2.0 ** math.ceil(math.log2(step))
    if weights.clipping.value == "none":
        return WeightGrid(step, -math.inf, math.inf)
    return WeightGrid(step, n_min, n_max)
