"""Run a sweep on Ray: validate every trial, skip the finished ones, run the rest as Ray tasks, rebuild
the tables and write the report.

Ray Core tasks, one per trial (``tpneuro.sweeps.trial_runner.run_trial``), each reserving
``cpus_per_trial`` CPUs; Ray places them on the local machine (``ray.init(num_cpus=...)`` in this
process, by default all cores) or on an existing cluster (``ray_address``, or Ray's ``RAY_ADDRESS``
variable), and re-runs a task whose worker process died up to ``retries`` times (``max_retries``). The
trial directories must be on a file system every node sees (as Ray Tune's ``storage_path``): workers
write them, and the tables are rebuilt from them.

Order of work, so that a bad sweep costs nothing: load and validate the sweep file, expand and validate
every trial's config (and build its network on a stand-in), check every existing trial directory
against its trial; only then create the sweep directory and start Ray.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import TpneuroError
from ..hardware.profile_loading import PROFILE_DIR_ENV
from ..atomic_files import write_text_atomic
from ..directory_lock import exclusive
from .ray_import import import_ray
from .report import write_report
from .results_table import build_tables, trial_dir
from .sweep_spec import SweepSpec, load_sweep_spec
from .trial_grid import Trial, expand_trials
from .trial_plan import plan_trial
from .trial_record import FAILED, read_record, write_record
from .trial_packs import pack_trials
from .trial_runner import BLAS_THREAD_VARIABLES, one_line, run_pack

DEFAULT_ROOT = Path("runs") / "sweeps"
SPEC_COPY, TRIALS_FILE = "sweep.yaml", "trials.json"

Echo = Callable[[str], None]


class SweepLockedError(TpneuroError):
    """Another sweep is writing into the same sweep directory."""


@dataclass
class SweepResult:
    """What a sweep returns: one row per trial, one row per group, and where everything is."""

    name: str
    out_dir: Path
    rows: list[dict]
    aggregate: list[dict]
    report: Path
    ran: int = 0                 # trials run by this call (started or resumed)
    skipped: int = 0             # trials that had finished before
    ray: str = ""                # where the trials ran
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == FAILED]


@dataclass
class SweepPlan:
    spec: SweepSpec
    trials: list[Trial]
    out_dir: Path
    actions: dict[str, str]      # trial id -> skip, resume or start


def plan_sweep(sweep: str | os.PathLike | SweepSpec, out_dir: str | os.PathLike | None = None) -> SweepPlan:
    """Validate a sweep and every trial, and decide each trial's action; writes nothing.

    Parameters
    ----------
    sweep : str, os.PathLike or SweepSpec
        A sweep file or a parsed spec.
    out_dir : str or os.PathLike, optional
        The sweep directory (default runs/sweeps/NAME).

    Returns
    -------
    SweepPlan
        The spec, the trials and each trial's action (skip, resume or start).
    """
    spec = sweep if isinstance(sweep, SweepSpec) else load_sweep_spec(sweep)
    trials = expand_trials(spec)
    out = Path(out_dir) if out_dir is not None else DEFAULT_ROOT / spec.name
    actions = {t.trial_id: plan_trial(t, trial_dir(out, t), spec.source) for t in trials}
    return SweepPlan(spec, trials, out, actions)


def _locked(out_dir: Path):
    """The sweep directory's exclusive lock (tpneuro.directory_lock) for the life of the sweep."""
    return exclusive(out_dir, lambda holder: SweepLockedError(
        f"{out_dir}: another sweep is running into this directory ({holder}); fix: wait for it, or give this one "
        "another --out directory"))


def worker_environment(cpus_per_trial: int) -> dict[str, str]:
    """Variables of every worker process: BLAS threads per trial, and where extra profiles are."""
    env = {name: str(cpus_per_trial) for name in BLAS_THREAD_VARIABLES}
    if os.environ.get(PROFILE_DIR_ENV):
        env[PROFILE_DIR_ENV] = str(Path(os.environ[PROFILE_DIR_ENV]).resolve())
    return env


