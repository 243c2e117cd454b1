"""The layer contracts of pyproject.toml ([tool.importlinter], import-linter): nothing in tpneuro imports
upward, and the engines do not import each other. The second test shows the contract is not vacuous: an upward
import added to a scratch copy of the package breaks it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                           "sys.exit(lint_imports_command())"], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_layer_contracts_hold():
    out = lint_imports(ROOT)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in out.stdout


def test_an_upward_import_breaks_the_layer_contract(tmp_path):
    shutil.copytree(ROOT / "tpneuro", tmp_path / "tpneuro", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    weights = tmp_path / "tpneuro" / "network" / "weights.py"
    weights.write_text(weights.read_text() + "\nfrom ..training import trainer  # noqa: E402,F401\n")
    out = lint_imports(tmp_path)
    assert out.returncode != 0
    assert "tpneuro.network.weights -> tpneuro.training.trainer" in out.stdout
