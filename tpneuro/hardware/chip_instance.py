"""One physical chip of a profile: its weight grids, its frozen mismatch, and the transforms it applies.

Layers are numbered as in W_i h_{i-1} (Meulemans et al. 2020): weights and activities belong to layer
i in 1..L, and layer 0 is the input (no units, no mismatch). The same index names a layer's feedback
weights (pathway='feedback', e.g. Q_i mapping layer i back to layer i-1).

The transforms run on numpy and on jax.numpy arrays, with any source of draws that has numpy Generator's
``standard_normal`` and ``random`` (tpneuro.arrays.DrawSource). The numbers that differ from chip to chip of one
profile (frozen gains and offsets, weight-grid steps) are :meth:`ChipInstance.numbers`; a compiled engine that runs
several chips at once passes them back in as arrays with :meth:`ChipInstance.with_numbers`.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from ..arrays import DrawSource
from .noise import FixedPatternMismatch
from .profile import PATHWAYS, HardwareProfile, UpdateFormat
from .rounding import round_mantissa
from .stochastic_units import unit_transform
from .transforms import Transform, affine, chain, gaussian_noise
from .weight_grid import WeightGrid, grid_for
from .weight_updates import updated_weights


class ChipInstance:
    """One seeded chip of a profile for a network with ``layer_sizes`` (n_0, ..., n_L): its weight grids, its frozen
    mismatch, and the transforms it applies to weights, updates and activities.

    When the profile changes nothing (:attr:`is_ideal`), every method returns its input unchanged
    (``apply_update`` returns W + dW).

    Parameters
    ----------
    profile : HardwareProfile
        The chip's profile.
    layer_sizes : sequence of int
        (n_0, ..., n_L); layer 0 is the input.
    seed : int
        Draws the frozen gain and offset mismatch of this instance.
    weight_max_abs, feedback_weight_max_abs : sequence of float, optional
        One weight range per layer 1..L for formats with ``scale: per_layer`` (default: the profile's max_abs;
        see :meth:`calibrated`); keep them with a checkpoint to rebuild the same chip.
    """

    def __init__(self, profile: HardwareProfile, layer_sizes: Sequence[int], seed: int, *,
                 weight_max_abs: Sequence[float] | None = None,
                 feedback_weight_max_abs: Sequence[float] | None = None):
        self.profile = profile
        self.layer_sizes = _checked_sizes(layer_sizes)
        self.seed = int(seed)
        self.weight_max_abs = self._layer_ranges("forward", weight_max_abs)
        self.feedback_weight_max_abs = self._layer_ranges("feedback", feedback_weight_max_abs)
        self.mismatch = FixedPatternMismatch.draw(profile.noise, self.layer_sizes, self.seed)
        self._steps: dict[str, tuple] | None = None       # grid steps given by with_numbers
        self._activity = tuple(self._activity_chain(i) for i in range(1, self.n_layers + 1))

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    @property
    def is_ideal(self) -> bool:
        """True when the profile changes nothing (no weight grid, exact learning rate, deterministic
        units, no noise)."""
        return self.profile.changes_nothing

    def calibrated(self, weights: Sequence[np.ndarray] | Mapping[int, np.ndarray],
                   pathway: str = "forward") -> ChipInstance:
        """A chip with the same seed whose per-layer weight ranges are max|W_i| of the given weights
        (a sequence for layers 1.., or a mapping layer -> W). Layers not given, or all zero, keep their
        range. For a fixed-scale or float format the profile fixes the range and it stays as it is."""
        fmt = self.profile.weights_for(pathway)
        current = self._ranges_of(pathway)
        if fmt is None or fmt.scale.value == "fixed":
            return self
        by_layer = weights if isinstance(weights, Mapping) else dict(enumerate(weights, start=1))
        ranges = list(current)
        for layer, W in by_layer.items():
            self._check_layer(layer)
            peak = float(np.max(np.abs(W), initial=0.0))
            if peak > 0.0:
                ranges[layer - 1] = peak
        forward, feedback = ((ranges, self.feedback_weight_max_abs) if pathway == "forward"
                             else (self.weight_max_abs, ranges))
        return ChipInstance(self.profile, self.layer_sizes, self.seed, weight_max_abs=forward,
                            feedback_weight_max_abs=feedback)

    def weight_grid(self, layer: int, pathway: str = "forward") -> WeightGrid | None:
        """The grid of layer ``layer``'s weights on ``pathway``, or None for float weights."""
        self._check_layer(layer)
        fmt = self.profile.weights_for(pathway)
        if fmt is None:
            return None
        grid = grid_for(fmt, self._ranges_of(pathway)[layer - 1])
        return grid if self._steps is None else replace(grid, step=self._steps[pathway][layer - 1])

    def numbers(self) -> dict[str, np.ndarray]:
        """What differs between chips of this profile on this network, as arrays keyed by layer.

        Returns
        -------
        dict of str to numpy.ndarray
            ``gain{i}`` and ``offset{i}``: the frozen mismatch of layer i's units, where the profile has it;
            ``{pathway}_step{i}``: the weight-grid step of layer i, for each pathway with a weight grid.
        """
        out: dict[str, np.ndarray] = {}
        for i in range(1, self.n_layers + 1):
            for name, value in zip(("gain", "offset"), self.mismatch.layer(i)):
                if value is not None:
                    out[f"{name}{i}"] = value
            for pathway in PATHWAYS:
                grid = self.weight_grid(i, pathway)
                if grid is not None:
                    out[f"{pathway}_step{i}"] = np.float64(grid.step)
        return out

    def with_numbers(self, numbers: Mapping[str, object]) -> ChipInstance:
        """This chip with the arrays of :meth:`numbers` replaced.

        Parameters
        ----------
        numbers : Mapping
            The keys of :meth:`numbers` with new values, e.g. JAX arrays traced inside a compiled program that runs
            one chip per network.

        Returns
        -------
        ChipInstance
            A shallow copy whose mismatch, weight-grid steps and activity transforms use ``numbers``.
        """
        chip = copy.copy(self)
        L = range(1, self.n_layers + 1)
        chip.mismatch = FixedPatternMismatch(tuple(numbers.get(f"gain{i}") for i in L),
                                             tuple(numbers.get(f"offset{i}") for i in L))
        chip._steps = {p: tuple(numbers.get(f"{p}_step{i}") for i in L) for p in PATHWAYS}
        chip._activity = tuple(chip._activity_chain(i) for i in L)
        return chip

    def quantize_weights(self, W: np.ndarray, layer: int, rng: DrawSource | None,
                         pathway: str = "forward") -> np.ndarray:
        """Weights mapped onto the layer's grid with the format's rounding, saturated at the range ends.

        Parameters
        ----------
        W : numpy.ndarray
            The weights of layer ``layer``.
        layer : int
            1..L.
        rng : DrawSource or None
            Draws stochastic rounding (needed only for a stochastic format).
        pathway : {"forward", "feedback"}
            Whose weight format to use.

        Returns
        -------
        numpy.ndarray
            The weights on the grid (``W`` itself for float weights).
        """
        grid = self.weight_grid(layer, pathway)
        if grid is None:
            return W
        return grid.snap(W, self.profile.weights_for(pathway).rounding.value, rng)

    def apply_update(self, W: np.ndarray, dW: np.ndarray, layer: int, rng: DrawSource | None,
                     pathway: str = "forward") -> np.ndarray:
        """W + dW as the chip stores it: on the weight grid, rounded by the update format.

        See :func:`~tpneuro.hardware.weight_updates.updated_weights`; without an updates section, W + dW is rounded
        like the weights are; exact W + dW for float weights.

        Parameters
        ----------
        W, dW : numpy.ndarray
            The stored weights and the change to write.
        layer : int
            1..L.
        rng : DrawSource or None
            Draws stochastic rounding.
        pathway : {"forward", "feedback"}
            Whose formats to use.

        Returns
        -------
        numpy.ndarray
            The new stored weights.
        """
        grid = self.weight_grid(layer, pathway)
        if grid is None:
            return W + dW
        return updated_weights(W, dW, grid, self.update_format(pathway), rng)

    def update_format(self, pathway: str = "forward") -> UpdateFormat | None:
        """How a weight change reaches a stored weight of ``pathway``: the profile's update format; without an
        updates section on a weight grid, W + dW rounded as the weights are; None for float weights."""
        fmt = self.profile.weights_for(pathway)
        if fmt is None:
            return None
        return self.profile.updates_for(pathway) or UpdateFormat(rounding=fmt.rounding)

    @property
    def key(self) -> tuple:
        """What a model built for this chip depends on (profile, seed, per-layer weight ranges), hashable."""
        return (self.profile, self.seed, self.weight_max_abs, self.feedback_weight_max_abs)

    def quantize_learning_rate(self, learning_rate: float, pathway: str = "forward") -> float:
        """The learning rate the chip can store: rounded to ``learning_rate_bits`` mantissa bits."""
        updates = self.profile.updates_for(pathway)
        if updates is None or updates.learning_rate_bits is None:
            return learning_rate
        return round_mantissa(learning_rate, updates.learning_rate_bits.value)

    def activity(self, h: np.ndarray, layer: int, rng: DrawSource | None) -> np.ndarray:
        """What the units of a layer send on: unit(g * h + o + sigma * xi).

        g, o: this chip's frozen gains and offsets; xi: fresh N(0, 1) noise; unit: the profile's unit kind, applied
        to hidden layers 1..L-1 only. The output layer L is read out as it is (its mismatch and noise still apply),
        since a classifier reads the output potential or rate.

        Parameters
        ----------
        h : numpy.ndarray
            Activities of layer ``layer`` (last axis = units).
        layer : int
            1..L.
        rng : DrawSource or None
            Draws noise and stochastic units.

        Returns
        -------
        numpy.ndarray
            The transmitted activities, same shape.
        """
        self._check_layer(layer)
        if h.shape[-1] != self.layer_sizes[layer]:
            raise ValueError(f"layer {layer} has {self.layer_sizes[layer]} units, "
                             f"got activities of shape {np.shape(h)}")
        return self._activity[layer - 1](h, rng)

    def _activity_chain(self, layer: int) -> Transform:
        gain, offset = self.mismatch.layer(layer)
        sigma = self.profile.noise.activity_sigma.value
        unit = unit_transform(self.profile.units) if layer < self.n_layers else None
        parts = [affine(gain, offset)] if gain is not None or offset is not None else []
        parts += [gaussian_noise(sigma)] if sigma > 0.0 else []
        parts += [unit] if unit is not None else []
        return chain(*parts)

    def _layer_ranges(self, pathway: str, given: Sequence[float] | None) -> tuple[float, ...] | None:
        fmt = self.profile.weights_for(pathway)
        if fmt is None:
            if given is not None:
                raise ValueError(f"profile {self.profile.name!r} has float {pathway} weights; "
                                 f"there is no weight range to set")
            return None
        if given is None:
            return (fmt.max_abs.value,) * self.n_layers
        if fmt.scale.value == "fixed":
            raise ValueError(f"profile {self.profile.name!r} fixes the {pathway} weight range at "
                             f"max_abs = {fmt.max_abs.value}; per-layer ranges need scale: per_layer")
        ranges = tuple(float(r) for r in given)
        if len(ranges) != self.n_layers or min(ranges) <= 0.0:
            raise ValueError(f"need {self.n_layers} positive {pathway} weight ranges, got {ranges}")
        return ranges

    def _ranges_of(self, pathway: str) -> tuple[float, ...] | None:
        return self.weight_max_abs if pathway == "forward" else self.feedback_weight_max_abs

    def _check_layer(self, layer: int) -> None:
        if not 1 <= layer <= self.n_layers:
            raise ValueError(f"layer {layer} is outside 1..{self.n_layers} (layer 0 is the input; "
                             f"layer i holds W_i and the units it drives)")


def _checked_sizes(layer_sizes: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(int(n) for n in layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs an input and at least one layer, all >= 1; got {sizes}")
    return sizes


def modeled_chip(chip: ChipInstance | None) -> ChipInstance | None:
    """The chip an engine has to model: None for no chip or one whose profile changes nothing."""
    return None if chip is None or chip.is_ideal else chip
