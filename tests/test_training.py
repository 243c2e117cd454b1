"""The training loop: run directory contents, resume == uninterrupted, divergence handling."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tpneuro.config import load_config, validate_config
from tpneuro.config.experiment import LrScheduleConfig
from tpneuro.data import load_dataset
from tpneuro.errors import ConfigError, DivergedError, RunDirectoryError
from tpneuro.training import train


def config(**training):
    return validate_config({
        "name": "t", "seed": 3, "dataset": {"name": "teacher"}, "network": {"hidden": [16, 16]},
        "rule": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1}, "optimizer": {"lr": 3e-3},
        "feedback_optimizer": {"lr": 1e-3, "weight_decay": 1e-4},
        "training": {"epochs": 4, "batch_size": 50, "epochs_fb": 1, "extra_fb_epochs": 1, **training},
        "diagnostics": {"enabled": True, "batch_size": 32}})


@pytest.fixture(scope="module")
def data():
    return load_dataset("teacher", seed=0)


def test_run_directory_holds_config_metrics_checkpoint_and_plots(tmp_path, data):
    cfg = config()
    res = train(cfg, tmp_path / "run", progress=False, data=data)
    run = tmp_path / "run"
    assert load_config(run / "config.yaml") == cfg
    rows = json.loads((run / "metrics.json").read_text())
    assert [r["epoch"] for r in rows] == [1, 2, 3, 4]
    assert {"train_loss", "val_acc", "test_acc", "reconstruction_loss", "angle_bp/L1", "angle_gn/L2",
            "angle_gnt/L3", "null_space/L1", "condition2/L1"} <= set(rows[0])
    assert (run / "metrics.csv").read_text().count("\n") == 5
    summary = json.loads((run / "summary.json").read_text())
    assert summary["test_acc_at_best_val"] == res.summary["test_acc_at_best_val"]
    assert json.loads((run / "status.json").read_text())["status"] == "completed"
    for png in ("learning_curves.png", "alignment_angles.png"):
        assert (run / "plots" / png).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("schedule", [{}, {"kind": "step", "gamma": 0.5}], ids=["constant", "step"])
def test_resume_reproduces_uninterrupted_run(tmp_path, data, schedule):
    full = train(config(lr_schedule=schedule), tmp_path / "full", progress=False, data=data)
    train(config(epochs=2, lr_schedule=schedule), tmp_path / "part", progress=False, data=data)
    resumed = train(config(lr_schedule=schedule), tmp_path / "part", progress=False, data=data, resume=True)
    assert [r["test_acc"] for r in resumed.history] == [r["test_acc"] for r in full.history]
    for k, v in full.state.forward_params.items():
        np.testing.assert_array_equal(resumed.state.forward_params[k], v)
    for k, v in full.state.feedback_params.items():
        np.testing.assert_array_equal(resumed.state.feedback_params[k], v)


def test_existing_run_directory_is_not_overwritten(tmp_path, data):
    train(config(epochs=1), tmp_path / "run", progress=False, data=data)
    before = (tmp_path / "run" / "checkpoint.npz").read_bytes()
    with pytest.raises(RunDirectoryError, match="already holds a run; fix: pass --resume"):
        train(config(epochs=1), tmp_path / "run", progress=False, data=data)
    assert (tmp_path / "run" / "checkpoint.npz").read_bytes() == before


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow is what this test provokes
def test_diverging_run_stops_cleanly_and_keeps_last_good_epoch(tmp_path, data, monkeypatch):
    """One good epoch, then the resumed run's weights are blown up after an optimizer step of epoch 2 (a fault
    injected into Adam.step): the loss becomes non-finite, the run stops with the divergence message, and the
    directory keeps epoch 1's checkpoint and metrics, says diverged and has its plots."""
    from tpneuro.optimizers.adam import Adam

    train(config(epochs=1), tmp_path / "run", progress=False, data=data)
    good = (tmp_path / "run" / "checkpoint.npz").read_bytes()
    metrics = (tmp_path / "run" / "metrics.json").read_text()
    step = Adam.step

    def exploding(self, params, grads):
        step(self, params, grads)
        if "W1" in params:
            params["W1"] *= 1e300
    monkeypatch.setattr(Adam, "step", exploding)
    with pytest.raises(DivergedError, match=r"diverged at epoch 2, batch \d+: the loss is nan; the run directory keeps "
                                            r"epoch 1; fix: lower optimizer\.lr \(now 0\.003\)"):
        train(config(epochs=3), tmp_path / "run", progress=False, data=data, resume=True)
    assert (tmp_path / "run" / "checkpoint.npz").read_bytes() == good
    assert (tmp_path / "run" / "metrics.json").read_text() == metrics
    assert json.loads((tmp_path / "run" / "status.json").read_text()) == {"status": "diverged", "epochs_done": 1}
    assert (tmp_path / "run" / "plots" / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_a_loss_above_the_bound_stops_the_run(tmp_path, data):
    """Adam at lr 1000 does not reach NaN on every run but sits at losses in the hundreds: the max_loss bound stops
    it in the first epoch (and can be switched off with null)."""
    cfg = config(epochs=2).model_copy(update={"optimizer": config().optimizer.model_copy(update={"lr": 1000.0})})
    with pytest.raises(DivergedError, match=r"the loss \S+ exceeds training.divergence.max_loss = 50; the run "
                                            r"directory keeps epoch 0.*fix: lower optimizer.lr \(now 1000\)"):
        train(cfg, tmp_path / "run", progress=False, data=data)
    assert json.loads((tmp_path / "run" / "status.json").read_text())["status"] == "diverged"


def test_a_growing_loss_stops_the_run(tmp_path, data, monkeypatch):
    """growth: an epoch's training loss above growth x the lowest of the previous window epochs. With the loss of
    epoch 2 reported 20 times that of epoch 1 (injected), the run stops at epoch 2 and keeps epoch 1."""
    from dataclasses import replace

    from tpneuro.engines.rate_engine import RateEngine

    original, epochs = RateEngine.train_epochs, []

    def inflated(self, works, *args, **kwargs):
        epochs.append(len(epochs) + 1)
        return [replace(r, losses=r.losses * (20 if epochs[-1] == 2 else 1))
                for r in original(self, works, *args, **kwargs)]
    monkeypatch.setattr(RateEngine, "train_epochs", inflated)
    with pytest.raises(DivergedError, match=r"at epoch 2: the training loss \S+ is more than training.divergence.growth "
                                            r"= 10 times the lowest of the previous 1 epochs"):
        train(config(epochs=3), tmp_path / "run", progress=False, data=data)
    assert json.loads((tmp_path / "run" / "status.json").read_text()) == {"status": "diverged", "epochs_done": 1}


def test_lr_schedule_factors():
    """Gold values: inverse 1/(1 + d (e - 1)) with d = 0.5 gives 1, 1/1.5, 1/2, 1/2.5; step gamma^floor((e - 1)/k)
    with gamma 0.5, k = 2 gives 1, 1, 0.5, 0.5, 0.25; constant gives 1."""
    inverse = LrScheduleConfig(kind="inverse", decay=0.5)
    assert [inverse.factor(e) for e in (1, 2, 3, 4)] == pytest.approx([1, 1 / 1.5, 0.5, 0.4])
    step = LrScheduleConfig(kind="step", gamma=0.5, step_epochs=2)
    assert [step.factor(e) for e in (1, 2, 3, 4, 5)] == [1, 1, 0.5, 0.5, 0.25]
    assert LrScheduleConfig().factor(7) == 1.0


def test_inverse_schedule_without_decay_is_refused():
    with pytest.raises(ConfigError, match=r"training\.lr_schedule.*decay > 0"):
        config(lr_schedule={"kind": "inverse"})


def test_lr_schedule_scales_the_optimizers_each_epoch(data):
    """Epoch 1 runs at factor 1 (same numbers as a constant schedule), later epochs at the scheduled lr,
    so the runs part after epoch 1; the factor is in every metrics row."""
    constant = train(config(epochs=3), progress=False, data=data)
    scheduled = train(config(epochs=3, lr_schedule={"kind": "inverse", "decay": 1.0}), progress=False, data=data)
    assert [r["lr_factor"] for r in scheduled.history] == pytest.approx([1, 0.5, 1 / 3])
    assert scheduled.history[0]["test_loss"] == constant.history[0]["test_loss"]
    assert scheduled.history[1]["test_loss"] != constant.history[1]["test_loss"]
    assert scheduled.state.forward_optimizer.lr == pytest.approx(3e-3 / 3)
    assert scheduled.state.feedback_optimizer.lr == pytest.approx(1e-3 / 3)
    assert scheduled.state.lr_scale == pytest.approx(1 / 3)


def test_numpy_warnings_are_folded_into_the_divergence_message(capsys):
    """numpy's RuntimeWarnings while training are counted, not printed, and named in the divergence message."""
    from tpneuro.config.experiment import DivergenceConfig
    from tpneuro.training.divergence_guard import DivergenceGuard

    guard = DivergenceGuard(DivergenceConfig(), ("optimizer.lr", 0.1))
    with guard.catching_numeric_warnings():
        np.exp(np.array([1000.0, 1000.0]))
        np.exp(np.array([1000.0]))
    assert capsys.readouterr().err == ""
    with pytest.raises(DivergedError, match=r"the loss is inf; the run directory keeps epoch 2; numpy warned 2 times "
                                            r"\(overflow encountered in exp\); fix: lower optimizer.lr \(now 0.1\)"):
        guard.check_batch(float("inf"), 3, 0)

