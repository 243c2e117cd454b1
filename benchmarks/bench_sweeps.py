"""Throughput of a sweep of many small trials on Ray against running the same trials one after another
in one process, and the overhead per trial.

    python benchmarks/bench_sweeps.py [--trials 24] [--workers 2] [--epochs 1] [--train-subset 300]

The trials are digits DDTP-linear runs (64-16-10, ``--epochs`` epochs on ``--train-subset`` samples,
one seed each), every one writing its full run directory (checkpoint, metrics, summary, plots) and its
trial record. Sequential: ``tpneuro.sweeps.trial_runner.run_trial`` called in a loop in this process
(one BLAS thread, as in a worker). Sweep: ``tpneuro.run_sweep`` with Ray started in-process on
``--workers`` CPUs; timed with and without Ray's start-up, and the table and report at the end.
Overhead per trial = (sweep seconds without start-up x workers - the seconds the trials ran inside
their workers) / trials: scheduling, worker start-up and imports, and waiting, per trial. From the trial
records (pid, start, seconds): the dispatch gap between two trials on one worker (Ray's per-task cost),
each worker's first trial (process start-up and imports), and the steady-state throughput after it.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from tpneuro.sweeps import load_sweep_spec, run_sweep
from tpneuro.sweeps.trial_grid import expand_trials
from tpneuro.sweeps.trial_runner import run_trial

from results_file import ResultsFile

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-subset", type=int, default=300)
    parser.add_argument("--out", help="folder for the run directories (default: a temporary one)")
    args = parser.parse_args()
    results = ResultsFile()
    folder = Path(args.out or tempfile.mkdtemp(prefix="bench_sweeps-"))
    folder.mkdir(parents=True, exist_ok=True)
    sweep_file = folder / "bench.yaml"
    sweep_file.write_text(yaml.safe_dump({
        "name": "bench", "base": str(ROOT / "models" / "digits_ddtp_linear.yaml"),
        "set": {"training.epochs": args.epochs, "dataset.train_subset": args.train_subset, "network.hidden": [16]},
        "grid": {"seed": list(range(args.trials))}}, sort_keys=False))
    trials = expand_trials(load_sweep_spec(sweep_file))

    start = time.perf_counter()
    sequential_inside = []
    for trial in trials:
        record = run_trial({"trial_id": trial.trial_id, "base": trial.base, "axes": trial.axes,
                            "overrides": trial.overrides, "config": trial.config},
                           str(folder / "sequential" / trial.trial_id), "bench")
        assert record["status"] == "completed", record["message"]
        sequential_inside.append(record["seconds"])
    sequential = time.perf_counter() - start

    marks: dict[str, float] = {}

    def echo(line: str) -> None:
        now = time.perf_counter()
        if line.startswith("running on"):
            marks["ray_up"] = now
        elif line.startswith("["):
            marks["last_trial"] = now

    start = time.perf_counter()
    result = run_sweep(sweep_file, folder / "sweep", workers=args.workers, echo=echo)
    end = time.perf_counter()
    assert result.counts == {"completed": args.trials}, result.counts
    inside = [r["wall_seconds"] for r in result.rows]
    with_startup, without = end - start, marks["last_trial"] - marks["ray_up"]
    n = args.trials
    rows = [
        ["sequential, 1 process", f"{sequential:.1f}", f"{60 * n / sequential:.1f}", f"{statistics.fmean(sequential_inside):.2f}", "1.00"],
        [f"Ray sweep, {args.workers} workers, with start-up + report", f"{with_startup:.1f}", f"{60 * n / with_startup:.1f}",
         f"{statistics.fmean(inside):.2f}", f"{sequential / with_startup:.2f}"],
        [f"Ray sweep, {args.workers} workers, trials only", f"{without:.1f}", f"{60 * n / without:.1f}",
         f"{statistics.fmean(inside):.2f}", f"{sequential / without:.2f}"],
    ]
    results.table(f"{n} digits DDTP-linear trials (64-16-10, {args.epochs} epoch(s) on {args.train_subset} samples)",
                  ["mode", "wall s", "trials / min", "s per trial inside", "speed-up"], rows)
    overhead = (without * args.workers - sum(inside)) / n
    records = [json.loads((folder / "sweep" / r["run_dir"] / "trial.json").read_text()) for r in result.rows]
    by_pid: dict[int, list[dict]] = {}
    for rec in sorted(records, key=lambda r: r["started"]):
        by_pid.setdefault(rec["pid"], []).append(rec)
    gaps = [b["started"] - (a["started"] + a["seconds"]) for recs in by_pid.values() for a, b in zip(recs, recs[1:])]
    firsts = [recs[0]["seconds"] for recs in by_pid.values()]
    later = [r["seconds"] for recs in by_pid.values() for r in recs[1:]]
    warm_from = max(recs[0]["started"] + recs[0]["seconds"] for recs in by_pid.values())
    last_end = max(r["started"] + r["seconds"] for r in records)
    warm_n = sum(r["started"] >= warm_from - 1e-3 for r in records)
    if gaps and warm_n and last_end > warm_from:
        results.note(f"steady state (after each worker's first trial): Ray {60 * warm_n / (last_end - warm_from):.1f} "
              f"trials/min on {len(by_pid)} workers vs sequential {60 * (n - 1) / sum(sequential_inside[1:]):.1f}; "
              f"a trial {statistics.median(later):.2f} s on a worker vs {statistics.median(sequential_inside[1:]):.2f} s "
              f"sequential (median); first trial per worker {statistics.fmean(firsts):.2f} s (worker start-up, imports); "
              f"dispatch gap between trials on a worker {1000 * statistics.median(gaps):.0f} ms (median)")
    results.note(f"Ray start-up (ray.init) {marks['ray_up'] - start:.1f} s; tables and report "
          f"{end - marks['last_trial']:.1f} s; overhead per trial on Ray {overhead:.2f} s "
          f"(= {without:.1f} s x {args.workers} workers - {sum(inside):.1f} s inside trials, / {n}); "
          f"a trial inside a worker takes {statistics.fmean(inside) / statistics.fmean(sequential_inside):.2f}x "
          "its sequential time")
    results.write()


if __name__ == "__main__":
    main()
