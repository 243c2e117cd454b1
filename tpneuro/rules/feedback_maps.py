"""Nonlinear feedback maps g(u) = t(u Q^T + c) and the gradient of a loss through them.

Used by TP/DTP/DRL (layer-wise g_i, Lee et al. 2015 Eq. 8) and DDTP-RHL (Meulemans et al. 2020,
Sec. 4, g_i(u) = t(Q_i z(u) + c_i)). ``Q`` maps n_in -> n_out and has shape (n_out, n_in). Runs on numpy and
jax.numpy arrays (tpneuro.arrays).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import namespace
from ..network.activations import Activation


@dataclass(frozen=True)
class FeedbackEval:
    """One evaluation of g at input ``u``: the pre-activation and the output."""

    u: np.ndarray
    pre: np.ndarray
    out: np.ndarray


def apply_feedback(Q: np.ndarray, c: np.ndarray | None, u: np.ndarray, t: Activation) -> FeedbackEval:
    """g(u) = t(u Q^T + c)."""
    pre = u @ Q.T
    if c is not None:
        pre = pre + c
    return FeedbackEval(u, pre, t.value(pre))


def accumulate_feedback_gradient(grads: dict, q_key: str, c_key: str | None, upstream: np.ndarray,
                                 ev: FeedbackEval, t: Activation, sign: float = 1.0) -> None:
    """Add sign * dLoss/d(Q, c) for the term g(u) given upstream = dLoss/dg(u) (batch, n_out).

    delta = upstream * t'(pre); dQ = delta^T u; dc = sum_b delta.
    """
    delta = upstream * t.derivative(ev.pre, ev.out)
    if sign != 1.0:
        delta = sign * delta
    dq = delta.T @ ev.u
    grads[q_key] = grads[q_key] + dq if q_key in grads else dq
    if c_key is not None:
        dc = namespace(delta).sum(delta, axis=0)
        grads[c_key] = grads[c_key] + dc if c_key in grads else dc


def reconstruction_loss(err: np.ndarray, sigma: float):
    """(1/sigma^2) MSE of the reconstruction error ``err`` = r - target (mean over batch and units), as a float64
    scalar array whatever the dtype of ``err``."""
    xp = namespace(err)
    return xp.astype(xp.mean(err * err), xp.float64) / sigma**2


def summed(losses: list):
    """The sum of per-layer losses, added in layer order (0.0 for none)."""
    total = 0.0
    for loss in losses:
        total = total + loss
    return total


def reconstruction_scale(sigma: float, batch: int, n_units: int) -> float:
    """d/dr of (1/sigma^2) * MSE(r, target) with MSE the mean over batch and units: 2 / (sigma^2 B n)."""
    return 2.0 / (sigma * sigma * batch * n_units)
