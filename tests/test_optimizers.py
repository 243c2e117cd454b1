"""Optimizers against hand-computed steps, and resumed RMSprop and SGD runs against uninterrupted ones."""
from __future__ import annotations

import numpy as np
import pytest

from tpneuro.config import validate_config
from tpneuro.data import load_dataset
from tpneuro.optimizers import SGD, RMSprop
from tpneuro.training import train


def test_rmsprop_first_two_steps_by_hand():
    """a = 0.5, mu = 0.5, eps = 1e-3, lr = 0.1, g = 2 then g = 0:
    step 1: n = 0.5*4 = 2, gbar = 0.5*2 = 1, delta = -0.1*2/sqrt(2 - 1 + 1e-3) = -0.19990..., p = 1 + delta;
    step 2: n = 1, gbar = 0.5, delta = 0.5*delta_1 - 0 = -0.09995..., p = 1 + delta_1 + delta_2."""
    opt = RMSprop(lr=0.1, momentum=0.5, averaging=0.5, eps=1e-3)
    p = {"w": np.array([1.0])}
    opt.step(p, {"w": np.array([2.0])})
    d1 = -0.1 * 2 / np.sqrt(1.001)
    assert p["w"][0] == pytest.approx(1 + d1, rel=1e-12)
    opt.step(p, {"w": np.array([0.0])})
    assert p["w"][0] == pytest.approx(1 + d1 + 0.5 * d1, rel=1e-12)


def test_rmsprop_minimises_a_quadratic():
    """f(p) = 0.5 ||p - c||^2, gradient p - c: 500 steps reach c within 1e-2 from 10 units away."""
    c = np.array([3.0, -7.0])
    p = {"w": np.array([-5.0, 1.0])}
    opt = RMSprop(lr=0.01)
    for _ in range(500):
        opt.step(p, {"w": p["w"] - c})
    np.testing.assert_allclose(p["w"], c, atol=1e-2)


def test_sgd_steps_by_hand():
    """lr = 0.1, mu = 0.5, wd = 0.2, p = 1, g = 2 then g = 0:
    step 1: g' = 2 + 0.2 = 2.2, v = 2.2, p = 1 - 0.22 = 0.78;
    step 2: g' = 0 + 0.2*0.78 = 0.156, v = 0.5*2.2 + 0.156 = 1.256, p = 0.78 - 0.1256 = 0.6544."""
    opt = SGD(lr=0.1, momentum=0.5, weight_decay=0.2)
    p = {"w": np.array([1.0])}
    opt.step(p, {"w": np.array([2.0])})
    assert p["w"][0] == pytest.approx(0.78, rel=1e-12)
    opt.step(p, {"w": np.array([0.0])})
    assert p["w"][0] == pytest.approx(0.6544, rel=1e-12)


def test_plain_sgd_is_minus_lr_times_the_gradient():
    """mu = 0, wd = 0: p <- p - lr g exactly, for any g (no state kept)."""
    rng = np.random.default_rng(0)
    opt, p0, g = SGD(lr=0.03), rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    p = {"w": p0.copy()}
    opt.step(p, {"w": g})
    np.testing.assert_array_equal(p["w"], p0 - 0.03 * g)
    assert opt.state_arrays("x/") == {}


@pytest.mark.parametrize("kind", ["rmsprop", "sgd"])
def test_run_resumes_exactly(tmp_path, kind):
    data = load_dataset("teacher", seed=0)
    cfg = lambda epochs: validate_config({  # noqa: E731
        "seed": 2, "dataset": {"name": "teacher"}, "network": {"hidden": [16]},
        "rule": {"name": "dtp", "beta": 1.0, "sigma": 0.1}, "optimizer": {"kind": kind, "lr": 1e-3, "momentum": 0.9},
        "feedback_optimizer": {"kind": kind, "lr": 1e-4}, "training": {"epochs": epochs, "batch_size": 50}})
    full = train(cfg(3), tmp_path / "full", progress=False, data=data)
    train(cfg(1), tmp_path / "part", progress=False, data=data)
    resumed = train(cfg(3), tmp_path / "part", progress=False, data=data, resume=True)
    assert [r["test_loss"] for r in resumed.history] == [r["test_loss"] for r in full.history]
    for k, v in full.state.forward_params.items():
        np.testing.assert_array_equal(resumed.state.forward_params[k], v)
