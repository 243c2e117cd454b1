"""A chip's activity noise and offset mismatch in the spiking network, in the profile's activity units.

The rate engine sends h_i' = h_i + o_i + sigma xi_i on from every layer i in 1..L (ChipInstance.activity:
frozen offset o_i, fresh xi_i ~ N(0, 1) per forward pass; DESIGN.md section 5). A spiking population cannot
add a constant to its own spike train, but what the next layer receives is linear in it:

    J_{i+1} = W_{i+1} h_i' + b_{i+1} = W_{i+1} h_i + b_{i+1} + W_{i+1} (o_i + sigma xi_i),

so the last term is injected as a current into layer i+1 (for the output layer L, o_L + sigma xi_L is added
to the readout as well). xi is drawn once per presented sample and held through its phases, with the
weights of the sample's start, as the rate engine draws one noise sample per forward pass. The rules'
presynaptic traces stay the neurons' own rates h_i, as the rate engine's rules use h_i (not h_i').
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...hardware import ChipInstance


class ChipActivityNoise:
    """Per-sample currents c_1..c_L (c_1 = 0: the input layer is noise-free) for a chip's offsets and noise."""

    def __init__(self, chip: ChipInstance):
        self.sizes = chip.layer_sizes
        self.sigma = chip.profile.noise.activity_sigma.value
        self.offsets = [chip.mismatch.layer(i)[1] for i in range(1, chip.n_layers + 1)]

    @property
    def active(self) -> bool:
        return self.sigma > 0.0 or any(o is not None for o in self.offsets)

    def deviations(self, rng: np.random.Generator) -> list[np.ndarray]:
        """o_i + sigma xi_i for layers 1..L (xi fresh from ``rng``)."""
        out = []
        for i, offset in enumerate(self.offsets, start=1):
            d = self.sigma * rng.standard_normal(self.sizes[i]) if self.sigma > 0.0 else np.zeros(self.sizes[i])
            out.append(d if offset is None else d + offset)
        return out

    def currents(self, rng: np.random.Generator, weight: Callable[[int], np.ndarray]) -> list[np.ndarray]:
        """c_i = W_i d_{i-1} for i = 1..L (d_0 = 0), plus d_L on the output readout; ``weight(i)`` is W_i now."""
        d = self.deviations(rng)
        L = len(self.sizes) - 1
        out = [np.zeros(self.sizes[1])] + [weight(i) @ d[i - 2] for i in range(2, L + 1)]
        out[-1] = out[-1] + d[-1]
        return out
