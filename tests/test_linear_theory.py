"""Closed forms on linear networks, where TP's targets are Gauss-Newton targets (Meulemans et al. 2020,
Sec. 3): every reference here is computed with np.linalg on products of weight matrices, independently
of the Jacobian code under test."""
from __future__ import annotations

import numpy as np
import pytest

from tpneuro.network import NetworkSpec, forward, init_forward_params
from tpneuro.network.loss import cross_entropy
from tpneuro.rules import make_rule
from tpneuro.theory import condition2_distance, output_jacobians


def linear_net(sizes, seed=0):
    spec = NetworkSpec(sizes, "linear")
    rng = np.random.default_rng(seed)
    fwd = init_forward_params(spec, rng)
    x = rng.random((7, sizes[0]))
    y = rng.integers(0, sizes[-1], 7)
    return spec, fwd, x, y, forward(spec, fwd, x)


def product_jacobian(fwd, L, i):
    """J_i = W_L W_{L-1} ... W_{i+1} for a linear network."""
    J = np.eye(fwd[f"W{L}"].shape[0])
    for k in range(L, i, -1):
        J = J @ fwd[f"W{k}"]
    return J


def test_output_jacobians_equal_weight_products():
    spec, fwd, x, y, act = linear_net((5, 9, 8, 3))
    jac = output_jacobians(spec, fwd, act)
    for i in range(0, 3):
        np.testing.assert_allclose(jac[i][0], product_jacobian(fwd, 3, i), atol=1e-12)


@pytest.mark.parametrize("damping", [0.0, 0.3])
def test_gnt_targets_equal_closed_form_gauss_newton_targets(damping):
    """t_i = h_i + J^T (J J^T + lambda I)^{-1} (t_L - h_L) with J the product of weights."""
    spec, fwd, x, y, act = linear_net((5, 9, 8, 3))
    beta = 0.5
    rule = make_rule("gnt", spec, beta=beta, damping=damping)
    g = cross_entropy(act.output, y).grad_output
    targets = rule.targets(fwd, {}, act, g)
    e = -beta * g
    for i in (1, 2):
        J = product_jacobian(fwd, 3, i)
        Q = J.T @ np.linalg.inv(J @ J.T + damping * np.eye(3))
        if damping == 0.0:
            np.testing.assert_allclose(Q, np.linalg.pinv(J), atol=1e-10)
        np.testing.assert_allclose(targets[i - 1], act.h[i] + e @ Q.T, atol=1e-12)


def test_dtp_with_exact_inverses_propagates_gauss_newton_targets():
    """On an invertible linear network with g_i = W_i^{-1}, DTP's targets are GN targets: J_i^{-1} e."""
    spec, fwd, x, y, act = linear_net((4, 4, 4, 4), seed=2)
    rule = make_rule("dtp", spec, beta=0.3, sigma=0.1, feedback_activation="linear")
    fb = {}
    for i in (2, 3):
        fb[f"Q{i}"] = np.linalg.inv(fwd[f"W{i}"])
        fb[f"c{i}"] = -fb[f"Q{i}"] @ fwd[f"b{i}"]
    g = cross_entropy(act.output, y).grad_output
    targets = rule.targets(fwd, fb, act, g)
    e = -0.3 * g
    for i in (1, 2):
        np.testing.assert_allclose(targets[i - 1] - act.h[i], e @ np.linalg.inv(product_jacobian(fwd, 3, i)).T,
                                   atol=1e-10)
        assert condition2_distance(rule.feedback_jacobian(fwd, fb, act, i), output_jacobians(spec, fwd, act)[i]) \
            == pytest.approx(0.0, abs=1e-10)


def test_drl_trains_ddtp_linear_feedback_to_damped_pseudo_inverse():
    """Frozen linear network: E[DRL loss] = (1/n_i)||Q J - I||^2_F; with L2 weight decay wd the minimiser is
    Q = J^T (J J^T + lambda I)^{-1}, lambda = wd n_i / 2 (set the gradient (2/n_i)(QJ - I)J^T + wd Q to 0).
    Plain gradient descent on the rule's stochastic gradient with a decaying step must get there."""
    spec, fwd, x, y, act_small = linear_net((6, 10, 8, 3), seed=3)
    rng = np.random.default_rng(0)
    x = rng.random((256, 6))
    act = forward(spec, fwd, x)
    rule = make_rule("ddtp_linear", spec, beta=0.1, sigma=0.1)
    fb = rule.init_feedback(rng, fwd)
    wd = 0.02
    for step in range(3000):
        lr = 2.0 / (1 + step / 300)
        grads, _ = rule.feedback_gradients(fwd, fb, act, rng)
        for k, gk in grads.items():
            fb[k] -= lr * (gk + wd * fb[k])
    for i in (1, 2):
        n_i = spec.layer_sizes[i]
        J = product_jacobian(fwd, 3, i)
        Q_star = J.T @ np.linalg.inv(J @ J.T + (wd * n_i / 2) * np.eye(3))
        rel = np.linalg.norm(fb[f"Q{i}"] - Q_star) / np.linalg.norm(Q_star)
        assert rel < 0.05, f"layer {i}: relative distance {rel:.3f} to the damped pseudo-inverse"
