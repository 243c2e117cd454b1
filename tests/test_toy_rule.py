"""A rule written here, in the test only, runs everywhere from its declarations alone: it trains on the rate
engine, its operation counts and energy summary come from its own ``training_macs``, a chip stores its declared
feedback matrices on the grid, and each spiking engine maps or refuses it from its declared wiring. No file of
the package names it.

The toy rules are direct and layer-wise feedback with a fixed, scaled sign matrix (a "sign-symmetric"-style
feedback, in the spirit of Liao, Leibo & Poggio 2016, written as a target): t_i = h_i + Q_i (t_L - h_L) with
Q_i = s * sign(N(0, 1)) fixed, and its layer-wise counterpart t_{i-1} = h_{i-1} + g_i(t_i) - g_i(h_i) with
g_i(u) = act(Q_i u), Q_i fixed.
"""
from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pytest
from pydantic import Field

from tpneuro.config import validate_config
from tpneuro.engines import get_engine, get_engine_class
from tpneuro.errors import UnsupportedByEngine
from tpneuro.network.activations import get_activation
from tpneuro.rules import RULES, TargetRule, make_rule, register_rule
from tpneuro.rules.base import TargetHyperparams
from tpneuro.rules.op_counts import LayerProducts, target_rule_macs
from tpneuro.training import train

from spiking_networks import deep_firing_state, firing_state, probe_engine, rate_engine_comparison


class ToySignHyperparams(TargetHyperparams):
    scale: float = Field(0.5, gt=0, description="magnitude s of every feedback weight")


class ToyDirectSign(TargetRule):
    name: ClassVar[str] = "toy_direct_sign"
    title: ClassVar[str] = "Toy: direct fixed sign feedback"
    reference: ClassVar[str] = "test only"
    equation: ClassVar[str] = "t_i = h_i + Q_i (t_L - h_L), Q_i = s sign(N(0, 1)) fixed"
    feedback_wiring = "direct"
    feedback_training = "fixed"
    Hyperparams = ToySignHyperparams

    def init_feedback(self, rng, forward_params):
        sizes = self.spec.layer_sizes
        return {f"Q{i}": self.hp.scale * np.sign(rng.standard_normal((sizes[i], sizes[-1])))
                for i in range(1, self.spec.n_layers)}

    def hidden_targets(self, fwd, fb, act, t_out):
        e = t_out - act.output
        return [act.h[i] + e @ fb[f"Q{i}"].T for i in range(1, self.spec.n_layers)]

    def feedback_weight_layers(self):
        return {f"Q{i}": i for i in range(1, self.spec.n_layers)}

    def training_macs(self, extra_fb_epochs):
        p = LayerProducts(self.spec.layer_sizes)
        return target_rule_macs(p, sum(p.to_output(i) for i in range(1, self.spec.n_layers)), 0, 0)


class ToyLayerwiseHyperparams(ToySignHyperparams):
    feedback_activation: Literal["tanh", "linear"] = "tanh"


class ToyLayerwiseSign(ToyDirectSign):
    name: ClassVar[str] = "toy_layerwise_sign"
    title: ClassVar[str] = "Toy: layer-wise fixed sign feedback"
    equation: ClassVar[str] = "t_{i-1} = h_{i-1} + g_i(t_i) - g_i(h_i), g_i(u) = act(Q_i u), Q_i fixed"
    feedback_wiring = "layerwise"
    Hyperparams = ToyLayerwiseHyperparams

    @property
    def feedback_map(self):
        return "linear" if self.hp.feedback_activation == "linear" else "nonlinear"

    def init_feedback(self, rng, forward_params):
        sizes = self.spec.layer_sizes
        return {f"Q{i}": self.hp.scale * np.sign(rng.standard_normal((sizes[i - 1], sizes[i])))
                for i in range(2, self.spec.n_layers + 1)}

    def hidden_targets(self, fwd, fb, act, t_out):
        g = lambda i, u: get_activation(self.hp.feedback_activation).value(u @ fb[f"Q{i}"].T)  # noqa: E731
        targets, t = [None] * (self.spec.n_layers - 1), t_out
        for i in range(self.spec.n_layers, 1, -1):
            t = act.h[i - 1] + g(i, t) - g(i, act.h[i])
            targets[i - 2] = t
        return targets

    def feedback_weight_layers(self):
        return {f"Q{i}": i for i in range(2, self.spec.n_layers + 1)}

    def training_macs(self, extra_fb_epochs):
        p = LayerProducts(self.spec.layer_sizes)
        return target_rule_macs(p, sum(2 * p.layer(i) for i in range(2, self.spec.n_layers + 1)), 0, 0)


@pytest.fixture
def toy_rules():
    """The toy rules registered for one test, and removed again."""
    added = [register_rule(cls) for cls in (ToyDirectSign, ToyLayerwiseSign)]
    yield added
    for cls in added:
        del RULES[cls.name]


