"""Per-sample Jacobians J_i = d h_L / d h_i of the forward network (Meulemans et al. 2020, notation
J_{f_{i,L}}), computed by the chain rule J_i = J_{i+1} diag(s_{i+1}'(a_{i+1})) W_{i+1}, J_L = I; on numpy or
jax.numpy arrays (tpneuro.arrays)."""
from __future__ import annotations

import numpy as np

from ..arrays import namespace
from ..network.architecture import NetworkSpec
from ..network.forward_pass import Activity, derivatives
from ..network.weights import Params, weight_key


def output_jacobians(spec: NetworkSpec, fwd: Params, act: Activity) -> list[np.ndarray | None]:
    """J_i for i = 0..L as arrays of shape (batch, n_L, n_i); index 0 is d h_L / d x."""
    xp = namespace(act.output)
    L = spec.n_layers
    batch = act.output.shape[0]
    ds = derivatives(spec, act)
    jac = [None] * (L + 1)
    jac[L] = xp.broadcast_to(xp.eye(spec.layer_sizes[-1], dtype=act.output.dtype),
                             (batch, spec.layer_sizes[-1], spec.layer_sizes[-1]))
    for i in range(L - 1, -1, -1):
        jac[i] = (jac[i + 1] * ds[i + 1][:, None, :]) @ fwd[weight_key(i + 1)]
    return jac


def damped_pseudo_inverse(jac: np.ndarray, damping: float) -> np.ndarray:
    """J^T (J J^T + lambda I)^{-1} per sample; lambda = 0 gives the Moore-Penrose pseudo-inverse of a
    full-row-rank J. Shape (batch, n_i, n_L)."""
    xp = namespace(jac)
    n_out = jac.shape[-2]
    gram = jac @ xp.matrix_transpose(jac)
    if damping:
        gram = gram + damping * xp.eye(n_out, dtype=jac.dtype)
    return xp.matrix_transpose(xp.linalg.solve(gram, jac))
