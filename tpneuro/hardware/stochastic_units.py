"""Unit outputs shared by hardware profiles and the Lee et al. (2015) stochastic and discrete networks.

* Stochastic binary: h_bar = Bern(h), 1 with probability h (Lee, Zhang, Fischer & Bengio 2015,
  "Difference target propagation", stochastic network: h_bar_2 = Bern(h_2)); TrueNorth neurons offer the same
  stochastic output mode (Cassidy et al. 2013, IJCNN).
* Sign: sign(h) in {-1, +1} (Lee et al. 2015, discrete network, layer-2 input sign(h_1)).
* Quantized: h rounded to 2^b levels over [lo, hi] (e.g. Akida's 1, 2 or 4 bit activations).

On numpy and jax.numpy arrays (tpneuro.arrays); the outputs are float64.
"""
from __future__ import annotations

import numpy as np

from ..arrays import DrawSource, float64_array
from .profile import UnitModel
from .rounding import round_nearest
from .transforms import Transform, require_rng


def stochastic_binary(rate: np.ndarray, rng: DrawSource) -> np.ndarray:
    """h_bar = Bern(clip(h, 0, 1)): 1.0 where u < h for u ~ U[0, 1), else 0.0; E[h_bar] = clip(h, 0, 1)."""
    xp, rate = float64_array(rate)
    p = xp.clip(rate, 0.0, 1.0)
    return xp.astype(rng.random(p.shape) < p, xp.float64)


def stochastic_binary_straight_through(rate: np.ndarray) -> np.ndarray:
    """Straight-through derivative d h_bar / d h used to backpropagate through Bern(h).

    The sample has no useful derivative, so the estimator uses the derivative of its mean,
    d E[h_bar] / d h = d clip(h, 0, 1) / d h: 1 inside (0, 1) and 0 where the rate is clipped
    (straight-through estimator, Bengio, Leonard & Courville 2013, arXiv 1308.3432). For sigmoid rates
    this is 1 everywhere, the plain straight-through baseline of Lee et al. 2015.
    """
    h = np.asarray(rate, dtype=np.float64)
    return ((h > 0.0) & (h < 1.0)).astype(np.float64)


def sign_unit(h: np.ndarray) -> np.ndarray:
    """sign(h) in {-1, +1}, with sign(0) = +1 so the output is always binary. Its derivative is 0
    almost everywhere: backpropagation through it gives lower layers no signal (Lee et al. 2015)."""
    xp, h = float64_array(h)
    return xp.astype(xp.where(h >= 0.0, 1.0, -1.0), xp.float64)


def quantized_unit(h: np.ndarray, bits: int, lo: float, hi: float) -> np.ndarray:
    """lo + s * rint((clip(h, lo, hi) - lo) / s) with s = (hi - lo) / (2^bits - 1): 2^bits levels."""
    xp, h = float64_array(h)
    step = (hi - lo) / (2 ** bits - 1)
    clipped = xp.clip(h, lo, hi)
    return xp.clip(lo + round_nearest(clipped - lo, step), lo, hi)


def unit_transform(units: UnitModel) -> Transform | None:
    """The transform of a profile's unit kind, or None for deterministic units (no change)."""
    kind = units.kind.value
    if kind == "stochastic_binary":
        return lambda h, rng: stochastic_binary(h, require_rng(rng, "a stochastic binary unit"))
    if kind == "sign":
        return lambda h, rng: sign_unit(h)
    if kind == "quantized":
        bits, lo, hi = units.activation_bits.value, units.activation_min.value, units.activation_max.value
        return lambda h, rng: quantized_unit(h, bits, lo, hi)
    return None
