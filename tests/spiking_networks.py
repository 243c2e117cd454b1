"""The small firing network every spiking-engine test uses (brian2, nengo and the shared agreement suite), and
the online digits run of their slow training tests."""
from __future__ import annotations

from dataclasses import fields
from typing import get_args

import numpy as np
import pytest

from tpneuro.config import validate_config
from tpneuro.engines import ENGINES, SpikingEngine, TrainState, get_engine, get_engine_class
from tpneuro.engines.spiking_options import SpikingOptions
from tpneuro.network import NetworkSpec, forward, init_forward_params
from tpneuro.network.lif_rate import TAU_RC, TAU_REF, lif_rate
from tpneuro.network.loss import cross_entropy
from tpneuro.optimizers import Adam
from tpneuro.rules import RULES, make_rule
from tpneuro.runs import build_state, load_data

BETA = 0.5


def spiking_engines() -> list[str]:
    """The registered engines that are SpikingEngines, sorted by name."""
    return sorted(name for name in ENGINES if issubclass(get_engine_class(name), SpikingEngine))


def spiking_engines_slow_on(slow: str) -> list:
    """Every spiking engine as a test parameter, ``slow`` marked ``slow``: for a test whose run on that engine
    (compile and simulation) takes too long for the default suite; ``pytest -m slow`` runs it."""
    return [pytest.param(name, marks=pytest.mark.slow) if name == slow else name for name in spiking_engines()]


def probe_engine(name: str, **options):
    """The spiking engine ``name`` with its own quick settings (those of its ``quick_options`` that are not shared
    SpikingOptions fields, such as brian2's numpy target: no compile step) and the shared spiking settings (phases,
    time step, learning rates) at the engine's defaults, with ``options`` on top: what the agreement probes run."""
    own = {k: v for k, v in get_engine_class(name).quick_options.items()
           if k not in {f.name for f in fields(SpikingOptions)}}
    return get_engine(name, "test", {**own, **options})


def firing_state(seed: int = 0, rule: str = "ddtp_linear",
                 hyper: dict | None = None) -> tuple[TrainState, np.ndarray, np.ndarray]:
    """An 8-12-3 soft-LIF network with W_1 ~ U(-1, 3)/4 and b_1 ~ U(0.5, 1.5), so that its input currents
    J = W_1 x + b_1 span the firing range; six inputs in [0, 1)^8 and their labels. ``hyper`` defaults to
    beta 0.5, sigma 0.05 for DDTP-linear and to the rule's defaults otherwise."""
    spec = NetworkSpec((8, 12, 3), "soft_lif")
    rng = np.random.default_rng(seed)
    fwd = init_forward_params(spec, rng)
    fwd["W1"] = rng.uniform(-1.0, 3.0, (12, 8)) / 4
    fwd["b1"] = rng.uniform(0.5, 1.5, 12)
    if hyper is None:
        hyper = {"beta": BETA, "sigma": 0.05} if rule == "ddtp_linear" else {}
    r = make_rule(rule, spec, **hyper)
    state = TrainState(spec, r, fwd, r.init_feedback(rng, fwd), Adam(1e-3), Adam(1e-3))
    return state, rng.random((6, 8)), rng.integers(0, 3, 6)


def rate_engine_comparison(state: TrainState, x: np.ndarray, y: np.ndarray, change: dict[str, np.ndarray]):
    """For each W_i, (i, spiking change, rate engine's -dL_i/dW_i of the rule's LocalUpdate for the sample
    x, y, sign agreement on the entries above 10 % of the largest, correlation): what the nudged-phase tests
    compare."""
    act = forward(state.spec, state.forward_params, x)
    updates = state.rule.forward_updates(state.forward_params, state.feedback_params, act,
                                         cross_entropy(act.output, y).grad_output)
    rows = []
    for i, up in enumerate(updates, start=1):
        want, got = -up.weight_gradient(), change[f"W{i}"]
        big = np.abs(want) > 0.1 * np.abs(want).max()
        rows.append((i, got, want, float(np.mean(np.sign(got[big]) == np.sign(want[big]))),
                     float(np.corrcoef(got.ravel(), want.ravel())[0, 1])))
    return rows


