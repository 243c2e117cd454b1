"""Matrix-product counts that the rules' own ``training_macs`` declarations are written with.

A training sample costs the forward pass, its targets (or backward deltas), the weight gradients (one MAC per
weight: the outer product post pre^T) and, for trained feedback, the feedback loss and its gradient, plus
``extra_fb`` feedback-only passes (forward pass and feedback step) per epoch (DESIGN.md section 2, schedule).
Counted from the equations each rule implements; element-wise work is not counted.
"""
from __future__ import annotations

from collections.abc import Sequence


class LayerProducts:
    """Multiply-accumulates of the network's matrix products: ``layer(i)`` = n_i n_{i-1}, i = 1..L."""

    def __init__(self, sizes: Sequence[int]):
        self.sizes = tuple(sizes)
        self.n_layers = len(self.sizes) - 1
        self._layer = [0] + [self.sizes[i] * self.sizes[i - 1] for i in range(1, self.n_layers + 1)]

    def layer(self, i: int) -> int:
        return self._layer[i]

    @property
    def forward(self) -> int:
        """One forward pass: sum_i n_i n_{i-1}."""
        return sum(self._layer)

    def above(self, i: int) -> int:
        """The forward pass from h_i to h_L: sum_{k > i} n_k n_{k-1}."""
        return sum(self._layer[i + 1:])

    def to_output(self, i: int) -> int:
        """One product of an output-sized vector with Q_i in R^{n_i x n_L}: n_i n_L."""
        return self.sizes[i] * self.sizes[-1]


def backprop_macs(p: LayerProducts) -> float:
    """Forward pass, weight gradients, and the deltas sent down to every layer but the input."""
    return p.forward + p.forward + (p.forward - p.layer(1))


def target_rule_macs(p: LayerProducts, targets: float, feedback: float, extra_fb: int) -> float:
    """Forward pass + targets + weight gradients + one feedback step, plus ``extra_fb`` feedback-only passes
    (forward pass and feedback step each)."""
    return p.forward + targets + p.forward + feedback + extra_fb * (p.forward + feedback)
