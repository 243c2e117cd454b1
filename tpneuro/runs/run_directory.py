"""The files of a run directory: config.yaml (the config that ran), checkpoint.npz, metrics.csv and
metrics.json (one row per epoch), summary.json, status.json, plots/. All written atomically."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from ..atomic_files import write_text_atomic
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
    """The directory one run writes (and a resumed run continues)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def plots(self) -> Path:
        return self.path / "plots"

    def start(self, cfg: ExperimentConfig) -> None:
        """Create the directory for a new run and write its config; refuse a directory that holds a run."""
        if (self.path / CHECKPOINT_FILE).exists():
            raise RunDirectoryError(f"{self.path}: already holds a run; fix: pass --resume {self.path} "
                                    "to continue it, or choose a new --out directory")
        self.path.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path / CONFIG_FILE, dump_config(cfg))

    def resume(self, cfg: ExperimentConfig, state: TrainState) -> Checkpoint:
        """Restore ``state`` from the checkpoint and write the config as it now runs (e.g. more epochs)."""
        ckpt = load_checkpoint(self.path, state)
        write_text_atomic(self.path / CONFIG_FILE, dump_config(cfg))
        return ckpt

    def save(self, state: TrainState, ckpt: Checkpoint, summary: dict, status: str) -> None:
        """Checkpoint, metrics, summary and status after a finished epoch."""
        save_checkpoint(self.path, state, ckpt)
        write_metrics(self.path, ckpt.history)
        write_json(self.path / SUMMARY_FILE, summary)
        self.set_status(status, ckpt.epoch)

    def set_status(self, status: str, epochs_done: int) -> None:
        write_json(self.path / STATUS_FILE, {"status": status, "epochs_done": epochs_done})
