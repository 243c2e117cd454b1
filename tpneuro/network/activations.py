"""Elementwise activation functions s(a) and their derivatives s'(a).

The derivative is expressed through the pre-activation ``a`` and the output ``h = s(a)`` so that the
common cases (tanh: 1 - h^2, sigmoid: h (1 - h)) reuse the forward result instead of recomputing it.
Written against the array API (tpneuro.arrays): the same functions run on numpy and jax.numpy arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..arrays import namespace
from ..errors import UnknownNameError


@dataclass(frozen=True)
class Activation:
    """A named activation: ``value(a) = s(a)`` and ``derivative(a, h) = s'(a)`` with h = s(a)."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    is_linear: bool = False


def _tanh(a: np.ndarray) -> np.ndarray:
    return namespace(a).tanh(a)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + namespace(a).tanh(0.5 * a))   # 1/(1+e^{-a}) without overflow


def _relu(a: np.ndarray) -> np.ndarray:
    return namespace(a).maximum(a, 0.0)


def _step(a: np.ndarray, h: np.ndarray) -> np.ndarray:
    xp = namespace(a)
    return xp.astype(a > 0, a.dtype)


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", _tanh, lambda a, h: 1.0 - h * h),
    "linear": Activation("linear", lambda a: a, lambda a, h: namespace(a).ones_like(a), is_linear=True),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda a, h: h * (1.0 - h)),
    "relu": Activation("relu", _relu, _step),
}


def get_activation(name: str, source: str = "network", field: str = "activation") -> Activation:
    """Return the activation called ``name``; an unknown name lists the valid ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise UnknownNameError(source, field, name, list(ACTIVATIONS)) from None
