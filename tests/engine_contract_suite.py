"""The engine contract as a test suite (DESIGN.md section 8: one contract, tested by one suite).

Every registered engine runs these tests: ``test_engines.py`` parametrises the ``engine_name`` fixture over the
registry, and a module that registers an engine of its own reuses the suite by importing it and defining
``engine_name`` (tests/test_toy_engine.py). Everything engine-specific comes from the engine's own declarations
(``capabilities``, ``quick_options``), never from tables keyed by engine name.

The network is the 8-12-3 soft-LIF network of spiking_networks.firing_state, which every engine maps.
"""
from __future__ import annotations

import numpy as np
import pytest

from tpneuro.engines import ENGINES, get_engine, get_engine_class
from tpneuro.errors import ConfigError, UnsupportedByEngine
from tpneuro.hardware import PROFILE_FEATURES, list_profiles, load_profile
from tpneuro.network import NetworkSpec
from tpneuro.rules.declarations import FEEDBACK_TRAININGS, FEEDBACK_WIRINGS
from tpneuro.runs.chip_setup import chip_instance, put_on_chip

from spiking_networks import BETA, firing_state, one_of_each_rule

BLOCKS = np.tile(np.repeat(np.eye(3), [3, 3, 2], axis=1), (2, 1))     # three disjoint input blocks, twice each
LABELS = np.array([0, 1, 2, 0, 1, 2])


@pytest.fixture(params=sorted(ENGINES))
def engine_name(request):
    return request.param


def quick_engine(name: str, **options):
    """The engine with the settings it declares for short checks, and ``options`` on top."""
    return get_engine(name, "test", {**get_engine_class(name).quick_options, **options})


def test_capabilities_name_only_known_declarations(engine_name):
    """An engine declares its mapping in the terms the rules and profiles declare themselves in."""
    caps = get_engine_class(engine_name).capabilities
    assert caps.wirings and caps.wirings <= set(FEEDBACK_WIRINGS)
    assert caps.feedback_trainings <= set(FEEDBACK_TRAININGS)
    assert caps.feedback_maps <= {"none", "linear", "nonlinear"}
    assert caps.profile_features is None or caps.profile_features <= set(PROFILE_FEATURES)