@contextlib.contextmanager
def ray_connection(address: str | None, workers: int | None, cpus_per_trial: int):
    """Connect to the cluster at ``address`` (or ``$RAY_ADDRESS``), or start Ray in this process on
    ``workers * cpus_per_trial`` CPUs (default all cores); reuse a connection the caller already made.
    Yields a description of where the trials run; disconnects (and stops a local Ray) afterwards."""
    ray = import_ray()

    if ray.is_initialized():
        yield f"the Ray connection of this process ({int(ray.cluster_resources().get('CPU', 0))} CPUs)"
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    options: dict[str, Any] = {"runtime_env": {"env_vars": worker_environment(cpus_per_trial)},
                               "log_to_driver": False, "logging_level": logging.WARNING}
    main_thread = threading.current_thread() is threading.main_thread()
    on_term = signal.getsignal(signal.SIGTERM) if main_thread else None
    if address:
        ray.init(address=address, **options)
        where = f"the Ray cluster at {address}"
    else:
        cpus = (workers or os.cpu_count() or 1) * cpus_per_trial
        ray.init(num_cpus=cpus, include_dashboard=False, **options)
        where = f"a local Ray instance ({cpus} CPUs)"
    if callable(on_term):         # Ray's core worker replaces a SIGTERM handler the caller installed
        signal.signal(signal.SIGTERM, on_term)
    try:
        yield f"{where}, {int(ray.cluster_resources().get('CPU', 0))} CPUs"
    finally:
        ray.shutdown()


def _crashed(trial: Trial, run_dir: Path, exc: BaseException, retries: int) -> dict:
    """Record a trial whose task Ray gave up on (its worker died ``retries + 1`` times, or Ray failed)."""
    record = read_record(run_dir) or {"trial_id": trial.trial_id, "base": trial.base, "axes": trial.axes,
                                      "overrides": trial.overrides, "attempts": retries + 1}
    first = one_line(exc).split(". ")[0][:300]
    record.update(status=FAILED, message=f"Ray gave up after {retries + 1} attempt(s): {first}",
                  finished=time.time())
    write_record(run_dir, record)
    return record


def _progress_line(done: int, total: int, trial: Trial, record: dict) -> str:
    acc = ""
    summary_path = Path(record.get("_run_dir", "")) / "summary.json"
    if record.get("status") == "completed" and summary_path.is_file():
        best = json.loads(summary_path.read_text()).get("test_acc_at_best_val")
        acc = f"  test acc. at best val. {100 * best:.2f} %" if best is not None else ""
    msg = f"  {record.get('message', '')}" if record.get("status") != "completed" else ""
    secs = record.get("seconds")
    return (f"[{done}/{total}] {record.get('status', '?'):9s} {trial.trial_id}{acc}"
            + (f"  {secs:.1f} s" if secs is not None else "") + msg[:200])


def _run_on_ray(plan: SweepPlan, todo: list[Trial], workers: int | None, in_flight_cap: bool, echo: Echo,
                pack: int) -> None:
    ray = import_ray()

    spec = plan.spec
    task = ray.remote(run_pack).options(num_cpus=spec.cpus_per_trial, num_gpus=spec.gpus_per_task,
                                        max_retries=spec.retries, retry_exceptions=False, name="tpneuro-trial")
    queue = pack_trials(todo, pack)
    cap = workers if (in_flight_cap and workers) else len(queue)
    pending: dict[Any, list[Trial]] = {}

    def submit() -> None:
        while queue and len(pending) < cap:
            trials = queue.pop(0)
            run_dirs = [str(trial_dir(plan.out_dir, t).resolve()) for t in trials]
            trial_dicts = [{"trial_id": t.trial_id, "base": t.base, "axes": t.axes, "overrides": t.overrides,
                            "config": t.config} for t in trials]
            sources = [f"{spec.source} [trial {t.trial_id}]" for t in trials]
            pending[task.remote(trial_dicts, run_dirs, sources, spec.cpus_per_trial)] = trials

    submit()
    done = 0
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            trials = pending.pop(ready[0])
            try:
                records = ray.get(ready[0])
            except ray.exceptions.RayError as exc:
                records = [_crashed(t, trial_dir(plan.out_dir, t), exc, spec.retries) for t in trials]
            for trial, record in zip(trials, records):
                done += 1
                run_dir = trial_dir(plan.out_dir, trial)
                echo(_progress_line(done, len(todo), trial, {**record, "_run_dir": str(run_dir)}))
            submit()
    except BaseException:
        for ref in pending:      # interrupted: stop the trials still running (their records say running)
            ray.cancel(ref, force=True)
        raise


