"""Per-layer theory diagnostics of a rule's update on one batch (Meulemans et al. 2020, Sec. 5):
angles with the BP gradient, the damped GN update of the layer's weights and the update produced by
exact GN targets; the null-space ratio; Condition 2's distance. Computed only when asked."""
from __future__ import annotations

import numpy as np

from ..network.forward_pass import derivatives, forward
from ..network.loss import cross_entropy
from ..rules.backprop import bp_updates
from ..rules.gauss_newton_targets import GaussNewtonTargets, GNTHyperparams
from ..rules.base import LearningRule
from ..theory import (LayerJacobian, angle_degrees, condition2_distance, gauss_newton_update, null_space_ratio,
                      output_jacobians)


def diagnose(rule: LearningRule, fwd: dict, fb: dict, x: np.ndarray, y: np.ndarray,
             damping: float = 0.0) -> dict[str, float]:
    """Keys ``angle_bp/L{i}``, ``angle_gn/L{i}``, ``angle_gnt/L{i}``, ``null_space/L{i}``, ``condition2/L{i}`` of
    ``rule``'s update with forward parameters ``fwd`` and feedback parameters ``fb`` on the batch ``x``, ``y``."""
    spec = rule.spec
    act = forward(spec, fwd, x)
    g_out = cross_entropy(act.output, y).grad_output
    rule_dw = [u.weight_gradient() for u in rule.forward_updates(fwd, fb, act, g_out)]
    bp_dw = [u.weight_gradient() for u in bp_updates(spec, fwd, act, g_out)]
    gnt = GaussNewtonTargets(spec, GNTHyperparams(beta=1.0, damping=damping))
    gnt_dw = [u.weight_gradient() for u in gnt.forward_updates(fwd, fb, act, g_out)]
    jac = output_jacobians(spec, fwd, act)
    ds = derivatives(spec, act)
    out: dict[str, float] = {}
    for i in range(1, spec.n_layers + 1):
        lj = LayerJacobian(jac[i] * ds[i][:, None, :], act.h[i - 1])
        gn_dw = gauss_newton_update(lj, -g_out, damping)          # a descent direction
        out[f"angle_bp/L{i}"] = angle_degrees(rule_dw[i - 1], bp_dw[i - 1])
        out[f"angle_gn/L{i}"] = angle_degrees(-rule_dw[i - 1], gn_dw)
        out[f"angle_gnt/L{i}"] = angle_degrees(rule_dw[i - 1], gnt_dw[i - 1])
        out[f"null_space/L{i}"] = null_space_ratio(lj, rule_dw[i - 1])
        if i < spec.n_layers:
            jg = rule.feedback_jacobian(fwd, fb, act, i)
            if jg is not None:
                out[f"condition2/L{i}"] = condition2_distance(jg, jac[i])
    return out
