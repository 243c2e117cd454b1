"""Checkpoints: parameters, optimizer moments, random-generator states and the metrics so far, in one
``checkpoint.npz`` written atomically, so that a resumed run reproduces an uninterrupted one exactly.

The file carries its own manifest (the ``manifest`` entry, written with the arrays in the same atomic write): the
format version, the epoch, the config the run was started with and its SHA-256 (the fields a resume may change,
``training.epochs`` and ``diagnostics``, left out; an engine that continues another's runs named as that one), and
each array's shape, dtype and SHA-256. Loading checks all of it, so that a truncated, corrupt or edited file, or a
config.yaml that no longer describes the checkpoint, ends in one line naming the file, what is wrong (the first
differing field, or the shapes) and the fix.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..atomic_files import save_npz_atomic
from ..config.config_loading import config_to_dict
from ..config.differences import field_value, first_difference
from ..config.experiment import ExperimentConfig
from ..engines.registry import get_engine_class
from ..engines.train_state import TrainState
from ..errors import CheckpointError

CHECKPOINT_FILE = "checkpoint.npz"
MANIFEST_KEY, META_KEY = "manifest", "meta"
FORMAT_VERSION = 1
RESUMABLE_FIELDS = (("training", "epochs"), ("diagnostics",))    # a resume may change these
Purpose = Literal["resume", "evaluate"]
_FIX = {"resume": "restore the run's config.yaml to the config it started with, or start a new run with --out",
        "evaluate": "restore the run's config.yaml to the config it was trained with"}


@dataclass
class Checkpoint:
    epoch: int                   # training epochs completed (0 = after feedback pre-training)
    rng_states: dict             # name -> numpy bit-generator state
    history: list[dict]


def identity_config(cfg: ExperimentConfig) -> dict[str, Any]:
    """The config as plain data without the fields a resume may change.

    An engine that continues another's runs (``Engine.continues_runs_of``: the JAX engine, the rate engine's) is
    named as that engine, without its own settings (``engine_options``: where and how it computes, not what), so
    that a run resumes on either engine.
    """
    data = config_to_dict(cfg)
    other = get_engine_class(cfg.engine).continues_runs_of
    if other is not None:
        data["engine"], data["engine_options"] = other, {}
    for path in RESUMABLE_FIELDS:
        node = data
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1], None)
    return data


def config_hash(cfg: ExperimentConfig) -> str:
    """SHA-256 of :func:`identity_config` in canonical JSON."""
    return hashlib.sha256(json.dumps(identity_config(cfg), sort_keys=True).encode()).hexdigest()


def _array_digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def save_checkpoint(run_dir: Path, state: TrainState, ckpt: Checkpoint, cfg: ExperimentConfig) -> None:
    """Write ``checkpoint.npz`` (arrays, meta and manifest) in one atomic replace."""
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
    arrays[META_KEY] = np.array(json.dumps(meta))
    manifest = {"format": FORMAT_VERSION, "epoch": ckpt.epoch, "config": identity_config(cfg),
                "config_sha256": config_hash(cfg),
                "arrays": {k: {"shape": list(np.shape(v)), "dtype": str(np.asarray(v).dtype), "sha256": _array_digest(v)}
                           for k, v in arrays.items()}}
    arrays[MANIFEST_KEY] = np.array(json.dumps(manifest))
    save_npz_atomic(run_dir / CHECKPOINT_FILE, arrays)


def _read_arrays(path: Path, purpose: Purpose) -> dict[str, np.ndarray]:
    """Every entry of the file; CheckpointError for a missing, empty, truncated or corrupt one."""
    if not path.is_file():
        what = "resume" if purpose == "resume" else "evaluate"
        raise CheckpointError(f"{path}: no checkpoint; fix: {what} a run directory written by `tpneuro train "
                              "--out DIR` that finished at least its feedback pre-training")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the checkpoint is empty (0 bytes); fix: restore it from a copy, or start a "
                              "new run with --out")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint, truncated or corrupt ({detail}); fix: restore it "
                              "from a copy, or start a new run with --out") from None


def _check_manifest(path: Path, arrays: dict[str, np.ndarray], cfg: ExperimentConfig, purpose: Purpose) -> None:
    """The arrays are those the manifest lists, unchanged, and the config is the one the run started with."""
    manifest = json.loads(str(arrays.pop(MANIFEST_KEY)))
    listed = manifest["arrays"]
    for key in sorted(set(listed) ^ set(arrays)):
        where = "listed in the manifest but missing" if key in listed else "present but not in the manifest"
        raise CheckpointError(f"{path}: entry {key} is {where}; fix: restore the checkpoint from a copy")
    for key, entry in listed.items():
        if _array_digest(arrays[key]) != entry["sha256"] or list(arrays[key].shape) != entry["shape"]:
            raise CheckpointError(f"{path}: entry {key} fails its checksum (changed or damaged after it was "
                                  "written); fix: restore the checkpoint from a copy")
    if manifest["config_sha256"] != config_hash(cfg):
        field = first_difference(manifest["config"], identity_config(cfg)) or "?"
        raise CheckpointError(f"{path}: was written by a run whose config differs from config.yaml at {field} "
                              f"({field_value(manifest['config'], field)!r} then, "
                              f"{field_value(identity_config(cfg), field)!r} now); fix: {_FIX[purpose]}")


def load_checkpoint(run_dir: Path, state: TrainState, cfg: ExperimentConfig,
                    purpose: Purpose = "resume") -> Checkpoint:
    """Restore ``state`` in place from ``run_dir`` after checking the file against its manifest and ``cfg``;
    return the epoch, rng states and history. Checkpoints written before manifests existed load unchecked."""
    path = run_dir / CHECKPOINT_FILE
    arrays = _read_arrays(path, purpose)
    if MANIFEST_KEY in arrays:
        _check_manifest(path, arrays, cfg, purpose)
    meta = json.loads(str(arrays.pop(META_KEY)))
    for prefix, params in (("fwd/", state.forward_params), ("fb/", state.feedback_params)):
        stored = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        for key in sorted(set(stored) | set(params)):
            got = stored[key].shape if key in stored else "absent"
            want = params[key].shape if key in params else "absent"
            if got != want:
                raise CheckpointError(f"{path}: parameter {prefix}{key} is {got} in the checkpoint but {want} for "
                                      f"the network of config.yaml; fix: {_FIX[purpose]}")
        for k, v in stored.items():
            params[k][...] = v
    if state.forward_optimizer is not None:
        state.forward_optimizer.load_state_arrays("opt_fwd/", arrays, meta["fwd_steps"])
    if state.feedback_optimizer is not None:
        state.feedback_optimizer.load_state_arrays("opt_fb/", arrays, meta["fb_steps"])
    return Checkpoint(meta["epoch"], meta["rng_states"], meta["history"])
