"""The sweep's tables, rebuilt from the trial directories alone (trial.json, summary.json, metrics.json).

- ``results.csv`` / ``results.jsonl``: one row per trial: id, status, the values that vary (one column
  per grid axis, random-search parameter and ``base``), rule, engine, hardware profile, seed, and the
  run's summary (test accuracy at the best-validation epoch, the paper's metric, and its error, final
  accuracy, epochs, training seconds, operations and joules per inference and per training sample).
- ``aggregate.csv`` / ``aggregate.jsonl``: one row per group of trials that differ only in ``seed``:
  trial counts by status and, over the group's completed trials, the mean and the sample standard
  deviation (ddof 1; empty for a single trial) of every metric. Diverged and failed trials are counted,
  not averaged.

Rebuilding instead of appending is what makes the tables safe: a sweep that is killed, or a worker that
dies, leaves each trial directory either finished or not, and the next run (or ``--report-only``) gives
the same tables from whatever finished.
"""
from __future__ import annotations

import csv
import io
import json
import math
import statistics
from pathlib import Path
from typing import Any

from ..atomic_files import write_text_atomic
from ..runs.run_directory import METRICS_JSON, SUMMARY_FILE
from .trial_grid import BASE_AXIS, Trial, value_label
from .trial_record import COMPLETED, DIVERGED, FAILED, read_record, trial_status

SEED_AXIS = "seed"
RESULTS_CSV, RESULTS_JSONL, AGGREGATE_CSV, AGGREGATE_JSONL = (
    "results.csv", "results.jsonl", "aggregate.csv", "aggregate.jsonl")
TRIALS_DIR = "trials"

# metric -> where it comes from in summary.json (None: computed here)
METRICS = ("test_acc_at_best_val", "test_error_at_best_val", "best_val_acc", "final_test_acc", "best_epoch",
           "train_seconds", "wall_seconds", "mean_epoch_seconds", "joules_per_inference", "joules_per_training_sample",
           "joules_per_inference_lower_bound", "joules_per_training_sample_lower_bound",
           "synaptic_ops_per_inference", "synaptic_ops_per_training_sample")
SUMMARY_KEYS = tuple(m for m in METRICS if m not in ("test_error_at_best_val", "train_seconds", "wall_seconds"))


def trial_dir(out_dir: Path, trial: Trial) -> Path:
    return Path(out_dir) / TRIALS_DIR / trial.trial_id


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None


def profile_name(config: dict) -> str:
    """The hardware profile's name ('' without one): a profile file path gives its stem."""
    hardware = config.get("hardware") or {}
    profile = hardware.get("profile") or ""
    return Path(profile).stem if profile.endswith((".yaml", ".yml")) else profile


def group_axes(trial: Trial) -> dict[str, Any]:
    return {k: v for k, v in trial.axes.items() if k != SEED_AXIS}


def group_label(trial: Trial) -> str:
    """The trial's group: its varying values except the seed, e.g. ``fmnist_drl-loihi2`` (``all`` if none)."""
    return "-".join(value_label(k, v) for k, v in group_axes(trial).items()) or "all"


def trial_row(trial: Trial, out_dir: Path) -> dict[str, Any]:
    run_dir = trial_dir(out_dir, trial)
    record = read_record(run_dir)
    status, message = trial_status(run_dir, sweep_running=False)
    summary = _read_json(run_dir / SUMMARY_FILE, {})
    history = _read_json(run_dir / METRICS_JSON, [])
    cfg = trial.config
    row: dict[str, Any] = {"trial_id": trial.trial_id, "group": group_label(trial), "status": status,
                           "message": message, "attempts": record.get("attempts", 0)}
    row.update({f"axis:{k}": (Path(v).stem if k == BASE_AXIS else v) for k, v in trial.axes.items()})
    row.update({"rule": cfg["rule"]["name"], "engine": cfg["engine"], "hardware_profile": profile_name(cfg),
                "seed": cfg["seed"], "dataset": cfg["dataset"]["name"], "epochs": cfg["training"]["epochs"],
                "epochs_done": len(history)})
    row.update({k: summary.get(k) for k in SUMMARY_KEYS})
    acc = _number(summary.get("test_acc_at_best_val"))
    row["test_error_at_best_val"] = None if acc is None else 1.0 - acc
    row["train_seconds"] = sum(r.get("epoch_seconds") or 0.0 for r in history) if history else None
    row["wall_seconds"] = record.get("total_seconds", record.get("seconds"))   # all attempts that ended
    row["run_dir"] = str(Path(TRIALS_DIR) / trial.trial_id)
    return row


def aggregate(trials: list[Trial], rows: list[dict]) -> list[dict[str, Any]]:
    """One row per group (file order of first appearance): counts, and mean/std over completed trials."""
    groups: dict[str, list[tuple[Trial, dict]]] = {}
    for trial, row in zip(trials, rows):
        groups.setdefault(row["group"], []).append((trial, row))
    out = []
    for label, members in groups.items():
        first_trial, first = members[0]
        done = [r for _, r in members if r["status"] == COMPLETED]
        agg: dict[str, Any] = {"group": label}
        agg.update({f"axis:{k}": first[f"axis:{k}"] for k in group_axes(first_trial)})
        for key in ("rule", "engine", "hardware_profile", "dataset"):
            values = {r[key] for _, r in members}
            agg[key] = first[key] if len(values) == 1 else "mixed"
        agg["seeds"] = " ".join(str(r["seed"]) for _, r in members)
        agg.update(n_trials=len(members), n_completed=len(done),
                   n_diverged=sum(r["status"] == DIVERGED for _, r in members),
                   n_failed=sum(r["status"] == FAILED for _, r in members),
                   n_unfinished=sum(r["status"] not in (COMPLETED, DIVERGED, FAILED) for _, r in members))
        for metric in METRICS:
            values = [v for v in (_number(r.get(metric)) for r in done) if v is not None]
            agg[f"{metric}_mean"] = statistics.fmean(values) if values else None
            agg[f"{metric}_std"] = statistics.stdev(values) if len(values) > 1 else None
        out.append(agg)
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _csv(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def _jsonl(rows: list[dict]) -> str:
    safe = lambda v: None if isinstance(v, float) and not math.isfinite(v) else v  # noqa: E731
    return "".join(json.dumps({k: safe(v) for k, v in row.items()}, default=str) + "\n" for row in rows)


def build_tables(trials: list[Trial], out_dir: Path) -> tuple[list[dict], list[dict]]:
    """Rebuild and write results.{csv,jsonl} and aggregate.{csv,jsonl}; return (rows, aggregate rows)."""
    out_dir = Path(out_dir)
    rows = [trial_row(t, out_dir) for t in trials]
    agg = aggregate(trials, rows)
    write_text_atomic(out_dir / RESULTS_CSV, _csv(rows))
    write_text_atomic(out_dir / RESULTS_JSONL, _jsonl(rows))
    write_text_atomic(out_dir / AGGREGATE_CSV, _csv(agg))
    write_text_atomic(out_dir / AGGREGATE_JSONL, _jsonl(agg))
    return rows, agg
