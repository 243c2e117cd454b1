"""Gradients against finite differences (an autodiff-free reference)."""
from __future__ import annotations

import numpy as np
import pytest

from tpneuro.network import forward
from tpneuro.network.loss import cross_entropy
from tpneuro.rules import make_rule
from tpneuro.rules.backprop import bp_updates
from tpneuro.theory import angle_degrees
from tpneuro.training.theory_diagnostics import diagnose
from tests.conftest import FixedNoise


def numeric_gradient(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of ``array`` (mutated in place)."""
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + eps
        plus = f()
        array[idx] = old - eps
        minus = f()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def test_bp_gradients_match_finite_differences(small_net):
    spec, fwd, x, y, act = small_net
    g = cross_entropy(act.output, y).grad_output
    updates = bp_updates(spec, fwd, act, g)
    loss = lambda: cross_entropy(forward(spec, fwd, x).output, y).loss  # noqa: E731
    for i, up in enumerate(updates, start=1):
        np.testing.assert_allclose(up.weight_gradient(), numeric_gradient(loss, fwd[f"W{i}"]), rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(up.bias_gradient(), numeric_gradient(loss, fwd[f"b{i}"]), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name,keys", [
    ("ddtp_linear", ["Q1", "Q2"]),
    ("ddtp_rhl", ["Q1", "c1", "Q2", "c2"]),
    ("dtp", ["Q2", "c2", "Q3", "c3"]),
    ("tp", ["Q2", "c2", "Q3", "c3"]),
    # DRL: the term of layer 2 passes through g_3, so only g_2's gradient is the total loss's gradient
    ("drl", ["Q2", "c2"]),
])
def test_feedback_gradients_match_finite_differences(small_net, name, keys):
    """With the noise frozen, each rule's feedback gradient is the derivative of its reconstruction loss."""
    spec, fwd, x, y, act = small_net
    hp = {"beta": 0.1, "sigma": 0.3}
    if name == "ddtp_rhl":
        hp.update(rhl_size=9, feedback_activation="tanh")
    rule = make_rule(name, spec, **hp)
    fb = rule.init_feedback(np.random.default_rng(3), fwd)
    for k in fb:
        if k.startswith("c"):
            fb[k] = 0.1 * np.random.default_rng(4).standard_normal(fb[k].shape)
    noise = FixedNoise(5)
    grads, _ = rule.feedback_gradients(fwd, fb, act, noise)

    def total_loss():
        noise.rewind()
        return rule.feedback_gradients(fwd, fb, act, noise)[1]

    n_units_scale = 1.0  # the returned loss is the sum over layers of (1/sigma^2) MSE; gradients are of that sum
    for k in keys:
        np.testing.assert_allclose(grads[k], n_units_scale * numeric_gradient(total_loss, fb[k]), rtol=1e-5, atol=1e-9)


def test_bp_angle_of_bp_is_zero(small_net):
    spec, fwd, x, y, act = small_net
    rule = make_rule("bp", spec)
    d = diagnose(rule, fwd, {}, x, y)
    for i in range(1, spec.n_layers + 1):
        assert d[f"angle_bp/L{i}"] == pytest.approx(0.0, abs=1e-5)


def test_angle_degrees_known_values():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(90.0)
    assert angle_degrees(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == pytest.approx(0.0, abs=1e-6)
    assert angle_degrees(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(180.0)
