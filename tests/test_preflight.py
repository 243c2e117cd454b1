"""The run preflight: a bad profile, an unsupported rule/engine pair, a bad engine option, a missing optimizer or a
broken design rule fails in one line before the dataset is read, from ``tpneuro train``, ``evaluate``, ``chips``
and the Python API, and nothing is written.

The configs point at a Fashion-MNIST directory that does not exist, and the dataset loader is replaced by one that
fails the test if it is ever called."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

import tpneuro
from tpneuro.cli import main
from tpneuro.config import validate_config
from tpneuro.errors import TpneuroError
from tpneuro.runs import preflight


def touched(*args, **kwargs):
    raise AssertionError("the dataset was read before the config was checked")


@pytest.fixture
def untouchable_data(monkeypatch):
    monkeypatch.setattr("tpneuro.runs.assembly.load_dataset", touched)


BASE = {"name": "pre", "dataset": {"name": "fashion_mnist", "path": "/nonexistent/fashion-mnist"},
        "network": {"hidden": [16]}, "rule": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1},
        "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3}, "training": {"epochs": 1}}

BAD = [
    ({"hardware": "nosuchchip"}, r"hardware.profile: profile 'nosuchchip': unknown name 'nosuchchip'; fix: use one of"),
    ({"engine": "nengo", "network": {"hidden": [16], "activation": "soft_lif"}, "rule": {"name": "bp"}},
     r"nengo engine: rule 'bp' is not local .*transposed forward weights.*; fix: use --engine rate"),
    ({"engine": "brian2", "network": {"hidden": [16], "activation": "soft_lif"}, "engine_options": {"nudge": 1e-6}},
     r"engine_options.nudge: 1e-06 s is shorter than dt = 0.0001 s; fix: make every phase"),
    ({"engine": "nengo", "engine_options": {"nudgee": 0.01}},
     r"engine_options.nudgee: is not a setting of the nengo engine; fix: use one of: .*nudge"),
    ({"optimizer": None}, r"optimizer: the rate engine learns by optimizer steps but no optimizer is given; fix: add"),
    ({"feedback_optimizer": None}, r"feedback_optimizer: rule 'ddtp_linear' trains feedback weights but no feedback "
                                   r"optimizer is given"),
    ({"hardware": "xylo"}, r"design rule input_units_max broken at layer 0: input units 784 > "),
    ({"engine": "nengo", "network": {"hidden": [16], "activation": "soft_lif"}, "training": {"eval_passes": 3}},
     r"nengo engine: training.eval_passes = 3 averages stochastic units, which this network does not have"),
]


def bad_config(tmp_path, change: dict):
    data = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("change, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_train_refuses_before_reading_data_and_writes_nothing(tmp_path, capsys, untouchable_data, change, message):
    path = bad_config(tmp_path, change)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", str(path), "--out", str(tmp_path / "run"), "--quiet"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert __import__("re").search(message, err), err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("change, message", BAD[:3], ids=["profile", "rule", "option"])
def test_the_python_api_runs_the_same_preflight(tmp_path, untouchable_data, change, message):
    cfg = validate_config({**BASE, **change}, "api")
    with pytest.raises(TpneuroError, match=message):
        tpneuro.train(cfg, tmp_path / "run", progress=False)
    with pytest.raises(TpneuroError, match=message):
        preflight(cfg, "api")
    assert not (tmp_path / "run").exists()


def test_evaluate_and_chips_check_the_run_config_before_its_data(tmp_path, monkeypatch, capsys):
    """A run whose config.yaml names a profile that no longer exists is refused by ``evaluate`` and ``chips``
    before its data are read."""
    cfg = {**BASE, "dataset": {"name": "digits", "train_subset": 40}, "training": {"epochs": 1, "batch_size": 20}}
    tpneuro.train(validate_config(cfg), tmp_path / "run", progress=False)
    stored = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())
    stored["hardware"] = {"profile": "nosuchchip", "chip_seed": None, "design_rules": "enforce"}
    (tmp_path / "run" / "config.yaml").write_text(yaml.safe_dump(stored))
    monkeypatch.setattr("tpneuro.runs.loading.load_data", touched)
    for command in (["evaluate", str(tmp_path / "run")], ["chips", str(tmp_path / "run")]):
        with pytest.raises(SystemExit) as exit_info:
            main(command)
        assert exit_info.value.code == 2
        assert "config.yaml: hardware.profile: profile 'nosuchchip': unknown name" in capsys.readouterr().err


def test_a_spiking_config_needs_no_optimizer_and_is_told_when_it_gives_one():
    """The spiking engines learn inside their simulation (engine_options.learning_rate): a config without the
    optimizer sections is complete, and one that has them gets a note naming what is not used."""
    spiking = {**BASE, "engine": "nengo", "network": {"hidden": [16], "activation": "soft_lif"}}
    without = {k: v for k, v in spiking.items() if k not in ("optimizer", "feedback_optimizer")}
    assert preflight(validate_config(without)).notes == ()
    (note,) = preflight(validate_config(spiking)).notes
    assert "nengo engine learns inside its simulation at engine_options.learning_rate" in note
    assert "does not use optimizer and feedback_optimizer" in note


def test_preflight_keeps_the_loaded_profile_and_the_rule(untouchable_data):
    plan = preflight(validate_config({**BASE, "hardware": "loihi2"}), "cfg")
    assert plan.profile.name == "loihi2" and plan.rule.name == "ddtp_linear" and plan.shape == (784, 10)
    assert plan.network_spec(*plan.shape).layer_sizes == (784, 16, 10)
    assert np.isfinite(plan.rule.output_step())
