"""Fixed-pattern mismatch: the gains and offsets of one physical chip, frozen by its seed.

Analog chips differ unit by unit in a way that stays fixed for a given chip (Rockpool's "frozen"
mismatch, e.g. ~10 % sigma on DYNAP-SE parameters); per-trial noise is separate and drawn on every
call (:func:`tpneuro.hardware.transforms.gaussian_noise`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .profile import NoiseModel


@dataclass(frozen=True)
class FixedPatternMismatch:
    """gain = 1 + sigma_g * z and offset = sigma_o * z' per unit of layers 1..L, z, z' ~ N(0, 1).

    Layer i draws from ``default_rng([seed, i, 0])`` (gains) and ``default_rng([seed, i, 1])``
    (offsets), so a layer's pattern depends only on the seed, the layer and its size. Entries are None
    where the sigma is 0. Arrays are read-only.
    """

    gains: tuple[np.ndarray | None, ...]
    offsets: tuple[np.ndarray | None, ...]

    @classmethod
    def draw(cls, noise: NoiseModel, layer_sizes: tuple[int, ...], seed: int) -> FixedPatternMismatch:
        sizes = list(enumerate(layer_sizes[1:], start=1))
        gains = tuple(_frozen_pattern(noise.gain_mismatch_sigma.value, 1.0, seed, i, 0, n) for i, n in sizes)
        offsets = tuple(_frozen_pattern(noise.offset_mismatch_sigma.value, 0.0, seed, i, 1, n) for i, n in sizes)
        return cls(gains, offsets)

    def layer(self, i: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(gain, offset) of layer i in 1..L."""
        return self.gains[i - 1], self.offsets[i - 1]


def _frozen_pattern(sigma: float, center: float, seed: int, layer: int, stream: int,
                    n_units: int) -> np.ndarray | None:
    if sigma == 0.0:
        return None
    pattern = center + sigma * np.random.default_rng([seed, layer, stream]).standard_normal(n_units)
    pattern.setflags(write=False)
    return pattern
