"""Reload a finished (or interrupted) run directory: its config, checked by the preflight before the data are read,
its data, and the network state of its checkpoint; and re-evaluate it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import load_config
from ..data import DataSplits
from ..engines import TrainState, get_engine
from .assembly import build_state, load_data
from .checkpoints import Checkpoint, load_checkpoint
from .preflight import RunPlan, preflight
from .run_directory import CONFIG_FILE, require_run_directory


@dataclass
class LoadedRun:
    """A run directory reloaded: its checked plan, its data and the network state of its checkpoint."""

    plan: RunPlan
    data: DataSplits
    state: TrainState
    checkpoint: Checkpoint

    @property
    def cfg(self):
        return self.plan.cfg

    @property
    def source(self) -> str:
        """The config file, for error messages."""
        return self.plan.source


def load_run(run_dir: str | Path) -> LoadedRun:
    """Load config.yaml and checkpoint.npz of ``run_dir``: the state has the checkpoint's weights (no chip
    attached: the checkpoint keeps weights, not the chip's calibrated ranges)."""
    run_dir = require_run_directory(run_dir, "evaluate")
    source = str(run_dir / CONFIG_FILE)
    plan = preflight(load_config(run_dir / CONFIG_FILE), source)
    data = load_data(plan.cfg, source)
    state = build_state(plan.cfg, data.input_size, data.n_classes, np.random.default_rng(0), source)
    get_engine(plan.cfg.engine, source, plan.cfg.engine_options).prepare_state(state)
    ckpt = load_checkpoint(run_dir, state, plan.cfg, "evaluate")
    return LoadedRun(plan, data, state, ckpt)


def evaluate_run(run_dir: str | Path) -> dict:
    """Load config.yaml and checkpoint.npz of ``run_dir``; return train/val/test loss and accuracy."""
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