def noise_driven_fixed_point(state: TrainState, x: np.ndarray, layer: int, noise_current: float,
                             draws: int = 4000, seed: int = 1) -> np.ndarray:
    """The matrix the spiking engines' feedback rule converges to for hidden layer ``layer`` on the inputs ``x``,
    in the rate model of the spiking network (hard LIF rate curve G, linear readout).

    In a noise window layer i receives a held current n ~ N(0, s^2 I), s = ``noise_current``; its neurons compute
    their own rate deviation u = G(J + n) - G(J) (J the free-phase current), and the output moves by
    dr = r_L(h_i + u) - r_L(h_i) = J_i u + nu, where J_i = d h_L / d h_i and nu is the spiking fluctuation of
    the readout and the coders, independent of n. The rule (normalised LMS, p a slowly varying positive power)
    dQ/dt = (kappa / p) (u - Q dr) dr^T is stationary where E[(u - Q dr) dr^T] = 0:

        Q* = E[u dr^T] (E[dr dr^T] + Sigma_nu)^{-1},  linearised  C J_i^T (J_i C J_i^T + Sigma_nu)^{-1},

    C = E[u u^T] (the noise enters as a current, so C = D^2 s^2 with D the LIF slopes for small s, not the
    isotropic sigma^2 I of the rate engine's DDTP-linear), expectations over the windows of all samples. The
    only damping is Sigma_nu, which this function sets to 0 (the rate-model limit; a positive Sigma_nu
    shortens Q*). Returned for Sigma_nu = 0: E[u dr^T] E[dr dr^T]^{-1}, with u and dr of ``draws`` noise
    currents per sample, dr through the exact (not linearised) rate model of the layers above."""
    spec, fwd = state.spec, state.forward_params
    rng = np.random.default_rng(seed)
    h_below = forward(spec, fwd, x).h[layer - 1]
    current = h_below @ fwd[f"W{layer}"].T + fwd[f"b{layer}"]
    cross, power = 0.0, 0.0
    for j in current:
        free = lif_rate(j)[None]
        noisy = lif_rate(j + noise_current * rng.standard_normal((draws, len(j))))
        u = noisy - free
        for i in range(layer + 1, spec.n_layers):
            noisy = lif_rate(noisy @ fwd[f"W{i}"].T + fwd[f"b{i}"])
            free = lif_rate(free @ fwd[f"W{i}"].T + fwd[f"b{i}"])
        dr = (noisy - free) @ fwd[f"W{spec.n_layers}"].T
        cross, power = cross + u.T @ dr, power + dr.T @ dr
    return cross @ np.linalg.inv(power)


