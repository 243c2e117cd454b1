"""The results file a benchmark writes next to the table it prints: ``benchmarks/results/<name>.json``.

The file holds the exact command that produced it, when and on what machine (CPU model, cores, load
average, library versions, git commit), and every table the benchmark printed, cell for cell. The
documentation's results pages are rendered from these files only; a figure quoted anywhere in the
project comes from one of them.

The file name is the benchmark's name and its arguments, so each distinct command keeps its own file and
re-running a command replaces it: ``python benchmarks/bench_nengo.py --epochs 6 --engines nengo`` writes
``benchmarks/results/bench_nengo--epochs-6-engines-nengo.json``.
"""
from __future__ import annotations

import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
_LIBRARIES = ("tpneuro", "numpy", "scipy", "brian2", "nengo", "ray", "nir", "jax", "jaxlib", "jax-cuda12-plugin",
              "optax", "spyx", "scikit-learn")


def results_name(argv: list[str]) -> str:
    """The file stem for a command line (``sys.argv``): the script's stem, then its arguments, with brackets and
    quotes dropped (``init_gain=[3, 30, 1]`` gives ``init_gain=3,30,1``) and other separators as ``-``."""
    stem = Path(argv[0]).stem
    args = re.sub(r",\s+", ",", re.sub(r"[\[\]{}()'\"]", "", " ".join(argv[1:])))
    args = re.sub(r"[^A-Za-z0-9_.,=+]+", "-", args).strip("-")
    return f"{stem}--{args}" if args else stem


def command_line(argv: list[str]) -> str:
    """The command as run from the repository root: ``python benchmarks/NAME.py ARGS``."""
    script = Path(argv[0]).resolve()
    shown = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    return shlex.join(["python", str(shown), *argv[1:]])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    """The commit checked out, with ``+changes`` when tracked files differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        return None
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + ("+changes" if changed else "")


def _versions() -> dict[str, str]:
    found = {}
    for name in _LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


class ResultsFile:
    """Collects the tables of one benchmark run; :meth:`write` saves them with the command and machine."""

    def __init__(self, argv: list[str] | None = None):
        self.argv = list(sys.argv if argv is None else argv)
        self.started = datetime.now(timezone.utc)
        self._clock = time.perf_counter()
        self.tables: list[dict] = []
        self.notes: list[str] = []

    def table(self, title: str, columns: list[str], rows: list[list]) -> None:
        """Print a table (its title line, then the columns right-aligned) and keep it, cell for cell."""
        # imported here, not at the top: bench_nir's snnTorch worker imports this module in a venv without tpneuro
        from tpneuro.formatting import text_table

        print(f"\n{title}\n{text_table(rows, columns)}", flush=True)
        self.tables.append({"title": title, "columns": [str(c) for c in columns],
                            "rows": [[c if isinstance(c, (int, float)) else str(c) for c in r] for r in rows]})

    def note(self, line: str) -> None:
        """Print a conclusion (e.g. whether a criterion is met) and keep it with the tables."""
        print(line, flush=True)
        self.notes.append(line)

    def write(self, directory: Path = RESULTS_DIR, **extra) -> Path:
        """Save the file; ``extra`` entries (e.g. a benchmark's raw measurements) are saved beside the tables."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{results_name(self.argv)}.json"
        data = {
            "benchmark": Path(self.argv[0]).stem,
            "command": command_line(self.argv),
            "started": self.started.isoformat(timespec="seconds"),
            "wall_seconds": round(time.perf_counter() - self._clock, 1),
            "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
                        "system": f"{platform.system()} {platform.release()}",
                        "python": platform.python_version()},
            "versions": _versions(),
            "git_commit": _git_commit(),
            "tables": self.tables,
            "notes": self.notes,
            **extra,
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        print(f"results written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return path
