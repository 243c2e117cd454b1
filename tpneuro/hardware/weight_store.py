"""Plastic weights stored the way a chip's learning engine stores them, for engines whose plasticity runs
inside a simulation (the nengo engine's learning rules hold one per plastic matrix).

A spiking rule produces a small weight change every time step. A chip does not write each of them: its
learning engine accumulates the change of a learning epoch and then writes one update per synapse
(Loihi: weights change once per learning epoch of 2^k time steps, Davies et al. 2018, IEEE Micro 38(1)).
Here a learning epoch is one gated plasticity window (the nudged phase of a sample, one noise window):

    dW = sum over the window's steps of delta_t,      W <- chip.apply_update(W, dW, layer, rng, pathway),

with the profile's update resolution, clipping and nearest or stochastic rounding onto the weight grid
(tpneuro.hardware.weight_updates.updated_weights). With no chip the change is applied as it is.
"""
from __future__ import annotations

import numpy as np

from .chip_instance import ChipInstance


class ChipWeightStore:
    """One plastic weight matrix of layer ``layer`` on ``pathway`` ('forward' W_i, 'feedback' Q_i).

    ``rng`` draws the stochastic rounding; the engine sets it before every call that learns, so the
    rounding comes from the same seeded stream as the rest of the call (and resumes with it).
    """

    def __init__(self, chip: ChipInstance, layer: int, pathway: str):
        self.chip, self.layer, self.pathway = chip, int(layer), pathway
        self.rng: np.random.Generator = np.random.default_rng(0)
        self.commits = 0                      # learning epochs written so far (one update per synapse each)

    def commit(self, W: np.ndarray, dW: np.ndarray) -> np.ndarray:
        """The stored weights after the learning epoch's accumulated change ``dW``."""
        self.commits += 1
        return self.chip.apply_update(W, dW, self.layer, self.rng, self.pathway)
