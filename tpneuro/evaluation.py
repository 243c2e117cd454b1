"""Re-evaluate a finished (or interrupted) run directory from its checkpoint."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import load_config
from .engines.registry import get_engine
from .training.checkpoints import load_checkpoint
from .training.results_files import CONFIG_FILE
from .training.trainer import build_state, load_data


def evaluate_run(run_dir: str | Path) -> dict:
    """Load config.yaml and checkpoint.npz of ``run_dir``; return val/test loss and accuracy."""
    run_dir = Path(run_dir)
    cfg = load_config(run_dir / CONFIG_FILE)
    data = load_data(cfg, str(run_dir / CONFIG_FILE))
    state = build_state(cfg, data.input_size, data.n_classes, np.random.default_rng(0))
    ckpt = load_checkpoint(run_dir, state)
    engine = get_engine(cfg.engine, str(run_dir / CONFIG_FILE), cfg.engine_options)
    out = {"run_dir": str(run_dir), "epochs_done": ckpt.epoch}
    for split in ("train", "val", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        if len(y):
            ev = engine.evaluate(state, x, y)
            out[f"{split}_loss"], out[f"{split}_acc"] = ev.loss, ev.accuracy
    return out
