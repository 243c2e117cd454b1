"""A hardware profile applied inside the nengo engine: plastic weights committed onto the chip's grid with its
update rounding, the learning-rate mantissa, activity noise and offsets as currents, the ideal profile as
no profile, and one-line refusals for what spiking LIF populations do not have.

Every test builds at most two tiny models (the 8-12-3 network of test_nengo_engine.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tpneuro.config import validate_config
from tpneuro.engines.nengo_engine import NengoEngine, build_nengo_network
from tpneuro.engines.nengo_engine.chip_noise import ChipActivityNoise
from tpneuro.hardware import calibrated_to, place_on_grid
from tpneuro.hardware import ChipInstance, load_profile, parse_profile, round_mantissa
from tpneuro.training import train

from test_nengo_engine import firing_state

PROFILES = Path(__file__).parent.parent / "hardware_profiles"
BLOCKS = np.tile(np.repeat(np.eye(3), [3, 3, 2], axis=1), (2, 1))     # three disjoint input blocks, twice
LABELS = np.array([0, 1, 2, 0, 1, 2])


def loihi2_variant(rounding: str, **sections):
    """loihi2 (8-bit weights, power-of-two step per layer) with its update rounding replaced."""
    data = yaml.safe_load((PROFILES / "loihi2.yaml").read_text())
    data["name"] = f"loihi2_{rounding}"
    data["updates"]["rounding"] = {"value": rounding, "source": "test variant", "confidence": "modeling_choice"}
    data.update(sections)
    return parse_profile(data, "test")


def on_chip(state, profile, seed: int = 0):
    """``state`` placed on a seeded, calibrated chip of ``profile`` (as the trainer's put_on_chip does)."""
    chip = ChipInstance(profile, state.spec.layer_sizes, seed)
    for pathway in ("forward", "feedback"):
        params, layers = state.params(pathway), state.chip_weight_layers(pathway)
        chip = calibrated_to(chip, params, layers, pathway)
        place_on_grid(chip, params, layers, pathway, np.random.default_rng(seed))
    state.chip = chip
    return state


def train_blocks(engine, state, batches: int) -> None:
    for k in range(batches):
        engine.train_batch(state, BLOCKS, LABELS, np.random.default_rng(k), train_feedback=True)


@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_learned_weights_stay_on_the_chip_grid(rounding):
    """Two online passes with the forward and feedback rules on: every W_i and Q_i is on its layer's grid
    (integer multiples of the step, within range), most of them moved (the rules still learn), biases are
    float and learn too."""
    state = on_chip(firing_state()[0], loihi2_variant(rounding))
    before = {**{k: v.copy() for k, v in state.forward_params.items()}, "Q1": state.feedback_params["Q1"].copy()}
    engine = NengoEngine(learning_rate=0.5)
    train_blocks(engine, state, 2)
    chip = state.chip
    for i in (1, 2):
        W = state.forward_params[f"W{i}"]
        assert chip.weight_grid(i).contains(W), f"W{i} left the grid ({rounding})"
        assert np.mean(W != before[f"W{i}"]) > 0.5, f"W{i} barely moved ({rounding})"
        assert not np.array_equal(state.forward_params[f"b{i}"], before[f"b{i}"])
    assert chip.weight_grid(1, "feedback").contains(state.feedback_params["Q1"])
    assert np.mean(state.feedback_params["Q1"] != before["Q1"]) > 0.5
    stores = engine._runtime.net.weight_stores
    assert [s.commits for s in stores] == [12, 12, 12]      # one commit per sample (nudged / noise phase)


def test_nearest_rounding_loses_updates_below_half_a_step_and_stochastic_rounding_keeps_them():
    """At learning rates 1e-3 a sample's change of W_i is far below half a weight step (2^-7 of a layer's
    range): nearest rounding never moves a weight, stochastic rounding moves some (E[W'] = W + dW)."""
    moved = {}
    for rounding in ("nearest", "stochastic"):
        state = on_chip(firing_state()[0], loihi2_variant(rounding))
        before = {k: state.forward_params[k].copy() for k in ("W1", "W2")}
        train_blocks(NengoEngine(learning_rate=1e-3, hidden_learning_rate=1e-3), state, 2)
        moved[rounding] = [np.mean(state.forward_params[k] != W) for k, W in before.items()]
    assert moved["nearest"] == [0.0, 0.0]
    assert min(moved["stochastic"]) > 0.0, moved


def test_stochastic_commits_are_reproducible_from_the_call_rng():
    a, b = (on_chip(firing_state()[0], loihi2_variant("stochastic")) for _ in range(2))
    train_blocks(NengoEngine(), a, 1)
    train_blocks(NengoEngine(), b, 1)
    for k in ("W1", "W2"):                          # on the grid: equal to the bit
        np.testing.assert_array_equal(a.forward_params[k], b.forward_params[k])
    np.testing.assert_array_equal(a.feedback_params["Q1"], b.feedback_params["Q1"])
    for k in ("b1", "b2"):                          # float: to nengo's summation order (see the ideal test)
        np.testing.assert_allclose(a.forward_params[k], b.forward_params[k], rtol=0, atol=1e-12)


def test_learning_rates_are_rounded_to_the_profile_mantissa():
    """loihi1 stores learning rates with a 3-bit mantissa: the rules' per-step factor kappa dt is rounded."""
    state = on_chip(firing_state()[0], load_profile("loihi1"))
    plain = build_nengo_network(firing_state()[0])
    chip_net = build_nengo_network(state)
    dt = 1e-3
    exact = plain.forward_connections[0].learning_rule_type.learning_rate * dt
    stored = chip_net.forward_connections[0].learning_rule_type.learning_rate * dt
    assert stored == pytest.approx(round_mantissa(exact, 3)) and stored != pytest.approx(exact)
    fb = chip_net.feedback_parameters[0][1].learning_rule_type.learning_rate * dt
    assert fb == pytest.approx(round_mantissa(NengoEngine().options.feedback_learning_rate * dt, 3))


def test_activity_noise_and_offsets_reach_the_output_as_in_the_rate_engine():
    """A noise-only profile (activity_sigma 0.05, offset mismatch 0.02): the free-phase logits move by exactly
    W_2 d_1 + d_2 against a noise-free run, d_i = o_i + sigma xi_i drawn from the call's rng (one hidden layer,
    so layer 1's spikes are unchanged; a 0.2 s settle lets the readout synapse forget the previous sample's
    draw); a fresh engine with the same rng gives the same logits."""
    def choice(value):
        return {"value": value, "source": "test", "confidence": "modeling_choice"}

    profile = parse_profile({"name": "noisy", "description": "noise only",
                             "noise": {"activity_sigma": choice(0.05), "offset_mismatch_sigma": choice(0.02)}}, "test")
    state, x, _ = firing_state()
    clean = NengoEngine(settle=0.2).predict(state, x[:2])
    state.chip = ChipInstance(profile, state.spec.layer_sizes, 3)
    engine = NengoEngine(settle=0.2)
    noisy = engine.predict(state, x[:2], np.random.default_rng(5))
    rng = np.random.default_rng(5)
    draws = [ChipActivityNoise(state.chip).deviations(rng) for _ in range(2)]
    want = np.array([state.forward_params["W2"] @ d[0] + d[1] for d in draws])
    np.testing.assert_allclose(noisy - clean, want, atol=1e-9)
    np.testing.assert_array_equal(NengoEngine(settle=0.2).predict(state, x[:2], np.random.default_rng(5)), noisy)


def test_ideal_profile_trains_the_weights_of_no_profile():
    """Through the trainer: hardware: ideal runs the model of no hardware section (no chip attached) and trains
    the same weights and metrics. Not to the bit: nengo's reference simulator orders operators through sets
    of objects hashed by id, so two builds of one network sum a neuron's input currents in different orders
    (measured: 5.6e-17 apart after one batch, the same with no profile twice)."""
    cfg = {"seed": 0, "engine": "nengo", "dataset": {"name": "digits", "train_subset": 8, "test_subset": 4,
                                                      "validation_size": 4},
           "network": {"hidden": [6], "activation": "soft_lif"},
           "rule": {"name": "ddtp_linear", "beta": 0.2, "sigma": 0.1},
           "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
           "training": {"epochs": 1, "batch_size": 4, "epochs_fb": 0, "extra_fb_epochs": 0}}
    plain = train(validate_config(cfg), progress=False)
    ideal = train(validate_config({**cfg, "hardware": "ideal"}), progress=False)
    assert ideal.state.chip is None
    assert ideal.history[0]["test_loss"] == pytest.approx(plain.history[0]["test_loss"], rel=1e-12)
    for params in ("forward_params", "feedback_params"):
        for k, v in getattr(plain.state, params).items():
            np.testing.assert_allclose(getattr(ideal.state, params)[k], v, rtol=0, atol=1e-12)


