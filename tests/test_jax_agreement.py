"""The JAX engine against the numpy rate engine on identical inputs, weights and random draws (recorded from a
numpy Generator by the rate engine, replayed to the compiled program: tests/draw_recording.py).

For every rule, without a chip and on a chip that uses every modeled feature at once (8-bit weight grid,
stochastic rounding of updates with a limited update resolution and accumulator, a 3-bit learning-rate mantissa,
frozen gain and offset mismatch, activity noise, stochastic binary units), and on sign and quantized units:

- the rule's arithmetic on jax.numpy arrays, op by op (forward pass on the chip, loss, forward updates, feedback
  gradients and loss), equals the same code on numpy;
- one minibatch of the JAX engine's compiled step (forward, updates, feedback step with optax, forward step with
  optax, the chip's writes) leaves the same parameters and optimizer states as the rate engine's train_batch, and
  so does one feedback-only step;
- optax's Adam, centred RMSprop and SGD take the numpy optimizers' steps (weight decay, momentum, a learning rate
  that changes between steps).

Bounds, relative to the largest entry of the numpy array: float64, every entry within 1e-10. float32, every entry
within 2e-4 (measured: below 1e-5 for every rule, on and off the chip; float32's eps is 6e-8), except parameters
after optimizer steps: an entry whose gradient is a cancellation as small as the float32 rounding of its terms
(measured in DRL's c_3 without a chip: 1 of 8 entries, 8.6e-4 of the scale) takes a different normalised Adam step,
so at most one entry or 5 % may be up to lr per step taken off, plus one grid step on a chip (where such a weight
may cross a rounding threshold).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tpneuro.engines import TrainState
from tpneuro.engines.jax_engine import JaxEngine  # noqa: F401  (switches on JAX's float64)
from tpneuro.engines.jax_engine.optimizers import OptimizerSpec
from tpneuro.engines.jax_engine.programs import (
    ProgramSpec,
    carry_of,
    chip_template,
    feedback_step,
    network_inputs,
    train_step,
    write_back,
)
from tpneuro.engines.minibatch import chip_transmit
from tpneuro.engines.rate_engine import RateEngine
from tpneuro.hardware import load_profile, parse_profile
from tpneuro.network import NetworkSpec, forward, init_forward_params
from tpneuro.network.loss import cross_entropy_terms
from tpneuro.optimizers import SGD, Adam, RMSprop, adam_update, rmsprop_update, sgd_update
from tpneuro.rules import RULES, make_rule
from tpneuro.runs.chip_setup import chip_instance, put_on_chip

from draw_recording import RecordingDraws, ReplayDraws

HYPER = {
    "bp": {}, "fa": {}, "dfa": {"beta": 0.5}, "gnt": {"beta": 0.2, "damping": 0.1},
    "tp": {"beta": 0.2, "sigma": 0.1}, "dtp": {"beta": 0.2, "sigma": 0.1},
    "drl": {"beta": 0.1, "sigma": 0.1, "feedback_activation": "sigmoid"},
    "ddtp_linear": {"beta": 0.1, "sigma": 0.1}, "ddtp_rhl": {"beta": 0.1, "sigma": 0.1, "rhl_size": 12},
}
SIZES, BATCH = (6, 9, 8, 4), 5
F64_TOL, F32_TOL = 1e-10, 2e-4


def sourced(value):
    return {"value": value, "source": "test profile", "confidence": "modeling_choice"}


EVERY_FEATURE = parse_profile({
    "name": "every_feature", "description": "every modeled chip feature at once (a test profile)",
    "weights": {"bits": sourced(8), "sign": "sign_bit", "max_abs": sourced(1.0), "rounding": "nearest",
                "scale": "per_layer"},
    "updates": {"rounding": "stochastic", "fraction_bits": sourced(7), "bits": sourced(15),
                "learning_rate_bits": sourced(3)},
    "noise": {"gain_mismatch_sigma": sourced(0.1), "offset_mismatch_sigma": sourced(0.05),
              "activity_sigma": sourced(0.02)},
    "units": {"kind": "stochastic_binary"}}, "test")
PROFILES = {"none": None, "every_feature": EVERY_FEATURE, "sign_units": load_profile("sign_units"),
            "akida1": load_profile("akida1")}
CASES = ([(rule, profile, "float64") for rule in sorted(RULES) for profile in ("none", "every_feature")]
         + [(rule, "none", "float32") for rule in sorted(RULES)]
         + [("ddtp_linear", p, "float64") for p in ("sign_units", "akida1")]
         + [(rule, "every_feature", "float32") for rule in ("ddtp_linear", "drl")])


def test_every_rule_is_covered_here():
    assert set(HYPER) == set(RULES)


def small_state(rule_name: str, profile_name: str, dtype: str, seed: int = 0):
    """A 6-9-8-4 tanh network with random biases, Adam with weight decay on both pathways, on a chip of the
    profile (weights on its grid, learning rates at its precision); five inputs and labels."""
    spec = NetworkSpec(SIZES, "tanh", dtype=dtype)
    rng = np.random.default_rng(seed)
    fwd = init_forward_params(spec, rng)
    for k in fwd:
        if k.startswith("b"):
            fwd[k] = (0.1 * rng.standard_normal(fwd[k].shape)).astype(dtype)
    rule = make_rule(rule_name, spec, **HYPER[rule_name])
    state = TrainState(spec, rule, fwd, rule.init_feedback(rng, fwd), Adam(0.01, (0.9, 0.99), weight_decay=1e-3),
                       Adam(0.003, (0.99, 0.9), weight_decay=1e-4) if rule.has_trained_feedback else None)
    profile = PROFILES[profile_name]
    if profile is not None:
        put_on_chip(state, chip_instance(profile, state, seed=3), rng)
        for pathway, opt in (("forward", state.forward_optimizer), ("feedback", state.feedback_optimizer)):
            if opt is not None and state.chip is not None:
                opt.lr = state.chip.quantize_learning_rate(opt.lr, pathway)
    return state, rng.random((BATCH, SIZES[0])).astype(dtype), rng.integers(0, SIZES[-1], BATCH)


def assert_agree(got, want, what: str, dtype: str, outliers_within: float | None = None):
    """``got`` has ``want``'s shape and dtype, NaN where it has NaN, and every entry within the dtype's bound
    (F64_TOL, F32_TOL) of ``want``'s largest entry. With ``outliers_within`` (float32 parameters after optimizer
    steps), at most one entry or 5 % of them may instead be up to that far off."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, f"{what}: {got.shape} {got.dtype} vs {want.shape} {want.dtype}"
    assert np.array_equal(np.isnan(got), np.isnan(want)), f"{what}: NaN in one engine only"
    got, want = np.nan_to_num(got).astype(np.float64), np.nan_to_num(want).astype(np.float64)
    scale = max(float(np.max(np.abs(want), initial=0.0)), np.finfo(np.float64).tiny)
    off = np.abs(got - want)
    tol = (F64_TOL if dtype == "float64" else F32_TOL) * scale
    if outliers_within is not None and dtype == "float32":
        beyond = off > tol
        assert np.sum(beyond) <= max(1, 0.05 * off.size), f"{what}: {np.sum(beyond)} of {off.size} entries differ"
        assert np.max(off[beyond], initial=0.0) <= outliers_within, f"{what}: an entry {np.max(off):.3g} off"
    else:
        assert np.max(off, initial=0.0) <= tol, f"{what}: difference {np.max(off) / scale:.3g} of the scale"


