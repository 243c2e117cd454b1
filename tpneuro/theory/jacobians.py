"""Per-sample Jacobians J_i = d h_L / d h_i of the forward network (Meulemans et al. 2020, notation
J_{f_{i,L}}), computed by the chain rule J_i = J_{i+1} diag(s_{i+1}'(a_{i+1})) W_{i+1}, J_L = I."""
from __future__ import annotations

import numpy as np

from ..network.architecture import NetworkSpec
from ..network.forward_pass import Activity, derivatives
from ..network.weights import Params, weight_key


def output_jacobians(spec: NetworkSpec, fwd: Params, act: Activity) -> list[np.ndarray | None]:
    """J_i for i = 0..L as arrays of shape (batch, n_L, n_i); index 0 is d h_L / d x."""
    L = spec.n_layers
    batch = act.output.shape[0]
    ds = derivatives(spec, act)
    jac = [None] * (L + 1)
    jac[L] = np.broadcast_to(np.eye(spec.layer_sizes[-1], dtype=act.output.dtype),
                             (batch, spec.layer_sizes[-1], spec.layer_sizes[-1]))
    for i in range(L - 1, -1, -1):
        jac[i] = (jac[i + 1] * ds[i + 1][:, None, :]) @ fwd[weight_key(i + 1)]
    return jac


def damped_pseudo_inverse(jac: np.ndarray, damping: float) -> np.ndarray:
    """J^T (J J^T + lambda I)^{-1} per sample; lambda = 0 gives the Moore-Penrose pseudo-inverse of a
    full-row-rank J. Shape (batch, n_i, n_L)."""
    n_out = jac.shape[-2]
    gram = jac @ np.swapaxes(jac, -1, -2)
    if damping:
        gram = gram + damping * np.eye(n_out, dtype=jac.dtype)
    return np.swapaxes(np.linalg.solve(gram, jac), -1, -2)