def run_sweep(sweep: str | os.PathLike | SweepSpec, out_dir: str | os.PathLike | None = None, *,
              ray_address: str | None = None, workers: int | None = None, echo: Echo | None = None,
              report_only: bool = False, pack: int | None = None) -> SweepResult:
    """Run (or continue) a sweep on Ray and return its tables.

    Trials that finished before are skipped, the others resumed from their checkpoints or started; every trial
    is checked by the run preflight before any of them runs.

    Parameters
    ----------
    sweep : str, os.PathLike or SweepSpec
        A sweep file (or the name of a shipped one), or a parsed spec.
    out_dir : str or os.PathLike, optional
        The sweep directory (default runs/sweeps/NAME); locked while the sweep runs.
    ray_address : str, optional
        An existing Ray cluster (default ``$RAY_ADDRESS``, else Ray started here on the local cores).
    workers : int, optional
        Trials at once.
    echo : callable, optional
        Receives one line per finished trial.
    report_only : bool
        Run nothing; rebuild the tables and the report from the trial directories.
    pack : int, optional
        Train up to this many compatible jax-engine trials per task as one vmapped program
        (tpneuro.sweeps.trial_packs); default: the sweep file's ``pack``.

    Returns
    -------
    SweepResult
        One row per trial, one per group (mean and std over seeds), the report's path and the counts.
    """
    if pack is not None and pack < 1:
        raise ValueError(f"pack must be at least 1, got {pack}")
    echo = echo or (lambda line: None)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    plan = plan_sweep(sweep, out_dir)
    spec, out = plan.spec, plan.out_dir
    todo = [t for t in plan.trials if plan.actions[t.trial_id] != "skip"]
    where, note = "", ""
    with _locked(out):
        write_text_atomic(out / SPEC_COPY, spec.path.read_text() if spec.path.is_file() else
                          json.dumps(spec.model_dump(), indent=1))
        write_text_atomic(out / TRIALS_FILE, json.dumps(
            [{"trial_id": t.trial_id, "base": t.base, "axes": t.axes, "overrides": t.overrides}
             for t in plan.trials], indent=1, default=str))
        resumed = sum(plan.actions[t.trial_id] == "resume" for t in todo)
        echo(f"sweep {spec.name}: {len(plan.trials)} trials, {len(plan.trials) - len(todo)} finished before "
             f"(skipped), {len(todo) - resumed} to start, {resumed} to resume; results in {out}")
        try:
            if todo and not report_only:
                with ray_connection(ray_address, workers, spec.cpus_per_trial) as where:
                    echo(f"running on {where}")
                    _run_on_ray(plan, todo, workers, in_flight_cap=bool(ray_address or os.environ.get("RAY_ADDRESS")),
                                echo=echo, pack=pack if pack is not None else spec.pack)
        except KeyboardInterrupt:
            note = "The sweep was interrupted: re-run it to continue."
            raise
        finally:
            rows, agg = build_tables(plan.trials, out)
            report = write_report(spec.name, spec.source, out, rows, agg, note)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return SweepResult(spec.name, out, rows, agg, report, ran=0 if report_only else len(todo),
                       skipped=len(plan.trials) - len(todo), ray=where, counts=counts)