def to_jax(tree):
    return jax.tree.map(jnp.asarray, tree)


@pytest.mark.parametrize("rule_name, profile_name, dtype", CASES)
def test_rule_arithmetic_on_jax_arrays_equals_numpy(rule_name, profile_name, dtype):
    """Forward pass (on the chip), loss, forward updates, feedback gradients and loss: the same code on jax.numpy
    arrays and the same draws gives the numpy results (op by op here: the compiled step is the next test's)."""
    state, x, y = small_state(rule_name, profile_name, dtype)
    rule, spec = state.rule, state.spec
    recorded = RecordingDraws(np.random.default_rng(1))

    def arithmetic(fwd, fb, numbers, x, y, rng):
        chip = None if state.chip is None else (state.chip if numbers is None else state.chip.with_numbers(numbers))
        view = TrainState(spec, rule, fwd, fb, None, None, chip)
        act = forward(spec, fwd, x, chip_transmit(view, rng))
        loss, grad_out, n_correct = cross_entropy_terms(act.output, y)
        grads = view.forward_gradients(rule.forward_updates(fwd, fb, act, grad_out))
        fb_grads, rec = rule.feedback_gradients(fwd, fb, act, rng)
        return act.h, act.sent, loss, n_correct, grads, fb_grads, rec

    want = arithmetic(state.forward_params, state.feedback_params, None, x, y, recorded)
    replay = ReplayDraws(recorded.drawn, jnp.asarray)
    numbers = state.chip.numbers() if state.chip is not None else None
    got = (lambda *a: arithmetic(*a, replay))(to_jax(state.forward_params), to_jax(state.feedback_params),
                                                      None if numbers is None else to_jax(numbers), x, y)
    assert replay.all_used
    names = ("h", "sent", "loss", "n_correct", "forward gradients", "feedback gradients", "feedback loss")
    for name, g, w in zip(names, got, want):
        for path, leaf in jax.tree_util.tree_leaves_with_path(w):
            sub = g
            for key in path:
                sub = sub[key.idx if hasattr(key, "idx") else key.key]
            assert_agree(sub, leaf, f"{rule_name}/{profile_name}/{dtype}: {name}{jax.tree_util.keystr(path)}", dtype)


