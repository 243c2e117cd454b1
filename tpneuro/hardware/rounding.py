"""Rounding onto a grid of step s: nearest, stochastic, and a learning rate rounded to a few mantissa bits.

Stochastic rounding (Gupta et al. 2015, "Deep learning with limited numerical precision", ICML)
rounds up with probability equal to the fractional part, so it is unbiased: E[q] = x. That is what
lets weight changes smaller than one step survive on average. Nearest and stochastic rounding run on numpy and
jax.numpy arrays (tpneuro.arrays), with a step that may itself be an array (one chip per network in a vmapped job).
"""
from __future__ import annotations

import numpy as np

from ..arrays import DrawSource, float64_array


def round_nearest(x: np.ndarray, step: float) -> np.ndarray:
    """q = s * rint(x / s), the nearest grid point; exact ties go to the even multiple of s (IEEE 754
    round-half-even, numpy.rint), so ties are unbiased too. Idempotent: round_nearest(q, s) == q."""
    _check_step(step)
    xp, x = float64_array(x)
    return step * xp.round(x / step)


def round_stochastic(x: np.ndarray, step: float, rng: DrawSource) -> np.ndarray:
    """q = s * floor(x / s + u) with u ~ U[0, 1): rounds up with probability frac(x / s), so E[q] = x.
    Idempotent on the grid, since floor(k + u) = k for integer k."""
    _check_step(step)
    xp, x = float64_array(x)
    scaled = x / step
    return step * xp.floor(scaled + rng.random(scaled.shape))


def round_mantissa(value: float, bits: int) -> float:
    """value rounded to ``bits`` significant bits: k * 2^e with 2^(bits-1) <= k <= 2^bits (sign kept).

    With value = m * 2^e, m in [1, 2): k = rint(m * 2^(bits-1)), result k * 2^(e - bits + 1); e.g.
    0.3 = 1.2 * 2^-2 becomes 0.25 with 1 bit (a power of two) and 0.3125 = 1.25 * 2^-2 with 3 bits.
    This is how a learning rate is stored as an integer mantissa and an exponent (nengo-loihi,
    builder/discretize.py: 3 mantissa bits).
    """
    if bits < 1:
        raise ValueError(f"bits must be >= 1, got {bits}")
    if value == 0.0:
        return 0.0
    fraction, exponent = np.frexp(abs(value))       # abs(value) = fraction * 2^exponent, fraction in [0.5, 1)
    mantissa = np.rint(np.ldexp(fraction, bits))     # = rint(m * 2^(bits-1)) with m = 2 * fraction
    return float(np.copysign(np.ldexp(mantissa, exponent - bits), value))


def _check_step(step) -> None:
    """A step given as a number must be positive (an array of steps comes from grids that checked theirs)."""
    if isinstance(step, (int, float)) and not step > 0:
        raise ValueError(f"the grid step must be positive, got {step!r}")
