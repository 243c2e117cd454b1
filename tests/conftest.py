"""Shared fixtures: small networks and a fixed-noise stand-in for numpy's Generator."""
from __future__ import annotations

import numpy as np
import pytest

from tpneuro.network import NetworkSpec, forward, init_forward_params


class FixedNoise:
    """Stands in for np.random.Generator: standard_normal returns pre-drawn arrays in call order,
    so a stochastic loss becomes a deterministic function that finite differences can probe."""

    def __init__(self, seed: int):
        self._rng = np.random.default_rng(seed)
        self._drawn: list[np.ndarray] = []
        self._next = 0

    def rewind(self):
        self._next = 0

    def standard_normal(self, shape, dtype=np.float64):
        if self._next == len(self._drawn):
            self._drawn.append(self._rng.standard_normal(shape).astype(dtype))
        out = self._drawn[self._next]
        self._next += 1
        return out.copy()


@pytest.fixture
def small_net():
    """A 6-8-7-4 tanh network with a batch of 5 inputs and labels."""
    spec = NetworkSpec((6, 8, 7, 4), "tanh")
    rng = np.random.default_rng(1)
    fwd = init_forward_params(spec, rng)
    for k in fwd:
        if k.startswith("b"):
            fwd[k] = 0.1 * rng.standard_normal(fwd[k].shape)
    x = rng.random((5, 6))
    y = rng.integers(0, 4, 5)
    return spec, fwd, x, y, forward(spec, fwd, x)
