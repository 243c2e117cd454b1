"""Hardware-aware training and deployment through the rate engine (profiles applied in the loop)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tpneuro.config import validate_config
from tpneuro.data import load_dataset
from tpneuro.deployment import RunDeployer
from tpneuro.hardware import HardwareDesignRuleError
from tpneuro.training import Trainer, train

PROFILES = Path(__file__).parent.parent / "hardware_profiles"


def config(hardware=None, lr=3e-3, epochs=2, rule="ddtp_linear", lr_schedule=None):
    hyper = {"beta": 0.1, "sigma": 0.1} if rule == "ddtp_linear" else {}
    return validate_config({
        "seed": 1, "dataset": {"name": "teacher"}, "network": {"hidden": [16, 16]},
        "rule": {"name": rule, **hyper}, "optimizer": {"lr": lr}, "feedback_optimizer": {"lr": 1e-3},
        "training": {"epochs": epochs, "batch_size": 50, "epochs_fb": 1, "extra_fb_epochs": 1,
                     "lr_schedule": lr_schedule or {}},
        "hardware": hardware})


@pytest.fixture(scope="module")
def data():
    return load_dataset("teacher", seed=0)


def test_ideal_profile_is_bit_identical_to_no_profile(data):
    plain = train(config(), progress=False, data=data)
    ideal = train(config("ideal"), progress=False, data=data)
    assert ideal.state.chip is None
    assert [r["test_loss"] for r in ideal.history] == [r["test_loss"] for r in plain.history]
    for k, v in plain.state.forward_params.items():
        np.testing.assert_array_equal(ideal.state.forward_params[k], v)


def test_scheduled_learning_rate_is_rounded_to_the_chip_mantissa(data):
    """loihi1 stores learning rates with a 3-bit mantissa: 3e-3 * 0.5^2 = 7.5e-4 is stored as the nearest
    value m * 2^k with 3 mantissa bits (round_mantissa), not as 7.5e-4 itself."""
    res = train(config("loihi1", epochs=3, lr_schedule={"kind": "step", "gamma": 0.5}), progress=False, data=data)
    chip = res.state.chip
    assert res.state.forward_optimizer.lr == chip.quantize_learning_rate(3e-3 * 0.25, "forward")
    assert res.state.feedback_optimizer.lr == chip.quantize_learning_rate(1e-3 * 0.25, "feedback")
    assert res.state.forward_optimizer.lr != pytest.approx(3e-3 * 0.25, rel=1e-6)


def test_every_weight_is_on_the_chip_grid_after_training(data):
    res = train(config("loihi2"), progress=False, data=data)
    chip = res.state.chip
    for i in range(1, res.state.spec.n_layers + 1):
        grid = chip.weight_grid(i)
        W = res.state.forward_params[f"W{i}"]
        assert grid.contains(W), f"W{i} left the grid"
        assert len(np.unique(W)) <= 2 ** 8
    for i in range(1, res.state.spec.n_layers):
        assert chip.weight_grid(i, "feedback").contains(res.state.feedback_params[f"Q{i}"])
    assert res.history[-1]["train_loss"] < res.history[0]["train_loss"]      # it still learns on the grid


def _profile_with_update_rounding(tmp_path, rounding: str) -> str:
    """loihi2's 8-bit weights with its update rounding replaced."""
    data = yaml.safe_load((PROFILES / "loihi2.yaml").read_text())
    data["name"] = f"loihi2_{rounding}"
    data["updates"]["rounding"] = {"value": rounding, "source": "test variant", "confidence": "modeling_choice"}
    path = tmp_path / f"loihi2_{rounding}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_stochastic_rounding_keeps_learning_where_nearest_rounding_loses_small_updates(tmp_path, data):
    """With lr 1e-4 every Adam step (|dW| <= lr) is far below half a weight step (2^-7 of a layer's range),
    so nearest rounding discards every update and the forward weights never move; stochastic rounding
    keeps each update in expectation, so the weights move and the loss falls."""
    runs = {}
    for rounding in ("nearest", "stochastic"):
        trainer = Trainer(config(_profile_with_update_rounding(tmp_path, rounding), lr=1e-4, epochs=3, rule="bp"),
                          progress=False, data=data)
        initial = {k: v.copy() for k, v in trainer.state.forward_params.items() if k.startswith("W")}
        runs[rounding] = (initial, trainer.run())
    initial, nearest = runs["nearest"]
    for k, W in initial.items():                       # biases stay float and learn; weights never move
        np.testing.assert_array_equal(nearest.state.forward_params[k], W)
    initial, stochastic = runs["stochastic"]
    moved = [np.mean(stochastic.state.forward_params[k] != W) for k, W in initial.items()]
    assert min(moved) > 0.05, f"fraction of weights that moved per layer: {moved}"
    assert stochastic.history[-1]["train_loss"] < nearest.history[-1]["train_loss"]


def test_design_rule_violation_is_refused_unless_report_only(data):
    with pytest.raises(HardwareDesignRuleError, match=r"xylo.*input_units_max broken at layer 0: input units 20 > 16"):
        train(config("xylo"), progress=False, data=data)
    res = train(config({"profile": "xylo", "design_rules": "report"}), progress=False, data=data)
    assert any("input_units_max" in v for v in res.summary["design_rule_violations"])


def test_deployment_on_several_chips_reports_spread_and_energy(tmp_path, data):
    train(config(epochs=2), tmp_path / "run", progress=False, data=data)
    dep = RunDeployer(tmp_path / "run")
    ideal = dep.deploy("ideal", chips=2)
    assert ideal.accuracies[0] == ideal.accuracies[1]
    noisy = dep.deploy("dynapse2", chips=3, report_only=True)     # 10 % frozen mismatch differs per chip
    assert len(set(noisy.accuracies)) > 1
    gen = dep.deploy("generic45nm", chips=1)
    macs = 20 * 16 + 16 * 16 + 16 * 5
    assert gen.energy["synaptic_ops_per_inference"] == macs
    assert gen.energy["joules_per_inference"] > 0


def test_a_cost_only_profile_prices_training(data):
    """generic45nm changes no arithmetic (the run is bit-identical to no profile) but still prices it:
    inference = MACs x 4.6 pJ (Horowitz 2014 via generic45nm.yaml) for the 20-16-16-5 network."""
    plain = train(config(), progress=False, data=data)
    priced = train(config("generic45nm"), progress=False, data=data)
    timeless = lambda history: [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in history]  # noqa: E731
    assert timeless(priced.history) == timeless(plain.history)
    macs = 20 * 16 + 16 * 16 + 16 * 5
    assert priced.summary["joules_per_inference"] == pytest.approx(macs * 4.6e-12)
    assert priced.summary["joules_per_training_sample"] > priced.summary["joules_per_inference"]
