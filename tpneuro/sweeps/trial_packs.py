"""Trials that can train side by side as one vmapped program on the JAX engine, in packs of up to ``pack``.

Two trials are compatible when their configs name the jax engine and are equal but for the fields a compiled
program takes as data: the seed (initial weights, shuffles, noise, the digits split), ``hardware.chip_seed``
(the chip instance of one profile) and the learning rates of the two optimizers, and the run's name. Every other
field (network, rule, profile, optimizer kinds and their other hyper-parameters, schedule) fixes the program.
Trials on other engines run one per task, as before.
"""
from __future__ import annotations

import json
from typing import Any

from .trial_grid import Trial

PER_NETWORK_FIELDS = (("seed",), ("name",), ("hardware", "chip_seed"), ("optimizer", "lr"),
                      ("feedback_optimizer", "lr"))
PACKED_ENGINE = "jax"


def packing_key(trial: Trial) -> str | None:
    """What must be equal for trials to share a program (None: the trial runs alone)."""
    config = trial.config
    if config.get("engine") != PACKED_ENGINE:
        return None
    return json.dumps(_without(config, PER_NETWORK_FIELDS), sort_keys=True, default=str)


def pack_trials(trials: list[Trial], size: int) -> list[list[Trial]]:
    """``trials`` in packs of compatible trials of at most ``size``, in their order of first appearance."""
    groups: dict[str, list[Trial]] = {}
    packs: list[list[Trial]] = []
    for trial in trials:
        key = packing_key(trial)
        if key is None or size == 1:
            packs.append([trial])
            continue
        if key not in groups or len(groups[key]) == size:
            groups[key] = []
            packs.append(groups[key])
        groups[key].append(trial)
    return packs


def _without(config: dict[str, Any], paths: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    out = dict(config)
    for path in paths:
        where = out
        for part in path[:-1]:
            if not isinstance(where.get(part), dict):
                break
            where[part] = dict(where[part])
            where = where[part]
        else:
            where.pop(path[-1], None)
    return out
