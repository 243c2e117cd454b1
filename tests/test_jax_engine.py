"""The JAX engine as a training engine: the same seed gives the same numbers; N networks trained as one vmapped
program (seeds, chip instances of one profile, a learning-rate grid) give what N separate runs give; a run
resumes across engines from the same checkpoint; a diverging network stops alone; two epochs of the shipped
digits configs reach the rate engine's accuracy within seed noise."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tpneuro.config import load_config
from tpneuro.errors import ConfigError, DivergedError
from tpneuro.runs import load_run
from tpneuro.training import train, train_together

MODELS = Path(__file__).parent.parent / "models"
SMALL = {"training.epochs": 2, "dataset.train_subset": 288, "network.hidden": [16, 16], "training.epochs_fb": 1,
         "optimizer.lr": 0.01}        # 9 minibatches of 32


def digits(name: str = "ddtp_linear", **overrides):
    return load_config(MODELS / f"digits_{name}.yaml", {"engine": "jax", **SMALL, **overrides})


def params_close(a: dict, b: dict, rtol: float):
    assert set(a) == set(b)
    for k in a:
        assert a[k].dtype == b[k].dtype
        scale = max(float(np.max(np.abs(b[k]))), 1e-300)
        assert np.max(np.abs(a[k] - b[k])) <= rtol * scale, f"{k}: {np.max(np.abs(a[k] - b[k])) / scale:.3g}"


def test_same_seed_same_numbers_and_another_seed_others():
    first, again = train(digits(), progress=False), train(digits(), progress=False)
    assert first.history[-1]["train_loss"] < first.history[0]["train_loss"]
    assert [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in first.history] == \
           [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in again.history]
    for k, v in first.state.forward_params.items():
        np.testing.assert_array_equal(again.state.forward_params[k], v)
    other = train(digits(seed=1), progress=False)
    assert other.history[-1]["train_loss"] != first.history[-1]["train_loss"]


def test_networks_trained_together_equal_separate_runs(tmp_path):
    """Three networks in one vmapped program, differing in seed (weights, digits split, shuffles, noise), chip
    instance (int8_stochastic: per-layer grid steps from each network's weights) and learning rates: the two that
    train get, to 1e-9 of the weights' scale after two epochs, the history and weights of their separate runs;
    the third, whose learning rate is absurd, diverges and stops alone; each has its own run directory."""
    cfgs = [digits(seed=s, **{"hardware": {"profile": "int8_stochastic", "chip_seed": 10 + s}, "optimizer.lr": lr,
                              "feedback_optimizer.lr": lr / 2, "network.hidden": [16]})
            for s, lr in ((0, 3e-3), (1, 1e-2), (2, 1e308))]
    together = train_together(cfgs, [tmp_path / f"run{n}" for n in range(3)], progress=False)
    for n, cfg in enumerate(cfgs[:2]):
        alone = train(cfg, progress=False)
        got = together[n]
        assert [r["epoch"] for r in got.history] == [1, 2]
        for row_got, row_alone in zip(got.history, alone.history):
            for key in ("train_loss", "test_loss", "val_loss", "reconstruction_loss"):
                assert row_got[key] == pytest.approx(row_alone[key], rel=1e-9)
            assert row_got["test_acc"] == row_alone["test_acc"]
        params_close(got.state.forward_params, alone.state.forward_params, 1e-9)
        params_close(got.state.feedback_params, alone.state.feedback_params, 1e-9)
        assert json.loads((tmp_path / f"run{n}" / "status.json").read_text())["status"] == "completed"
    assert together[0].state.chip.weight_grid(1).step != together[1].state.chip.weight_grid(1).step
    assert isinstance(together[2], DivergedError) and "lower optimizer.lr" in str(together[2])
    assert json.loads((tmp_path / "run2" / "status.json").read_text())["status"] == "diverged"


def test_configs_trained_together_share_one_engine():
    with pytest.raises(ConfigError, match=r"config 2: engine: 'rate' differs from 'jax' of config 1; fix: train "
                                          r"together only configs that run on one engine"):
        train_together([digits(), digits(engine="rate")], progress=False)


@pytest.mark.parametrize("first, then", [("rate", "jax"), ("jax", "rate")])
def test_a_run_resumes_on_the_other_engine(tmp_path, first, then):
    """One epoch on ``first``, the second on ``then`` from the checkpoint: the other engine reads the parameters,
    Adam moments and step counts the first wrote (its evaluation of the checkpoint equals the first engine's to
    1e-10), continues the step counts and lowers the training loss; its checkpoint has the same arrays."""
    run = tmp_path / "run"
    part = train(digits(engine=first, **{"training.epochs": 1}), run, progress=False)
    steps = part.state.forward_optimizer.step_count
    saved = dict(np.load(run / "checkpoint.npz"))
    loaded = load_run(run)
    from tpneuro.engines import get_engine
    rows = {e: get_engine(e).evaluate(loaded.state, loaded.data.x_test, loaded.data.y_test) for e in ("rate", "jax")}
    assert rows["jax"].loss == pytest.approx(rows["rate"].loss, rel=1e-10)
    resumed = train(digits(engine=then), run, progress=False, resume=True)
    assert resumed.history[0] == part.history[0] and len(resumed.history) == 2
    assert resumed.history[1]["train_loss"] < resumed.history[0]["train_loss"]
    assert resumed.state.forward_optimizer.step_count == 2 * steps
    after = dict(np.load(run / "checkpoint.npz"))
    assert set(after) == set(saved)
    assert all(after[k].dtype == saved[k].dtype and after[k].shape == saved[k].shape for k in saved
               if k not in ("meta", "manifest"))


def test_the_command_line_resumes_a_run_on_the_other_engine(tmp_path, capsys):
    from tpneuro.cli import main
    from tpneuro.config.config_loading import dump_config

    config = tmp_path / "small.yaml"
    config.write_text(dump_config(digits(engine="rate")))
    main(["train", str(config), "--epochs", "1", "--out", str(tmp_path / "run"), "--quiet"])
    main(["train", "--resume", str(tmp_path / "run"), "--engine", "jax", "--epochs", "2", "--quiet"])
    assert "(jax engine)" in capsys.readouterr().out
    assert [r["epoch"] for r in json.loads((tmp_path / "run" / "metrics.json").read_text())] == [1, 2]
    assert load_config(tmp_path / "run" / "config.yaml").engine == "jax"


DIGITS_RATE_CONFIGS = ["bp", "ddtp_linear", "ddtp_rhl", "dfa", "drl", "dtp", "fa", "gnt", "tp"]


def two_epoch_accuracies(name: str, engine: str, seeds) -> list[float]:
    cfgs = [load_config(MODELS / f"digits_{name}.yaml", {"engine": engine, "seed": s, "training.epochs": 2})
            for s in seeds]
    results = train_together(cfgs, progress=False)
    return [r.history[-1]["test_acc"] for r in results]


def assert_within_seed_noise(name: str, seeds):
    """Test accuracy after two epochs, per seed, on both engines (the same splits and initial weights, other
    noise draws): the mean over seeds differs by less than three standard errors of the difference, with the
    rate engine's spread over seeds as the per-run noise (at least one test sample, 1/360)."""
    rate, jax = two_epoch_accuracies(name, "rate", seeds), two_epoch_accuracies(name, "jax", seeds)
    noise = max(float(np.std(rate, ddof=1)), 1 / 360)
    assert abs(np.mean(jax) - np.mean(rate)) <= 3 * noise * np.sqrt(2 / len(seeds)), (name, rate, jax)


@pytest.mark.parametrize("name", ["bp", "ddtp_linear"])
def test_shipped_digits_configs_reach_the_rate_engines_accuracy(name):
    """(The digits training set, 1257 = 39 x 32 + 9, ends with a smaller minibatch: the program runs it after its
    scan of the full ones.)"""
    assert_within_seed_noise(name, range(4))


@pytest.mark.slow
@pytest.mark.parametrize("name", DIGITS_RATE_CONFIGS)
def test_every_shipped_digits_config_reaches_the_rate_engines_accuracy(name):
    assert_within_seed_noise(name, range(6))
