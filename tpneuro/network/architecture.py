"""The network description: layer sizes, activations and number type.

Notation of Meulemans et al. 2020 (arXiv 2006.14331, Sec. 2): h_0 = x, a_i = W_i h_{i-1} + b_i,
h_i = s_i(a_i) for i = 1..L; hidden layers share one activation, the output layer (i = L) is linear
by default and the softmax lives in the cross-entropy loss.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation


@dataclass(frozen=True)
class NetworkSpec:
    """Layer sizes ``(n_0, n_1, ..., n_L)``; ``n_0`` is the input size, ``n_L`` the number of classes."""

    layer_sizes: tuple[int, ...]
    hidden_activation: str = "tanh"
    output_activation: str = "linear"
    dtype: str = "float64"

    def __post_init__(self):
        object.__setattr__(self, "layer_sizes", tuple(int(n) for n in self.layer_sizes))
        if len(self.layer_sizes) < 2 or min(self.layer_sizes) < 1:
            raise ValueError(f"layer_sizes must hold at least an input and an output size >= 1, "
                             f"got {self.layer_sizes}")
        get_activation(self.hidden_activation)
        get_activation(self.output_activation)
        np.dtype(self.dtype)

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.layer_sizes) - 1

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    def activation(self, i: int) -> Activation:
        """s_i for layer i in 1..L."""
        if not 1 <= i <= self.n_layers:
            raise IndexError(f"layer index {i} outside 1..{self.n_layers}")
        return get_activation(self.output_activation if i == self.n_layers else self.hidden_activation)
