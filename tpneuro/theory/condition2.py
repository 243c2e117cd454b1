"""Condition 2 of Meulemans et al. 2020 (arXiv 2006.14331, Sec. 3.2): the feedback path from the output
to layer i, linearised at the forward activity, should equal the pseudo-inverse of the forward
Jacobian, J_{g,i} = J_i^+ with J_i = d h_L / d h_i; then TP propagates Gauss-Newton targets.
(The paper's equation numbering was not re-checked here; the statement follows its Sec. 3.2.)
We report the relative distance mean_b ||J_{g,i,b} - J_{i,b}^+||_F / ||J_{i,b}^+||_F.
"""
from __future__ import annotations

import numpy as np

from .jacobians import damped_pseudo_inverse


def condition2_distance(feedback_jacobian: np.ndarray, forward_jacobian: np.ndarray, damping: float = 0.0) -> float:
    """feedback_jacobian (batch, n_i, n_L), forward_jacobian (batch, n_L, n_i)."""
    pinv = damped_pseudo_inverse(forward_jacobian, damping)
    num = np.linalg.norm(feedback_jacobian - pinv, axis=(1, 2))
    den = np.linalg.norm(pinv, axis=(1, 2))
    return float(np.mean(num / den))
