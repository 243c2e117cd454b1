"""Checkpoints: parameters, optimizer moments, random-generator states and the metrics so far, in one
``checkpoint.npz`` written atomically, so that a resumed run reproduces an uninterrupted one exactly."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engines.train_state import TrainState
from ..errors import RunDirectoryError
from ..atomic_files import save_npz_atomic

CHECKPOINT_FILE = "checkpoint.npz"


@dataclass
class Checkpoint:
    epoch: int                   # training epochs completed (0 = after feedback pre-training)
    rng_states: dict             # name -> numpy bit-generator state
    history: list[dict]


def save_checkpoint(run_dir: Path, state: TrainState, ckpt: Checkpoint) -> None:
    arrays = {f"fwd/{k}": v for k, v in state.forward_params.items()}
    arrays.update({f"fb/{k}": v for k, v in state.feedback_params.items()})
    meta = {"epoch": ckpt.epoch, "rng_states": ckpt.rng_states, "history": ckpt.history,
            "fwd_steps": 0, "fb_steps": 0}
    if state.forward_optimizer is not None:
        arrays.update(state.forward_optimizer.state_arrays("opt_fwd/"))
        meta["fwd_steps"] = state.forward_optimizer.step_count
    if state.feedback_optimizer is not None:
        arrays.update(state.feedback_optimizer.state_arrays("opt_fb/"))
        meta["fb_steps"] = state.feedback_optimizer.step_count
    arrays["meta"] = np.array(json.dumps(meta))
    save_npz_atomic(run_dir / CHECKPOINT_FILE, arrays)


def load_checkpoint(run_dir: Path, state: TrainState) -> Checkpoint:
    """Restore ``state`` in place from ``run_dir``; return the epoch, rng states and history."""
    path = run_dir / CHECKPOINT_FILE
    if not path.is_file():
        raise RunDirectoryError(f"{run_dir}: no {CHECKPOINT_FILE}; fix: resume a run directory written by "
                                "`tpneuro train --out DIR` that finished at least its first epoch")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    for prefix, params in (("fwd/", state.forward_params), ("fb/", state.feedback_params)):
        stored = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        if set(stored) != set(params) or any(stored[k].shape != params[k].shape for k in params):
            raise RunDirectoryError(f"{path}: parameters do not match the run's config.yaml; "
                                    "fix: resume with the config saved in that run directory")
        for k, v in stored.items():
            params[k][...] = v
    if state.forward_optimizer is not None:
        state.forward_optimizer.load_state_arrays("opt_fwd/", arrays, meta["fwd_steps"])
    if state.feedback_optimizer is not None:
        state.feedback_optimizer.load_state_arrays("opt_fb/", arrays, meta["fb_steps"])
    return Checkpoint(meta["epoch"], meta["rng_states"], meta["history"])
