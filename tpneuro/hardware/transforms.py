"""Small pure transforms ``(x, rng) -> x'`` composed left to right, in the spirit of optax's ``chain``.

A chip instance turns its profile into one chain per layer, e.g. for activities
``chain(affine(gain, offset), gaussian_noise(sigma), unit)``; parts the profile does not need are
left out, so the chain of an ideal profile is empty and returns its input object unchanged. The transforms run on
numpy and jax.numpy arrays (tpneuro.arrays); ``rng`` is any source of draws with the interface of numpy's
Generator (tpneuro.arrays.DrawSource).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..arrays import DrawSource, float64_array

Transform = Callable[[np.ndarray, "DrawSource | None"], np.ndarray]


def chain(*transforms: Transform) -> Transform:
    """Apply ``transforms`` in order; ``chain()`` is the identity and returns x itself."""
    steps = tuple(transforms)

    def chained(x: np.ndarray, rng: DrawSource | None) -> np.ndarray:
        for step in steps:
            x = step(x, rng)
        return x

    return chained


def affine(gain: np.ndarray | None, offset: np.ndarray | None) -> Transform:
    """x -> gain * x + offset along the last axis (the units); None leaves that part out."""

    def apply(x: np.ndarray, rng: DrawSource | None) -> np.ndarray:
        _, out = float64_array(x)
        if gain is not None:
            out = out * gain
        if offset is not None:
            out = out + offset
        return out

    return apply


def gaussian_noise(sigma: float) -> Transform:
    """x -> x + sigma * xi, xi ~ N(0, 1) drawn fresh on every call (per-trial noise)."""

    def apply(x: np.ndarray, rng: DrawSource | None) -> np.ndarray:
        _, x = float64_array(x)
        return x + sigma * require_rng(rng, "per-trial noise").standard_normal(x.shape)

    return apply


def require_rng(rng: DrawSource | None, what: str) -> DrawSource:
    """The generator, or a ValueError saying which transform needs one."""
    if rng is None:
        raise ValueError(f"{what} draws random numbers; pass a numpy Generator as rng")
    return rng