def _compare_states(got: TrainState, want: TrainState, label: str, dtype: str, steps: int):
    """Parameters, Adam moments and step counts. In float32 an entry whose gradient is as small as the float32
    rounding of its terms (a cancellation) can take another normalised Adam step, at most lr per step, and on a
    chip land one grid step apart: those are the allowed outliers."""
    for pathway, opt in (("forward", want.forward_optimizer), ("feedback", want.feedback_optimizer)):
        for k, v in want.params(pathway).items():
            grid = want.chip.weight_grid(want.chip_weight_layers(pathway)[k], pathway) \
                if want.chip is not None and k in want.chip_weight_layers(pathway) else None
            allowed = steps * (opt.lr if opt is not None else 0.0) + (grid.step if grid is not None else 0.0)
            assert_agree(got.params(pathway)[k], v, f"{label}: {k}", dtype, outliers_within=allowed)
    for got_opt, want_opt in ((got.forward_optimizer, want.forward_optimizer),
                              (got.feedback_optimizer, want.feedback_optimizer)):
        if want_opt is None:
            continue
        assert got_opt.step_count == want_opt.step_count
        for k in want_opt.m:
            assert_agree(got_opt.m[k], want_opt.m[k], f"{label}: Adam m of {k}", dtype)
            assert_agree(got_opt.v[k], want_opt.v[k], f"{label}: Adam v of {k}", dtype)


STEP_CASES = ([(rule, profile, "float64") for rule in sorted(RULES) for profile in ("none", "every_feature")]
              + [("ddtp_linear", p, "float64") for p in ("sign_units", "akida1")]
              + [(rule, p, "float32") for rule in ("ddtp_linear", "drl") for p in ("none", "every_feature")])


