"""The tpneuro command line, end to end on the embedded digits data."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tpneuro.cli import main

ROOT = Path(__file__).parent.parent


def run(args, capsys):
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    main(["train", str(ROOT / "models/digits_ddtp_linear.yaml"), "--epochs", "2", "--seed", "3", "--out", str(run_dir), "--quiet"])
    return run_dir


def test_train_prints_table_and_writes_run_dir(trained):
    rows = json.loads((trained / "metrics.json").read_text())
    assert len(rows) == 2
    assert json.loads((trained / "status.json").read_text())["status"] == "completed"
    assert "seed: 3" in (trained / "config.yaml").read_text()


def test_evaluate_reproduces_final_metrics(trained, capsys):
    code, out, _ = run(["evaluate", str(trained)], capsys)
    last = json.loads((trained / "metrics.json").read_text())[-1]
    assert code in (0, None)
    assert f"{100 * last['test_acc']:.2f}" in out


def test_resume_extends_a_run(trained, capsys, tmp_path):
    code, out, _ = run(["train", "--resume", str(trained), "--epochs", "3", "--quiet"], capsys)
    assert code in (0, None)
    assert len(json.loads((trained / "metrics.json").read_text())) == 3


def test_hardware_training_and_deployment(trained, capsys, tmp_path):
    code, out, _ = run(["train", str(ROOT / "models/digits_ddtp_linear.yaml"), "--epochs", "1", "--hardware", "loihi1",
                        "--out", str(tmp_path / "hw"), "--quiet"], capsys)
    assert code in (0, None)
    assert "on loihi1:" in out and "per inference" in out
    code, out, _ = run(["evaluate", str(trained), "--hardware", "dynapse2", "--chips", "2"], capsys)
    assert code in (0, None)
    assert "the trained weights put on dynapse2, 2 chip instances: test accuracy" in out and "without a chip" in out


def test_rules_and_profiles_listings(capsys):
    _, out, _ = run(["rules"], capsys)
    for name in ("bp", "fa", "dfa", "tp", "dtp", "drl", "ddtp_linear", "ddtp_rhl", "gnt"):
        assert f"\n{name}" in "\n" + out
    assert "Meulemans et al. 2020" in out
    _, out, _ = run(["profiles"], capsys)
    assert "loihi1" in out and "truenorth" in out
    _, out, _ = run(["profiles", "show", "truenorth"], capsys)
    assert "source" in out.lower() or "[confirmed]" in out


@pytest.mark.parametrize("args,pattern", [
    (["train", "nope.yaml"], "error: nope.yaml: <file>: no such config file"),
    (["train", str(ROOT / "models/digits_bp.yaml"), "--engine", "gpu"], "engine: unknown name 'gpu'; fix: use one of"),
    (["train", str(ROOT / "models/digits_bp.yaml"), "--hardware", "loihi9"], "unknown name 'loihi9'"),
])
def test_user_errors_are_one_line_with_exit_code_2(args, pattern, capsys, tmp_path):
    code, out, err = run(args + ["--out", str(tmp_path / "r")], capsys)
    assert code == 2
    assert pattern in err
    assert err.strip().count("\n") == 0
    assert not (tmp_path / "r").exists()


def test_help_of_every_command():
    for cmd in ([], ["train"], ["evaluate"], ["rules"], ["profiles"], ["chips"]):
        out = subprocess.run([sys.executable, "-m", "tpneuro.cli", *cmd, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "Usage:" in out.stdout, (cmd, out.stderr)
