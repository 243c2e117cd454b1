"""``trial.json``: what the sweep knows about a trial, next to the run directory files the trainer writes.

The trainer's ``status.json`` says running, completed or diverged; it cannot say that an attempt failed
with an exception or that its worker process died. ``trial.json`` holds the trial's identity (id, base,
axes, overrides, so the results table can be rebuilt from the trial directories alone) and the outcome
of its latest attempt: status, one-line message, attempts, seconds, host and process id.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..atomic_files import write_text_atomic
from ..runs.run_directory import STATUS_FILE

TRIAL_FILE = "trial.json"
COMPLETED, DIVERGED, FAILED, RUNNING, INTERRUPTED, PENDING = (
    "completed", "diverged", "failed", "running", "interrupted", "pending")
FINISHED = (COMPLETED, DIVERGED)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def read_record(run_dir: Path) -> dict:
    """The trial's record ({} when the trial never started)."""
    return _read(Path(run_dir) / TRIAL_FILE)


def write_record(run_dir: Path, record: dict) -> None:
    write_text_atomic(Path(run_dir) / TRIAL_FILE, json.dumps(record, indent=1, default=str))


def run_status(run_dir: Path) -> dict:
    """The trainer's status.json ({} when training never saved a checkpoint)."""
    return _read(Path(run_dir) / STATUS_FILE)


def trial_status(run_dir: Path, sweep_running: bool) -> tuple[str, str]:
    """(status, one-line message) of a trial directory.

    completed / diverged when the trainer says so (unless a later attempt failed); failed when the
    sweep recorded an exception or a dead worker; running while the sweep runs, else interrupted, when
    an attempt started and did not finish; pending when nothing was ever written.
    """
    record, trainer = read_record(run_dir), run_status(run_dir).get("status")
    message = record.get("message", "")
    if record.get("status") == FAILED:
        return FAILED, message
    if trainer in FINISHED:
        return trainer, message
    if record or trainer:
        return (RUNNING if sweep_running else INTERRUPTED), message
    return PENDING, ""
