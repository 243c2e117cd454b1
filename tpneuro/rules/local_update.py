"""The only thing a learning rule hands to an engine: a two-factor local update.

dW_i = -lr * mean_b post_b pre_b^T and db_i = -lr * mean_b post_b (DESIGN.md section 1), where ``post``
is a signal present at the postsynaptic neuron (e.g. 2 s_i'(a_i) (h_i - t_i), the gradient of the
local loss ||t_i - h_i||^2 of Meulemans et al. 2020, Eq. 5) and ``pre`` is the presynaptic activity
h_{i-1}. A spiking engine can build this from a presynaptic trace and a postsynaptic signal alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import namespace


@dataclass(frozen=True)
class LocalUpdate:
    """Gradient of a layer's local loss in factored form: post (batch, n_out), pre (batch, n_in)."""

    post: np.ndarray
    pre: np.ndarray

    def weight_gradient(self) -> np.ndarray:
        """(1/B) post^T pre, shape (n_out, n_in)."""
        return (self.post.T @ self.pre) / self.post.shape[0]

    def bias_gradient(self) -> np.ndarray:
        """(1/B) sum_b post_b."""
        return namespace(self.post).mean(self.post, axis=0)


def target_update(h: np.ndarray, target: np.ndarray, derivative: np.ndarray, pre: np.ndarray) -> LocalUpdate:
    """Local update of L_i = ||t_i - h_i||^2 with the target held fixed: post = 2 s'(a_i) (h_i - t_i)."""
    return LocalUpdate(post=2.0 * derivative * (h - target), pre=pre)
