"""Softmax cross-entropy on the linear output h_L (mean over the batch, as in Meulemans et al. 2020), written once
for numpy and jax.numpy arrays (:func:`cross_entropy_terms`); :func:`cross_entropy` gives Python numbers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import namespace


@dataclass(frozen=True)
class LossResult:
    """Mean loss, its gradient dL/dh_L = (softmax(h_L) - onehot(y)) / B, and the number correct."""

    loss: float
    grad_output: np.ndarray
    n_correct: int


def softmax(logits: np.ndarray) -> np.ndarray:
    xp = namespace(logits)
    z = xp.exp(logits - xp.max(logits, axis=1, keepdims=True))
    return z / xp.sum(z, axis=1, keepdims=True)


def cross_entropy_terms(logits, labels):
    """(L, dL/dh_L, number correct) as arrays: L = -(1/B) sum_b log softmax(h_L)_{b, y_b} (probabilities floored
    at the dtype's smallest normal number), dL/dh_L = (softmax(h_L) - onehot(y)) / B."""
    xp = namespace(logits, labels)
    batch, n_classes = logits.shape
    p = softmax(logits)
    picked = xp.take_along_axis(p, labels[:, None], axis=1)[:, 0]
    loss = -xp.mean(xp.log(xp.maximum(picked, xp.finfo(p.dtype).smallest_normal)))
    n_correct = xp.sum(xp.astype(xp.argmax(logits, axis=1) == labels, xp.int64))
    onehot = xp.astype(labels[:, None] == xp.arange(n_classes, dtype=labels.dtype), p.dtype)
    return loss, (p - onehot) / batch, n_correct


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> LossResult:
    """:func:`cross_entropy_terms` with the loss and the count as Python numbers."""
    loss, grad, n_correct = cross_entropy_terms(logits, labels)
    return LossResult(float(loss), grad, int(n_correct))
