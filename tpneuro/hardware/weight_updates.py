"""A weight change dW applied the way a chip's learning engine does: clipped, rounded, on the grid (numpy or
jax.numpy arrays)."""
from __future__ import annotations

import numpy as np

from ..arrays import DrawSource, float64_array
from .profile import UpdateFormat
from .weight_grid import WeightGrid


def updated_weights(W: np.ndarray, dW: np.ndarray, grid: WeightGrid, updates: UpdateFormat,
                    rng: DrawSource | None) -> np.ndarray:
    """W' = s * clip(R((W + dW_c) / s)) with R nearest or stochastic rounding.

    dW_c is dW truncated towards zero to a resolution of s / 2^f (f = ``fraction_bits``: the fraction
    bits the update accumulator keeps below one weight step) and clipped to +-(2^bits - 1) s / 2^f
    (``bits`` includes f). Neither applies when the field is not set. For W on the grid, nearest
    rounding drops every ``|dW| < s/2`` (the weight never moves); stochastic rounding moves it one step
    with probability ``|dW_c| / s``, so E[W'] = W + dW_c (Gupta et al. 2015) and only changes below
    s / 2^f are lost.
    """
    xp, change = float64_array(dW)
    fraction_bits = 0 if updates.fraction_bits is None else updates.fraction_bits.value
    resolution = grid.step / 2.0 ** fraction_bits
    if updates.fraction_bits is not None:
        change = resolution * xp.trunc(change / resolution)
    if updates.bits is not None:
        limit = (2 ** updates.bits.value - 1) * resolution
        change = xp.clip(change, -limit, limit)
    return grid.snap(float64_array(W)[1] + change, updates.rounding.value, rng)
