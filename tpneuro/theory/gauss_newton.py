"""The damped Gauss-Newton update of one layer's weights over a batch, and the null-space component
of an update (Meulemans et al. 2020, arXiv 2006.14331, Sec. 3 and App. on the null-space component).

For layer i the Jacobian of the batch output with respect to vec(W_i) stacks, per sample b and output p,
rows K_b[p, :] (x) h_{i-1,b}^T with K_b = J_{i,b} diag(s_i'(a_{i,b})). Its Gram matrix is never formed
from that Jacobian: G[(b,p),(c,q)] = (K_b K_c^T)[p,q] * (h_b . h_c). The damped GN update is
dW = Jbar^T (G + lambda I)^{-1} e with e the stacked output errors; lambda = 0 takes the
minimum-norm (pseudo-inverse) solution.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerJacobian:
    """K (batch, n_L, n_i) and the presynaptic activity H (batch, n_{i-1}) of one layer's weights."""

    K: np.ndarray
    H: np.ndarray

    def gram(self) -> np.ndarray:
        b, n_out, _ = self.K.shape
        k_flat = self.K.reshape(b * n_out, -1)
        return (k_flat @ k_flat.T) * np.kron(self.H @ self.H.T, np.ones((n_out, n_out), dtype=self.H.dtype))

    def apply(self, dW: np.ndarray) -> np.ndarray:
        """Jbar vec(dW): the first-order output change per sample, (batch, n_L)."""
        return np.einsum("bpi,bi->bp", self.K, self.H @ dW.T)

    def apply_transpose(self, v: np.ndarray) -> np.ndarray:
        """Jbar^T v for v of shape (batch, n_L), as a weight matrix (n_i, n_{i-1})."""
        return np.einsum("bpi,bp->bi", self.K, v).T @ self.H


def _solve(gram: np.ndarray, rhs: np.ndarray, damping: float) -> np.ndarray:
    if damping > 0:
        return np.linalg.solve(gram + damping * np.eye(len(gram), dtype=gram.dtype), rhs)
    return np.linalg.lstsq(gram, rhs, rcond=None)[0]


def gauss_newton_update(jac: LayerJacobian, error: np.ndarray, damping: float) -> np.ndarray:
    """dW = Jbar^T (G + lambda I)^{-1} e, error e of shape (batch, n_L)."""
    v = _solve(jac.gram(), error.reshape(-1), damping).reshape(error.shape)
    return jac.apply_transpose(v)


def null_space_ratio(jac: LayerJacobian, dW: np.ndarray) -> float:
    """||dW_null||_F / ||dW||_F, dW_null = dW - Jbar^T G^+ Jbar dW: the part that does not move the output."""
    norm = float(np.linalg.norm(dW))
    if norm == 0.0:
        return float("nan")
    row_part = gauss_newton_update(jac, jac.apply(dW), 0.0)
    return float(np.linalg.norm(dW - row_part)) / norm
