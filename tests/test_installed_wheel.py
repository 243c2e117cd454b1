"""The package as a user installs it: ``python -m build`` makes the sdist and, from the unpacked sdist, the
wheel; a plain ``pip install`` of the wheel goes into a fresh virtual environment outside the checkout, and
the ``tpneuro`` command runs from a directory that holds no repository files.

This is the check that the wheel carries the hardware profiles, model configs and sweep files, that the
entry point and the version work, and that the core dependencies are enough for training (Ray, an extra,
is not installed here). Run it alone with ``pytest -m installed_wheel``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tpneuro

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.installed_wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the installed ``tpneuro`` script, a working directory outside the checkout, the environment)."""
    work = tmp_path_factory.mktemp("installed_wheel")
    dist, venv, cwd = work / "dist", work / "venv", work / "elsewhere"
    cwd.mkdir()
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = sorted(dist.glob("tpneuro-*.whl"))
    assert len(wheels) == 1 and len(list(dist.glob("tpneuro-*.tar.gz"))) == 1, sorted(dist.iterdir())
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # pip of this environment installs into the new one (--python): a plain install of the wheel and its
    # dependencies from the index (pip's cache), without compiling every dependency's bytecode first.
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                          "--quiet", "--no-compile", "--disable-pip-version-check", str(wheels[0])],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TPNEURO_PROFILE_DIR", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return venv / "bin" / "tpneuro", cwd, env


def run(installed, *args, expect: int = 0) -> subprocess.CompletedProcess:
    script, cwd, env = installed
    out = subprocess.run([str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
    assert out.returncode == expect, (args, out.stdout[-2000:], out.stderr[-2000:])
    return out


def test_the_installed_package_is_not_the_checkout(installed):
    script, cwd, env = installed
    python = script.parent / "python"
    where = subprocess.run([str(python), "-c", "import tpneuro; print(tpneuro.__file__)"], capture_output=True,
                           text=True, cwd=cwd, env=env, check=True).stdout.strip()
    assert Path(where).is_relative_to(script.parent.parent) and not Path(where).is_relative_to(ROOT), where


def test_version(installed):
    assert run(installed, "--version").stdout.split()[-1] == tpneuro.__version__


def test_profiles_list_and_show(installed):
    listed = run(installed, "profiles").stdout
    assert {"loihi2", "truenorth", "ideal"} <= {line.split()[0] for line in listed.splitlines() if line.strip()}
    shown = run(installed, "profiles", "show", "loihi2").stdout
    assert "loihi2" in shown and "confirmed" in shown


def test_rules(installed):
    names = {line.split()[0] for line in run(installed, "rules").stdout.splitlines() if line and not line[0].isspace()}
    assert names == set(tpneuro.RULES)


def test_train_a_shipped_config_by_name_and_on_a_shipped_chip(installed):
    script, cwd, env = installed
    run(installed, "train", "digits_ddtp_linear", "--epochs", "1", "--quiet", "--out", "plain")
    run(installed, "train", "models/digits_ddtp_linear.yaml", "--hardware", "loihi2", "--epochs", "1", "--quiet",
        "--out", "loihi2")
    plain = json.loads((cwd / "plain" / "summary.json").read_text())
    chip = json.loads((cwd / "loihi2" / "summary.json").read_text())
    assert plain["epochs"] == chip["epochs"] == 1
    assert chip["hardware_profile"] == "loihi2" and "hardware_profile" not in plain
    assert 0.2 < plain["test_acc_at_best_val"] <= 1 and 0.2 < chip["test_acc_at_best_val"] <= 1


def test_shipped_sweep_validates_and_ray_is_an_extra(installed):
    planned = run(installed, "sweep", "digits_smoke", "--dry-run", "--out", "sweep").stdout
    assert "trials valid" in planned
    missing = run(installed, "sweep", "digits_smoke", "--out", "sweep", expect=2)
    assert "pip install 'tpneuro[sweeps]'" in missing.stderr and missing.stderr.strip().count("\n") == 0
