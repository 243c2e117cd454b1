"""A trained run as a nengo.Network: ``tpneuro export RUN_DIR --engine nengo`` pickles it, plain nengo builds and
runs it, and its output probe gives the engine's free-phase predictions."""
from __future__ import annotations

import pickle

import nengo
import numpy as np
import pytest
import yaml

from tpneuro.cli import main
from tpneuro.config import validate_config
from tpneuro.engines.nengo_engine import NengoEngine
from tpneuro.interchange.nengo_network import network_from_run
from tpneuro.runs import load_run
from tpneuro.training import train


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """One epoch of the nengo engine on 8 digits (64-6-10), with a non-default engine option."""
    path = tmp_path_factory.mktemp("export") / "run"
    cfg = {"seed": 0, "engine": "nengo", "engine_options": {"settle": 0.05},
           "dataset": {"name": "digits", "train_subset": 8, "test_subset": 4, "validation_size": 4},
           "network": {"hidden": [6], "activation": "soft_lif"},
           "rule": {"name": "ddtp_linear", "beta": 0.2, "sigma": 0.1},
           "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
           "training": {"epochs": 1, "batch_size": 4, "epochs_fb": 0, "extra_fb_epochs": 0}}
    train(validate_config(cfg), path, progress=False)
    return path


def test_exported_network_runs_in_plain_nengo_and_matches_predict(run_dir, tmp_path, capsys):
    """The pickle from the CLI, built by nengo.Simulator and driven as the export docstring says (one input
    after the other, settle + average each), gives the logits of a fresh engine's predict on the checkpoint
    (to 1e-9: the same model, up to nengo's order of summing currents)."""
    out = tmp_path / "net.pkl"
    main(["export", str(run_dir), "--engine", "nengo", "--out", str(out)])
    assert f"written to {out}" in capsys.readouterr().out
    with open(out, "rb") as f:
        net = pickle.load(f)
    assert isinstance(net, nengo.Network) and net.options.settle == 0.05
    run = load_run(run_dir)
    x = run.data.x_test[:3]
    want = NengoEngine(settle=0.05).predict(run.state, x)
    n = net.options.steps(net.options.average)
    got = []
    with np.errstate(divide="ignore"), nengo.Simulator(net, progress_bar=False) as sim:
        for xb in x:
            net.presentation.x[:] = xb
            sim.run(net.options.settle + net.options.average)
            got.append(sim.data[net.output_probe][-n:].mean(axis=0))
    np.testing.assert_allclose(np.array(got), want, rtol=0, atol=1e-9)
    assert np.abs(want).max() > 0.01                    # the comparison is not between zeros


def test_network_from_run_carries_the_checkpoint_weights(run_dir):
    net = network_from_run(run_dir)
    state = load_run(run_dir).state
    for i, conn in enumerate(net.forward_connections, start=1):
        np.testing.assert_array_equal(conn.transform.init, state.forward_params[f"W{i}"])
    q = state.feedback_params["Q1"]
    np.testing.assert_array_equal(net.feedback_parameters[0][1].transform.init, np.hstack([q, -q]))
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["engine"] == "nengo"


def test_export_refuses_an_engine_it_cannot_write(run_dir, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", str(run_dir), "--engine", "brian2"])
    assert exc.value.code == 2 and "Invalid value for '--engine' / '--format': 'brian2'" in capsys.readouterr().err
