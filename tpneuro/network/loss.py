"""Softmax cross-entropy on the linear output h_L (mean over the batch, as in Meulemans et al. 2020)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LossResult:
    """Mean loss, its gradient dL/dh_L = (softmax(h_L) - onehot(y)) / B, and the number correct."""

    loss: float
    grad_output: np.ndarray
    n_correct: int


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> LossResult:
    """L = -(1/B) sum_b log softmax(h_L)_{b, y_b}; grad = (p - onehot(y)) / B."""
    batch = logits.shape[0]
    rows = np.arange(batch)
    p = softmax(logits)
    loss = -float(np.mean(np.log(np.maximum(p[rows, labels], np.finfo(p.dtype).tiny))))
    n_correct = int(np.count_nonzero(logits.argmax(axis=1) == labels))
    p[rows, labels] -= 1.0
    p /= batch
    return LossResult(loss, p, n_correct)
