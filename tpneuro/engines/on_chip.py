"""Running the rate engine "on" a chip: the chip's units, mismatch and noise on every layer's activity,
and every stored weight on the chip's grid after each update (DESIGN.md section 5).

Weights W_i (forward) and Q_i (feedback) of layer i live on layer i's grid of the chip; biases and
fixed random matrices stay as they are. With no chip (or an ideal one) nothing here is called, so the
results are bit-identical to a run without a profile.
"""
from __future__ import annotations

import re

import numpy as np

from ..hardware import ChipInstance
from ..network.forward_pass import Transmit
from ..network.weights import Params
from ..optimizers import Optimizer

_LAYER_KEY = {"forward": re.compile(r"^W(\d+)$"), "feedback": re.compile(r"^Q(\d+)$")}


def chip_layers(params: Params, pathway: str) -> dict[str, int]:
    """The parameters the chip stores on a weight grid, with their layer index."""
    pattern = _LAYER_KEY[pathway]
    return {k: int(m.group(1)) for k in params if (m := pattern.match(k))}


def chip_transmit(chip: ChipInstance | None, rng: np.random.Generator) -> Transmit | None:
    """What each layer sends on the chip (None: the ideal substrate)."""
    if chip is None:
        return None
    return lambda h, layer: chip.activity(h, layer, rng)


def place_on_chip(chip: ChipInstance, params: Params, pathway: str, rng: np.random.Generator) -> None:
    """Quantize stored weights onto the chip's grid in place (at initialisation or deployment)."""
    for key, layer in chip_layers(params, pathway).items():
        params[key] = chip.quantize_weights(params[key], layer, rng, pathway).astype(params[key].dtype, copy=False)


def optimizer_step(optimizer: Optimizer, params: Params, grads: Params, chip: ChipInstance | None, pathway: str,
                   rng: np.random.Generator) -> None:
    """One optimizer step; on a chip each weight change dW is then stored as the chip can store it:
    W <- chip.apply_update(W_old, dW) (update resolution and rounding of the profile, weight grid)."""
    if chip is None:
        optimizer.step(params, grads)
        return
    layers = {k: i for k, i in chip_layers(params, pathway).items() if k in grads}
    old = {k: params[k].copy() for k in layers}
    optimizer.step(params, grads)
    for key, layer in layers.items():
        stored = chip.apply_update(old[key], params[key] - old[key], layer, rng, pathway)
        params[key] = stored.astype(old[key].dtype, copy=False)