@pytest.mark.parametrize("rule_name, hyper", one_of_each_rule(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_rule_is_either_refused_in_one_line_or_trained(engine_name, rule_name, hyper):
    """What the declarations exclude is refused (the assembly of a run asks before anything is built), in one line
    naming the engine and the fix; what they admit really trains: one online batch gives a finite loss and changes
    the forward weights."""
    engine = quick_engine(engine_name)
    state, _, _ = firing_state(rule=rule_name, hyper=hyper)
    refusal = type(engine).capabilities.refusal(state.rule, state.spec, None)
    if refusal is not None:
        with pytest.raises(UnsupportedByEngine, match=rf"^{engine_name} engine: .*; fix: .+") as err:
            engine.check_supported(state)
        assert "\n" not in str(err.value)
        return
    before = state.forward_params["W1"].copy()
    res = engine.train_batch(state, BLOCKS, LABELS, np.random.default_rng(0), train_feedback=True)
    assert np.isfinite(res.loss) and 0 <= res.n_correct <= len(LABELS)
    assert not np.array_equal(state.forward_params["W1"], before)


def test_non_local_rules_are_refused_by_engines_that_map_only_local_ones(engine_name):
    """An engine that declares ``local_rules_only`` refuses BP (weight transport) and GNT (Jacobians), naming what
    each needs; the others do not refuse them for their locality."""
    engine = get_engine_class(engine_name)
    for rule_name, hyper, needs in (("bp", {}, "transposed forward weights"),
                                    ("gnt", {"beta": 0.1, "damping": 0.1}, "output Jacobians")):
        state, _, _ = firing_state(rule=rule_name, hyper=hyper)
        if engine.capabilities.local_rules_only:
            with pytest.raises(UnsupportedByEngine, match=rf"rule '{rule_name}' is not local .*{needs}.*"
                                                          r"; fix: use --engine rate"):
                engine.check_run(state.rule, state.spec, None)
        else:
            refusal = engine.capabilities.refusal(state.rule, state.spec, None)
            assert refusal is None or "not local" not in refusal[0]


def test_hidden_and_output_activations_are_refused_or_run_from_the_declaration(engine_name):
    """A tanh hidden layer and a tanh output are refused, naming the field and a mapped activation, exactly by the
    engines whose declarations exclude them."""
    caps = get_engine_class(engine_name).capabilities
    for field, kwargs in (("network.activation", {"hidden_activation": "tanh"}),
                          ("network.output_activation", {"output_activation": "tanh"})):
        state, _, _ = firing_state()
        spec = NetworkSpec(state.spec.layer_sizes, kwargs.get("hidden_activation", "soft_lif"),
                           kwargs.get("output_activation", "linear"))
        mapped = caps.hidden_activations if field == "network.activation" else caps.output_activations
        if mapped is None or "tanh" in mapped:
            get_engine_class(engine_name).check_run(state.rule, spec, None)
        else:
            with pytest.raises(UnsupportedByEngine, match=rf"{field} 'tanh' is not mapped by .*; fix: set {field}: "):
                get_engine_class(engine_name).check_run(state.rule, spec, None)


@pytest.mark.parametrize("profile_name", list_profiles())
def test_profiles_are_refused_or_modeled_from_their_features(engine_name, profile_name):
    """A chip whose profile uses a feature outside the engine's declared ``profile_features`` is refused in one
    line naming the profile field; on any other chip the engine runs a batch and keeps the weights on the chip's
    grid."""
    engine = quick_engine(engine_name)
    profile = load_profile(profile_name)
    state, _, _ = firing_state()
    put_on_chip(state, chip_instance(profile, state, seed=0), np.random.default_rng(0))
    declared = type(engine).capabilities.profile_features
    unmodeled = [f for f in profile.features() if declared is not None and f not in declared]
    if unmodeled and state.chip is not None:
        with pytest.raises(UnsupportedByEngine, match=rf"hardware profile '{profile_name}': .* is not modeled by .*"
                                                      r"; fix: use --engine rate, or a profile without it"):
            engine.check_supported(state)
        return
    engine.train_batch(state, BLOCKS, LABELS, np.random.default_rng(0), train_feedback=True)
    if state.chip is not None and state.chip.weight_grid(1) is not None:
        assert state.chip.weight_grid(1).contains(state.forward_params["W1"])


def test_evaluation_passes_follow_the_declaration(engine_name):
    """One pass: the accuracy is that of the predicted logits. More passes are refused, naming the fix, by an
    engine whose passes cannot differ on this network (no chip)."""
    engine = quick_engine(engine_name)
    state, x, y = firing_state()
    ev = engine.evaluate(state, x, y)
    assert ev.accuracy == pytest.approx(np.mean(engine.predict(state, x).argmax(axis=1) == y))
    if type(engine).averages_passes(None):
        assert 0.0 <= engine.evaluate(state, x, y, passes=3).accuracy <= 1.0
    else:
        with pytest.raises(UnsupportedByEngine, match=r"eval_passes = 3 .*fix: set training.eval_passes: 1"):
            engine.evaluate(state, x, y, passes=3)


def test_online_training_lowers_the_loss(engine_name):
    """Three disjoint input blocks labelled 0, 1, 2: five training passes at the engine's quick settings lower the
    evaluation loss by more than 0.1 (spiking engines at learning_rate 0.5: nengo 1.05 -> 0.85, brian2 1.04 ->
    0.86 when measured; the rate engine's Adam at lr 0.1: 1.05 -> 0.89)."""
    options = {"learning_rate": 0.5} if "learning_rate" in _option_names(engine_name) else {}
    engine = quick_engine(engine_name, **options)
    state, _, _ = firing_state()
    state.forward_optimizer.lr = 0.1
    before = engine.evaluate(state, BLOCKS, LABELS).loss
    for k in range(5):
        engine.train_batch(state, BLOCKS, LABELS, np.random.default_rng(k), train_feedback=True)
    assert engine.evaluate(state, BLOCKS, LABELS).loss < before - 0.1


def test_options_are_the_declared_ones(engine_name):
    """``engine_options`` reach the engine as its options object; a misspelt setting is refused in one line that
    names the field and lists the engine's settings (or says it has none)."""
    names = _option_names(engine_name)
    if names:
        field = names[0]
        value = getattr(get_engine(engine_name).options, field)
        assert getattr(get_engine(engine_name, "cfg", {field: value}).options, field) == value
        fix = r"use one of: .*" + field
    else:
        fix = "remove engine_options"
    with pytest.raises(ConfigError, match=rf"cfg: engine_options.nosuchsetting: is not a setting of the "
                                          rf"{engine_name} engine; fix: {fix}"):
        get_engine(engine_name, "cfg", {"nosuchsetting": 1})


def _option_names(engine_name: str) -> list[str]:
    from tpneuro.engines.registry import option_names

    return option_names(get_engine_class(engine_name))


__all__ = ["BETA", "engine_name", "quick_engine", "test_capabilities_name_only_known_declarations",
           "test_evaluation_passes_follow_the_declaration", "test_every_rule_is_either_refused_in_one_line_or_trained",
           "test_hidden_and_output_activations_are_refused_or_run_from_the_declaration",
           "test_non_local_rules_are_refused_by_engines_that_map_only_local_ones", "test_online_training_lowers_the_loss",
           "test_options_are_the_declared_ones", "test_profiles_are_refused_or_modeled_from_their_features"]