@pytest.mark.parametrize("rule_name, profile_name, dtype", STEP_CASES)
def test_compiled_minibatch_equals_the_rate_engine(rule_name, profile_name, dtype):
    """Two training minibatches and one feedback-only minibatch: the JAX engine's compiled step (optax
    optimizers, the chip's writes by stochastic rounding with the same uniform draws) leaves the rate engine's
    parameters, Adam moments and step counts, and reports its losses."""
    want, x, y = small_state(rule_name, profile_name, dtype)
    got, _, _ = small_state(rule_name, profile_name, dtype)
    program = ProgramSpec.of(got)
    rule, template = program.rule(), chip_template(program.profile, program.spec)

    def replayed(drawn_arrays):
        return ReplayDraws(list(zip(kinds, drawn_arrays)), lambda a: a)

    steps = {
        "train": jax.jit(lambda c, n, xb, yb, drawn: train_step(program, rule, template, True, c, n, xb, yb,
                                                                replayed(drawn))),
        "feedback": jax.jit(lambda c, n, xb, yb, drawn: feedback_step(program, rule, template, c, n, xb, yb,
                                                                      replayed(drawn)))}
    rate = RateEngine()
    kinds_run = ["train", "train"] + (["feedback"] if program.feedback_optimizer is not None else [])
    for step, kind in enumerate(kinds_run):
        recorded = RecordingDraws(np.random.default_rng(10 + step))
        if kind == "feedback":
            want_out = (rate.feedback_batch(want, x, recorded),)
        else:
            res = rate.train_batch(want, x, y, recorded, train_feedback=True)
            want_out = (res.loss, res.n_correct, res.reconstruction_loss)
        kinds = [k for k, _ in recorded.drawn]
        carry, out = steps[kind](to_jax(carry_of(program, got)), to_jax(network_inputs(got, 0)), x, y,
                                 [jnp.asarray(a) for _, a in recorded.drawn])
        write_back(program, got, jax.tree.map(np.array, carry))
        out = (out,) if kind == "feedback" else out
        for name, g, w in zip(("loss", "n_correct", "feedback loss"), out, want_out):
            assert_agree(np.float64(g), np.float64(w), f"{rule_name}: {name}", dtype)
        _compare_states(got, want, f"{rule_name}/{profile_name}/{dtype} after {kind} step {step + 1}", dtype,
                        step + 1)


OPTIMIZERS = {
    "adam": (Adam(0.01, (0.9, 0.99), eps=1e-8, weight_decay=0.01), adam_update),
    "rmsprop": (RMSprop(0.01, momentum=0.9, averaging=0.95, eps=1e-3, weight_decay=0.01), rmsprop_update),
    "sgd": (SGD(0.05, momentum=0.9, weight_decay=0.01), sgd_update),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_optax_steps_equal_the_numpy_optimizers(kind, dtype):
    """Six steps with weight decay, the learning rate halved after the third (a schedule): optax (through the
    JAX engine's OptimizerSpec) and the numpy optimizer give the same parameters and buffers; gradients of
    widely different sizes per entry exercise Adam's and RMSprop's per-entry normalisation."""
    opt, _ = OPTIMIZERS[kind]
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((5, 4)).astype(dtype), "b": rng.standard_normal(4).astype(dtype)}
    numpy_opt = type(opt)(**{f: getattr(opt, f) for f in opt.__dataclass_fields__ if f in
                             ("lr", "betas", "eps", "weight_decay", "momentum", "averaging")})
    spec = OptimizerSpec.of(numpy_opt, params)
    state = jax.tree.map(jnp.asarray, spec.state_from(numpy_opt, params))
    numpy_params, jax_params = dict(params), to_jax(params)
    update = jax.jit(spec.update)
    for step in range(6):
        scale = 10.0 ** rng.integers(-4, 2, size=1)[0]
        grads = {k: (scale * rng.standard_normal(v.shape)).astype(dtype) for k, v in params.items()}
        numpy_opt.lr = opt.lr * (0.5 if step >= 3 else 1.0)
        numpy_opt.step(numpy_params, grads)
        new, state = update(jax_params, to_jax(grads), state, jnp.float64(numpy_opt.lr))
        jax_params = {**jax_params, **new}
        for k in params:
            assert_agree(np.asarray(jax_params[k]), numpy_params[k], f"{kind} step {step + 1}: {k}", dtype,
                         outliers_within=(step + 1) * opt.lr)
    jax_opt = type(opt)(lr=opt.lr)
    spec.write_back(jax_opt, jax.tree.map(np.asarray, state))
    assert jax_opt.step_count == numpy_opt.step_count == 6
    for name, arrays in numpy_opt.state_arrays("").items():
        assert_agree(jax_opt.state_arrays("")[name], arrays, f"{kind} buffer {name}", dtype)
