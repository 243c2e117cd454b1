"""Results pages rendered from the files the benchmarks write (``benchmarks/results/*.json``), never typed.

``benchmarks/figures.yaml`` lists, per benchmark, the commands whose figures the documentation shows. For
each command the page shows its results file's tables with the command, the date, the machine and the
versions; a command without a results file is listed as not produced yet. Results files of other commands
are shown after the listed ones.
"""
from __future__ import annotations

import ast
import inspect
import json
import shlex
import sys
from pathlib import Path

import yaml

from reference_pages import cell, heading, list_table, write_if_changed

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from results_file import RESULTS_DIR, results_name  # noqa: E402


def _file_for(command: str, results_dir: Path) -> Path:
    argv = shlex.split(command)
    return results_dir / f"{results_name(argv[1:])}.json"


def _summary(benchmark: str) -> str:
    """The first paragraph of the benchmark script's docstring."""
    doc = ast.get_docstring(ast.parse((BENCHMARKS / f"{benchmark}.py").read_text(encoding="utf-8"))) or ""
    return inspect.cleandoc(doc.split("\n\n")[0])


def render_results(data: dict) -> str:
    """One results file: the command, where and when it ran, then every table and conclusion it printed."""
    machine = data["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in data.get("versions", {}).items())
    out = [f".. code-block:: bash\n\n   {data['command']}\n",
           f"Run {data['started']} at commit ``{data.get('git_commit') or 'unknown'}``, "
           f"{data['wall_seconds']:.0f} s, on {cell(machine['cpu'])} ({machine['cores']} cores, load average "
           f"{machine['load_average_1min']:.1f} at the end; {cell(machine['system'])}, Python "
           f"{machine['python']}; {versions}).\n"]
    for table in data["tables"]:
        out.append(f"**{cell(table['title'])}**\n")
        out.append(list_table([cell(c) for c in table["columns"]],
                              [[cell(v) for v in row] for row in table["rows"]]))
    for note in data.get("notes", []):
        out.append(f"- {cell(note)}")
    return "\n".join(out) + "\n"


def benchmark_page(benchmark: str, listed: list[dict], results_dir: Path) -> str:
    out = [heading(f"{benchmark}", over=True), _summary(benchmark) + "\n",
           f"Source: ``benchmarks/{benchmark}.py``; its docstring describes every option.\n"]
    shown = set()
    for entry in listed:
        path = _file_for(entry["command"], results_dir)
        shown.add(path.name)
        out.append(heading(entry["about"][0].upper() + entry["about"][1:], "-"))
        if path.is_file():
            out.append(render_results(json.loads(path.read_text(encoding="utf-8"))))
        else:
            out.append(".. note::\n\n   Not produced yet: no results file. Run from the repository root, then "
                       f"rebuild the documentation:\n\n   .. code-block:: bash\n\n      {entry['command']}\n")
    others = sorted(p for p in results_dir.glob(f"{benchmark}.json")) + \
        sorted(p for p in results_dir.glob(f"{benchmark}--*.json") if p.name not in shown)
    for path in (p for p in others if p.name not in shown):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append(heading(f"Other run: {data['command'].removeprefix('python ')}", "-"))
        out.append(render_results(data))
    return "\n".join(out)


def results_index(figures: dict, results_dir: Path) -> str:
    rows = []
    for benchmark, listed in figures.items():
        done = sum(_file_for(e["command"], results_dir).is_file() for e in listed)
        rows.append([f":doc:`{benchmark}`", cell(_summary(benchmark)), f"{done} of {len(listed)}"])
    out = [heading("Results", over=True),
           "Every figure tpneuro quotes, rendered from the results file the benchmark wrote when it ran "
           "(``benchmarks/results/``), with the exact command, the machine and the library versions. A "
           "benchmark prints its table and writes the file; nothing on these pages is typed by hand. Speed "
           "is reported as measured on the machine named with it. ``benchmarks/figures.yaml`` lists the "
           "commands shown here.\n", ".. toctree::", "   :hidden:", ""]
    out += [f"   {b}" for b in figures]
    out.append("")
    out.append(list_table(["benchmark", "what it measures", "commands with results"], rows, [20, 60, 20]))
    return "\n".join(out)


def generate(out_dir: Path, results_dir: Path = RESULTS_DIR) -> None:
    figures = yaml.safe_load((BENCHMARKS / "figures.yaml").read_text(encoding="utf-8"))
    write_if_changed(out_dir / "index.rst", results_index(figures, results_dir))
    for benchmark, listed in figures.items():
        write_if_changed(out_dir / f"{benchmark}.rst", benchmark_page(benchmark, listed, results_dir))
