"""One trial, as a Ray worker runs it: the same Trainer as ``tpneuro train``, into the trial's run directory.

The worker writes ``trial.json`` twice, atomically: ``running`` (with its host and process id) before
training and the outcome when training ends: ``completed``, ``diverged`` (a DivergedError: recorded, not
raised) or ``failed`` (any other exception, with its one-line message and traceback). Training resumes
from the run directory's checkpoint when it has one (an earlier attempt that died, was interrupted or
ran fewer epochs), so a retried trial repeats at most the epoch that was running.

BLAS libraries are limited to the trial's CPUs (threadpoolctl, on top of the OMP/OPENBLAS/MKL variables
the sweep gives its workers): otherwise every trial would start one BLAS thread per core and trials
running side by side would oversubscribe the machine.

A pack of compatible trials (tpneuro.sweeps.trial_packs) runs in one task through
tpneuro.training.train_together: each trial still writes its own run directory and ``trial.json``, resumes from
its own checkpoint, and ends completed, diverged or failed on its own; an exception outside the trials' own
training fails every trial of the pack.
"""
from __future__ import annotations

import os
import socket
import time
import traceback
from pathlib import Path
from typing import Any

from ..config import validate_config
from ..errors import DivergedError
from ..runs import CHECKPOINT_FILE
from .trial_record import COMPLETED, DIVERGED, FAILED, RUNNING, read_record, write_record

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                         "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _start_record(trial: dict[str, Any], run_dir: Path) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(the running record, already written; the previous record; whether the trial resumes)."""
    previous = read_record(run_dir)
    resume = (run_dir / CHECKPOINT_FILE).is_file()
    record = {"trial_id": trial["trial_id"], "base": trial["base"], "axes": trial["axes"],
              "overrides": trial["overrides"], "status": RUNNING, "message": "",
              "attempts": int(previous.get("attempts", 0)) + 1, "resumed": resume,
              "host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
    write_record(run_dir, record)
    return record, previous, resume


def _end_record(run_dir: Path, record: dict[str, Any], previous: dict[str, Any], elapsed: float) -> dict[str, Any]:
    record.update(seconds=elapsed, total_seconds=float(previous.get("total_seconds") or 0.0) + elapsed,
                  finished=time.time())
    write_record(run_dir, record)
    return record


def run_trial(trial: dict[str, Any], run_dir: str, source: str, cpus: int = 1) -> dict[str, Any]:
    """Train ``trial`` (a Trial as a dict) into ``run_dir``; return its final record (also in trial.json)."""
    from threadpoolctl import threadpool_limits

    from ..training import Trainer

    run_dir_path = Path(run_dir)
    record, previous, resume = _start_record(trial, run_dir_path)
    start = time.perf_counter()
    try:
        with threadpool_limits(limits=cpus):
            cfg = validate_config(trial["config"], source)
            result = Trainer(cfg, run_dir_path, progress=False, source=source).run(resume=resume)
        record.update(status=COMPLETED, epochs_done=len(result.history))
    except DivergedError as exc:
        record.update(status=DIVERGED, message=one_line(exc))
    except Exception as exc:    # noqa: BLE001 - any trial error is the trial's outcome, not the sweep's
        record.update(status=FAILED, message=one_line(exc), traceback=traceback.format_exc())
    return _end_record(run_dir_path, record, previous, time.perf_counter() - start)


def run_pack(trials: list[dict[str, Any]], run_dirs: list[str], sources: list[str],
             cpus: int = 1) -> list[dict[str, Any]]:
    """Train the compatible ``trials`` side by side into their ``run_dirs`` (one trial: :func:`run_trial`);
    return their final records. Each record's ``seconds`` is the pack's wall time, ``packed_with`` the number
    of trials that shared it."""
    if len(trials) == 1:
        return [run_trial(trials[0], run_dirs[0], sources[0], cpus)]
    from threadpoolctl import threadpool_limits

    from ..training import train_together

    paths = [Path(d) for d in run_dirs]
    started = [_start_record(t, p) for t, p in zip(trials, paths)]
    records = [r for r, _, _ in started]
    start = time.perf_counter()
    try:
        with threadpool_limits(limits=cpus):
            cfgs = [validate_config(t["config"], src) for t, src in zip(trials, sources)]
            outcomes = train_together(cfgs, paths, progress=False, resume=[r for _, _, r in started], sources=sources)
        for record, outcome in zip(records, outcomes):
            if isinstance(outcome, DivergedError):
                record.update(status=DIVERGED, message=one_line(outcome))
            else:
                record.update(status=COMPLETED, epochs_done=len(outcome.history))
    except Exception as exc:    # noqa: BLE001 - any error of the pack is its trials' outcome, not the sweep's
        for record in records:
            record.update(status=FAILED, message=one_line(exc), traceback=traceback.format_exc())
    elapsed = time.perf_counter() - start
    return [_end_record(p, {**r, "packed_with": len(trials)}, prev, elapsed)
            for p, r, (_, prev, _) in zip(paths, records, started)]
