"""The files of a run directory: config.yaml (the config that ran), checkpoint.npz, metrics.csv and
metrics.json (one row per epoch), summary.json, status.json, plots/. All written atomically."""
from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..atomic_files import write_text_atomic
from ..directory_lock import exclusive
from ..config.config_loading import dump_config
from ..config.experiment import ExperimentConfig
from ..engines.train_state import TrainState
from ..errors import RunDirectoryError
from .checkpoints import CHECKPOINT_FILE, Checkpoint, load_checkpoint, save_checkpoint

CONFIG_FILE, METRICS_CSV, METRICS_JSON, SUMMARY_FILE, STATUS_FILE = (
    "config.yaml", "metrics.csv", "metrics.json", "summary.json", "status.json")


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_metrics(run_dir: Path, history: list[dict]) -> None:
    columns: list[str] = []
    for row in history:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(history)
    write_text_atomic(run_dir / METRICS_CSV, buf.getvalue())
    rows = [{k: _json_safe(v) for k, v in row.items()} for row in history]
    write_text_atomic(run_dir / METRICS_JSON, json.dumps(rows, indent=1))


def write_json(path: Path, data: dict) -> None:
    write_text_atomic(path, json.dumps({k: _json_safe(v) for k, v in data.items()}, indent=1))


def read_json(path: Path):
    return json.loads(Path(path).read_text())


def summarize(history: list[dict]) -> dict:
    """Best-validation epoch and its test accuracy (the metric of Meulemans et al. 2020), final numbers."""
    if not history:
        return {}
    has_val = any(r.get("val_acc") is not None and math.isfinite(r["val_acc"]) for r in history)
    key = "val_acc" if has_val else "test_acc"
    best = max(history, key=lambda r: r[key])
    last = history[-1]
    return {
        "epochs": last["epoch"],
        "best_epoch": best["epoch"],
        "best_val_acc": best.get("val_acc"),
        "test_acc_at_best_val": best["test_acc"],
        "final_test_acc": last["test_acc"],
        "final_train_loss": last["train_loss"],
        "mean_epoch_seconds": sum(r["epoch_seconds"] for r in history) / len(history),
    }


class RunDirectory:
    """The directory one run writes (and a resumed run continues), held under an exclusive lock while it is
    written (:meth:`writing`) so that a second writer is refused instead of mixing two runs' files."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def plots(self) -> Path:
        return self.path / "plots"

    def check_writable(self) -> None:
        """RunDirectoryError unless the directory can be created and written (checked by creating it and a probe
        file, then removing what did not exist before), so that a run fails before it reads any data."""
        missing, p = [], self.path.absolute()
        while not p.exists() and p != p.parent:
            missing.append(p)
            p = p.parent
        created: list[Path] = []
        try:
            for directory in reversed(missing):
                directory.mkdir()
                created.append(directory)
            with tempfile.TemporaryFile(dir=self.path):
                pass
        except OSError as exc:
            raise RunDirectoryError(f"{self.path}: the run directory cannot be written ({exc.strerror or exc}); "
                                    "fix: give --out a directory you can write") from None
        finally:
            for directory in reversed(created):
                directory.rmdir()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Create the directory if needed and hold its lock for the block; RunDirectoryError naming the holder
        when another run writes it, or naming the OS error when it cannot be created."""
        refuse = lambda holder: RunDirectoryError(  # noqa: E731
            f"{self.path}: another run is writing this run directory ({holder}); fix: wait for it to finish, or "
            "give this run another --out directory")
        with ExitStack() as stack:
            try:
                stack.enter_context(exclusive(self.path, refuse))
            except OSError as exc:
                raise RunDirectoryError(f"{self.path}: the run directory cannot be written ({exc.strerror or exc}); "
                                        "fix: give --out a directory you can write") from None
            yield

    def start(self, cfg: ExperimentConfig) -> None:
        """Write the config of a new run; refuse a directory that holds a run (call inside :meth:`writing`)."""
        if (self.path / CHECKPOINT_FILE).exists():
            raise RunDirectoryError(f"{self.path}: already holds a run; fix: pass --resume {self.path} "
                                    "to continue it, or choose a new --out directory")
        write_text_atomic(self.path / CONFIG_FILE, dump_config(cfg))

    def resume(self, cfg: ExperimentConfig, state: TrainState) -> Checkpoint:
        """Restore ``state`` from the checkpoint (checked against its manifest and ``cfg``); refuse to resume to
        fewer epochs than are done, or a run that completed the epochs asked for; then write the config as it now
        runs (e.g. more epochs)."""
        ckpt = load_checkpoint(self.path, state, cfg, "resume")
        wanted = cfg.training.epochs
        if ckpt.epoch > wanted or (ckpt.epoch == wanted and read_status(self.path) == "completed"):
            raise RunDirectoryError(f"{self.path}: the run has already trained {ckpt.epoch} epochs, and "
                                    f"training.epochs is {wanted}; fix: pass --epochs with more than {ckpt.epoch} "
                                    "to continue it")
        write_text_atomic(self.path / CONFIG_FILE, dump_config(cfg))
        return ckpt

    def save(self, state: TrainState, ckpt: Checkpoint, cfg: ExperimentConfig, summary: dict, status: str) -> None:
        """Checkpoint, metrics, summary and status after a finished epoch."""
        save_checkpoint(self.path, state, ckpt, cfg)
        write_metrics(self.path, ckpt.history)
        write_json(self.path / SUMMARY_FILE, summary)
        self.set_status(status, ckpt.epoch)

    def set_status(self, status: str, epochs_done: int, **extra) -> None:
        write_json(self.path / STATUS_FILE, {"status": status, "epochs_done": epochs_done, **extra})


def read_status(run_dir: Path) -> str | None:
    """The status a run directory's status.json records, or None."""
    try:
        return json.loads((Path(run_dir) / STATUS_FILE).read_text()).get("status")
    except (OSError, ValueError, AttributeError):
        return None


def require_run_directory(run_dir: str | Path, what: str) -> Path:
    """``run_dir`` as a Path, or a RunDirectoryError saying it holds no run (``what``: e.g. "resume")."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).is_file():
        raise RunDirectoryError(f"{run_dir}: not a run directory (no {CONFIG_FILE}); fix: {what} a directory "
                                "written by `tpneuro train --out DIR`")
    return run_dir
