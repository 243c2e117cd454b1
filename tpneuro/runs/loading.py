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
    """Load a run directory's config (checked by the preflight), data and checkpoint.

    The state has the checkpoint's weights and no chip attached: the checkpoint keeps weights, not a chip's
    calibrated ranges.

    Parameters
    ----------
    run_dir : str or Path
        A directory written by ``tpneuro train --out``.

    Returns
    -------
    LoadedRun
        The plan, the data, the network state and the checkpoint's epoch, random states and history.

    Raises
    ------
    RunDirectoryError, CheckpointError
        A directory that holds no run, or a checkpoint that is unreadable or does not match config.yaml.
    """
    run_dir = require_run_directory(run_dir, "evaluate")
    source = str(run_dir / CONFIG_FILE)
    plan = preflight(load_config(run_dir / CONFIG_FILE), source)
    data = load_data(plan.cfg, source)
    state = build_state(plan.cfg, data.input_size, data.n_classes, np.random.default_rng(0), source)
    get_engine(plan.cfg.engine, source, plan.cfg.engine_options).prepare_state(state)
    ckpt = load_checkpoint(run_dir, state, plan.cfg, "evaluate")
    return LoadedRun(plan, data, state, ckpt)


def evaluate_run(run_dir: str | Path) -> dict:
    """Re-evaluate the checkpoint of a run directory.

    Parameters
    ----------
    run_dir : str or Path
        A directory written by ``tpneuro train --out``.

    Returns
    -------
    dict
        ``epochs_done`` and the loss and accuracy of every non-empty split (``train_loss``, ``val_acc``, ...).
    """
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