def digits_config(rule: dict, **sections) -> dict:
    return {"seed": 0, "dataset": {"name": "digits", "train_subset": 600}, "network": {"hidden": [32]},
            "rule": rule, "optimizer": {"lr": 1e-2}, "training": {"epochs": 5, "batch_size": 32}, **sections}


def test_a_rule_defined_outside_the_package_trains_with_its_own_operation_counts(toy_rules):
    """On the rate engine the toy rule learns digits far above chance (10 %; 92.5 % measured); the summary's operations per training
    sample are its own ``training_macs``: per sample the forward pass 64*32 + 32*10, the targets Q_1 e (32*10) and
    the weight gradients again, i.e. 2 * 2368 + 320 = 5056."""
    result = train(validate_config(digits_config({"name": "toy_direct_sign", "beta": 0.5})), progress=False)
    assert result.summary["test_acc_at_best_val"] > 0.8
    assert result.summary["synaptic_ops_per_training_sample"] == 2 * (64 * 32 + 32 * 10) + 32 * 10


def test_a_chip_stores_the_toy_rules_declared_feedback_on_its_grid_and_prices_its_operations(toy_rules):
    """On loihi1 (8-bit weights, sourced energy per synaptic op and update) the declared Q_1 is on the feedback grid
    and the energy per training sample is priced from the toy's operation count."""
    cfg = validate_config(digits_config({"name": "toy_direct_sign", "beta": 0.5}, hardware="loihi1"))
    result = train(cfg, progress=False)
    chip = result.state.chip
    assert chip.weight_grid(1, "feedback").contains(result.state.feedback_params["Q1"])
    s = result.summary
    assert s["joules_per_training_sample"] is not None or s["joules_per_training_sample_lower_bound"] > 0
    assert s["synaptic_ops_per_training_sample"] == 5056


@pytest.mark.parametrize("engine_name", ["nengo", "brian2"])
def test_spiking_engines_map_the_direct_toy_from_its_declarations(toy_rules, engine_name):
    """Direct, fixed, linear feedback with an output step: both spiking engines map it, and one nudged phase
    moves W_1 and W_2 like the rate engine's update of the toy rule (correlation > 0.9, sign agreement >= 0.9 on
    the large entries)."""
    engine = get_engine(engine_name, "test", get_engine_class(engine_name).quick_options)
    state, x, y = firing_state(rule="toy_direct_sign", hyper={"beta": 0.5})
    engine.check_supported(state)
    change = engine.nudged_weight_change(state, x[:1], y[:1])
    for i, _, _, agree, corr in rate_engine_comparison(state, x[:1], y[:1], change):
        assert agree >= 0.9 and corr > 0.9, f"W{i}: sign agreement {agree:.2f}, correlation {corr:.3f}"


@pytest.mark.parametrize("engine_name", ["nengo", "brian2"])
@pytest.mark.parametrize("activation, refusal", [
    ("tanh", r"{} engine: rule 'toy_layerwise_sign' with a nonlinear feedback map of tanh \(rule.feedback_activation\)"
             r".* only with s in soft_lif; fix: set rule.feedback_activation: linear or soft_lif, or use --engine rate"),
    ("linear", None),
])
def test_spiking_engines_refuse_or_map_the_layerwise_toy_from_its_declarations(toy_rules, engine_name, activation,
                                                                              refusal):
    """Both spiking engines map layer-wise feedback whose map is linear, or non-linear with the LIF rate curve of
    their feedback populations; a tanh map is refused, naming the field and the activations they map."""
    spec = firing_state()[0].spec
    rule = make_rule("toy_layerwise_sign", spec, beta=0.5, feedback_activation=activation)
    engine = get_engine_class(engine_name)
    if refusal is None:
        engine.check_run(rule, spec, None)
    else:
        with pytest.raises(UnsupportedByEngine, match=refusal.format(engine_name)):
            engine.check_run(rule, spec, None)


@pytest.mark.parametrize("engine_name", ["nengo", "brian2"])
def test_spiking_engines_run_the_linear_layerwise_toy_through_their_chain(toy_rules, engine_name):
    """On the 8-12-10-3 network both spiking engines carry the toy's layer-wise differences down their chain of
    difference coders: one nudged phase moves every W_i like the rate engine's update of the toy rule
    (correlation > 0.9)."""
    engine = probe_engine(engine_name)
    state, x, y = deep_firing_state(rule="toy_layerwise_sign", hyper={"beta": 0.5, "feedback_activation": "linear"})
    change = engine.nudged_weight_change(state, x[:1], y[:1])
    for i, _, _, agree, corr in rate_engine_comparison(state, x[:1], y[:1], change):
        assert agree >= 0.9 and corr > 0.9, f"W{i}: sign agreement {agree:.2f}, correlation {corr:.3f}"
