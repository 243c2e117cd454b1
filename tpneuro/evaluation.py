"""Re-evaluate a finished (or interrupted) run directory from its checkpoint."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import load_config
from .config.experiment import ExperimentConfig
from .data import DataSplits
from .engines.registry import get_engine
from .engines.train_state import TrainState
from .training.checkpoints import Checkpoint, load_checkpoint
from .training.results_files import CONFIG_FILE
from .training.trainer import build_state, load_data


@dataclass
class LoadedRun:
    """A run directory reloaded: its config, its data and the network state of its checkpoint."""

    cfg: ExperimentConfig
    data: DataSplits
    state: TrainState
    checkpoint: Checkpoint
    source: str                      # the config file, for error messages


def load_run(run_dir: str | Path) -> LoadedRun:
    """Load config.yaml and checkpoint.npz of ``run_dir``: the state has the checkpoint's weights (no chip
    attached: the checkpoint keeps weights, not the chip's calibrated ranges)."""
    run_dir = Path(run_dir)
    source = str(run_dir / CONFIG_FILE)
    cfg = load_config(run_dir / CONFIG_FILE)
    data = load_data(cfg, source)
    state = build_state(cfg, data.input_size, data.n_classes, np.random.default_rng(0))
    ckpt = load_checkpoint(run_dir, state)
    return LoadedRun(cfg, data, state, ckpt, source)


def evaluate_run(run_dir: str | Path) -> dict:
    """Load config.yaml and checkpoint.npz of ``run_dir``; return val/test loss and accuracy."""
    run = load_run(run_dir)
    cfg, data, state = run.cfg, run.data, run.state
    engine = get_engine(cfg.engine, run.source, cfg.engine_options)
    out = {"run_dir": str(run_dir), "epochs_done": run.checkpoint.epoch}
    for split in ("train", "val", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        if len(y):
            ev = engine.evaluate(state, x, y)
            out[f"{split}_loss"], out[f"{split}_acc"] = ev.loss, ev.accuracy
    return out
