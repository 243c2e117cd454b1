"""Where a network's parameters meet a chip: the weight matrices it stores on a grid, by layer index.

A network hands the chip a mapping ``{parameter key: layer index i}`` per pathway (forward W_i from the network,
feedback Q_i from the rule's ``feedback_weight_layers``); biases and fixed random matrices not in it stay in
float. The chip then

- sets each stored matrix's per-layer range from the weights it maps (:func:`calibrated_to`, a compiler choosing
  a layer's scale),
- puts the matrices on its grid at initialisation or deployment (:func:`place_on_grid`),
- stores every later change as its learning engine would (:func:`store_changes`: update resolution, rounding,
  grid; DESIGN.md section 5).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..arrays import DrawSource, namespace
from .chip_instance import ChipInstance

LayerIndex = Mapping[str, int]


def calibrated_to(chip: ChipInstance, params: Mapping[str, np.ndarray], layers: LayerIndex,
                  pathway: str) -> ChipInstance:
    """``chip`` with the weight range of every layer in ``layers`` set from max |W| of its stored matrix."""
    if not layers:
        return chip
    return chip.calibrated({layer: params[key] for key, layer in layers.items()}, pathway)


def place_on_grid(chip: ChipInstance, params: dict[str, np.ndarray], layers: LayerIndex, pathway: str,
                  rng: np.random.Generator) -> None:
    """Quantize the stored matrices of ``params`` onto the chip's grid, in place, keeping their dtypes."""
    for key, layer in layers.items():
        params[key] = chip.quantize_weights(params[key], layer, rng, pathway).astype(params[key].dtype, copy=False)


def store_changes(chip: ChipInstance, before: Mapping[str, np.ndarray], params: dict[str, np.ndarray],
                  layers: LayerIndex, pathway: str, rng: DrawSource) -> None:
    """Each stored matrix that changed from ``before[key]`` to ``params[key]`` written as the chip stores a
    change: W <- chip.apply_update(W_before, W - W_before), replaced in ``params`` (numpy or jax.numpy arrays)."""
    for key, old in before.items():
        stored = chip.apply_update(old, params[key] - old, layers[key], rng, pathway)
        params[key] = namespace(stored).astype(stored, old.dtype, copy=False)