def distance_and_cosine(q: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """||q - target|| / ||target|| (1 for q = 0) and the cosine of the angle between q and target."""
    return (float(np.linalg.norm(q - target) / np.linalg.norm(target)),
            float(np.sum(q * target) / (np.linalg.norm(q) * np.linalg.norm(target))))


def deep_firing_state(seed: int = 0, rule: str = "drl",
                      hyper: dict | None = None) -> tuple[TrainState, np.ndarray, np.ndarray]:
    """An 8-12-10-3 soft-LIF network (two hidden layers, for the layer-wise feedback chain) with W_1, W_2 ~
    U(-1, 3)/4 and b_1, b_2 ~ U(0.5, 1.5), so that both hidden layers fire; DRL with linear feedback (the
    spiking mapping's), beta 0.5; six inputs in [0, 1)^8 and their labels."""
    spec = NetworkSpec((8, 12, 10, 3), "soft_lif")
    rng = np.random.default_rng(seed)
    fwd = init_forward_params(spec, rng)
    fwd["W1"] = rng.uniform(-1.0, 3.0, (12, 8)) / 4
    fwd["b1"] = rng.uniform(0.5, 1.5, 12)
    fwd["W2"] = rng.uniform(-1.0, 3.0, (10, 12)) / 4
    fwd["b2"] = rng.uniform(0.5, 1.5, 10)
    if hyper is None:
        hyper = {"beta": BETA, "sigma": 0.05} | ({"feedback_activation": "linear"} if rule == "drl" else {})
    r = make_rule(rule, spec, **hyper)
    state = TrainState(spec, r, fwd, r.init_feedback(rng, fwd), Adam(1e-3), Adam(1e-3))
    return state, rng.random((6, 8)), rng.integers(0, 3, 6)


def nonlinear_feedback_state(rule: str = "dtp", deep: bool = False, seed: int = 0,
                             offset: float = 0.0) -> tuple[TrainState, np.ndarray, np.ndarray]:
    """:func:`firing_state` (or :func:`deep_firing_state`) with ``rule`` (TP or DTP) and a non-linear feedback
    map g_m(u) = soft_lif(Q_m u + c_m), beta 0.5, sigma 0.05: the rule's Q_m (Xavier over the LIF slope at twice
    the threshold, a map of about unit gain), and c_m such that g_m reconstructs the mean rates of layer m - 1 over
    the six inputs (at least 0.05, so that every feedback unit fires): g_m(mean h_m) ~ mean h_{m-1}, as Lee et
    al.'s reconstruction loss first teaches c_m. ``offset`` adds to every c_m (g_m then misses the mean rates, so
    TP's target g_m(t_m) differs from DTP's)."""
    make = deep_firing_state if deep else firing_state
    state, x, y = make(seed, rule, {"beta": BETA, "sigma": 0.05, "feedback_activation": "soft_lif"})
    act = forward(state.spec, state.forward_params, x)
    fb = state.feedback_params
    for m in range(2, state.spec.n_layers + 1):
        rate = np.maximum(act.h[m - 1].mean(axis=0), 0.05)
        current = 1.0 + 1.0 / np.expm1((TAU_REF / rate - TAU_REF) / TAU_RC)    # the LIF curve's inverse
        fb[f"c{m}"] = current - (act.h[m] @ fb[f"Q{m}"].T).mean(axis=0) + offset
    return state, x, y


def digits_online_accuracy(engine, train_subset: int | None = None, epochs: int = 2, init_gain: float | list = 1.0,
                           hidden: tuple[int, ...] = (64,), rule: str = "ddtp_linear") -> float:
    """Test accuracy of ``engine`` after ``epochs`` online epochs (calls of 32 samples) of ``rule`` (DDTP-linear, or
    layer-wise DRL with linear feedback) on a 64-``hidden``-10 soft-LIF digits network, Xavier init times
    ``init_gain`` (one gain, or one per layer) with zero biases (seed 0), no feedback pre-training. The data order
    and the engine's random streams come from generators of their own (seeds 1 and 2), so that a run with the
    frozen-hidden control (which draws no noise) sees the samples in the same order."""
    data_cfg = {"name": "digits", **({"train_subset": train_subset} if train_subset else {})}
    rule_cfg = {"name": rule, "beta": 0.1, "sigma": 0.1, **({"feedback_activation": "linear"} if rule == "drl" else {})}
    cfg = validate_config({"dataset": data_cfg,
                           "network": {"hidden": list(hidden), "activation": "soft_lif", "init_gain": init_gain},
                           "rule": rule_cfg, "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3}})
    data = load_data(cfg)
    state = build_state(cfg, data.input_size, data.n_classes, np.random.default_rng(0))
    order_rng, engine_rng = np.random.default_rng(1), np.random.default_rng(2)
    for _ in range(epochs):
        order = order_rng.permutation(len(data.y_train))
        for s in range(0, len(order), 32):
            engine.train_batch(state, data.x_train[order[s:s + 32]], data.y_train[order[s:s + 32]], engine_rng, True)
    return engine.evaluate(state, data.x_test, data.y_test).accuracy


def one_of_each_rule() -> list[tuple[str, dict]]:
    """Every registered rule with the hyper-parameters it requires (beta 0.5, sigma 0.05), and with
    ``feedback_activation: linear`` and ``soft_lif`` as well where the rule takes a feedback activation that
    admits them: (name, hyper-parameters)."""
    cases = []
    for name, cls in RULES.items():
        fields = cls.Hyperparams.model_fields
        hyper = {k: {"beta": BETA, "sigma": 0.05}[k] for k, f in fields.items() if f.is_required()}
        cases.append((name, hyper))
        if "feedback_activation" in fields:
            field = fields["feedback_activation"]
            cases += [(name, {**hyper, "feedback_activation": a}) for a in ("linear", "soft_lif")
                      if a != field.default and a in get_args(field.annotation)]
    return cases
