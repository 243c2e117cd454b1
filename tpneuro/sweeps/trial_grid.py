"""The trials of a sweep: base configs x the grid's Cartesian product x the random samples, each with a
deterministic id and a config validated before anything runs.

A trial id is a readable slug of the values that vary plus 8 hex digits of the SHA-256 of the base path
(as the sweep file writes it) and all the trial's overrides, e.g. ``drl-loihi2-seed1-3f9a0c12``: the same
sweep file gives the same ids on every run and machine, which is what lets a re-run find its trials.
``training.epochs`` is left out of the hash unless it is a grid or random-search axis: raising it in
``set`` and re-running a sweep continues every trial from its checkpoint instead of starting new ones.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from ..config import apply_overrides, config_to_dict, load_config, validate_config
from ..errors import ConfigError, UnsupportedByEngine
from ..yaml_files import read_yaml
from ..runs import preflight
from .random_search import random_samples
from .sweep_spec import SweepSpec, resolve_base

SLUG_MAX_CHARS = 60
HASH_HEX_DIGITS = 8
BASE_AXIS = "base"


@dataclass(frozen=True)
class Trial:
    """One run of a sweep: where it came from, what varies, and the validated config that runs."""

    trial_id: str
    base: str                    # the base config as the sweep file names it
    axes: dict[str, Any]         # the values that vary across the sweep (grid keys, random draws, base)
    overrides: dict[str, Any]    # every dotted override applied to the base config
    config: dict[str, Any]       # the validated config (config_to_dict), sent to the worker


def value_label(field: str, value: Any) -> str:
    """A short, file-name-safe label of one axis value: strings as they are, numbers after the field's
    last name part (``seed1``, ``lr0.001``), mappings by their ``name`` or ``profile``."""
    leaf = field.rsplit(".", 1)[-1]
    if field == BASE_AXIS:
        text = Path(str(value)).stem
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = f"{leaf}-{str(value).lower()}"
    elif isinstance(value, float):
        text = f"{leaf}{value:.3g}"
    elif isinstance(value, dict):
        text = str(value.get("name", value.get("profile", leaf)))
    elif isinstance(value, list):
        text = leaf + "-".join(map(str, value))
    else:
        text = f"{leaf}{value}"
    return re.sub(r"[^A-Za-z0-9._+-]", "_", text)


EPOCHS_FIELD = "training.epochs"


def trial_id(base: str, axes: dict[str, Any], overrides: dict[str, Any]) -> str:
    hashed = {k: v for k, v in overrides.items() if k != EPOCHS_FIELD or k in axes}
    digest = hashlib.sha256(json.dumps({"base": base, "overrides": hashed}, sort_keys=True, default=str).encode())
    slug = "-".join(value_label(f, v) for f, v in axes.items())[:SLUG_MAX_CHARS].strip("-") or "trial"
    return f"{slug}-{digest.hexdigest()[:HASH_HEX_DIGITS]}"


def _axis_choices(values) -> list[tuple[Any, dict[str, Any]]]:
    """(value, the overrides that come with it) for a list axis or a value -> overrides mapping."""
    if isinstance(values, dict):
        return [(value, dict(extra or {})) for value, extra in values.items()]
    return [(value, {}) for value in values]


def _base_data(spec: SweepSpec, base: str) -> tuple[Path, dict]:
    """The base config's path and its raw mapping, after checking that it is itself a valid config."""
    path = resolve_base(spec, base)
    load_config(path)
    return path, read_yaml(path, "config", "models/digits_ddtp_linear.yaml")


def _sweep_field(config_field: str, origins: dict[str, str]) -> str | None:
    """Where in the sweep file the override behind ``config_field`` is written (None: the base config)."""
    for key, place in origins.items():
        if config_field == key or config_field.startswith(key + ".") or key.startswith(config_field + "."):
            return place
    return None


def _validated(raw: dict, overrides: dict[str, Any], origins: dict[str, str], source: str) -> dict[str, Any]:
    """Apply the overrides one by one (so a bad dotted path is named), validate and run the preflight of a run
    (tpneuro.runs.preflight: engine, options, profile, rule, design rules; no data read); a problem names the
    sweep-file field that caused it."""
    data = raw
    try:
        for field, value in overrides.items():
            try:
                data = apply_overrides(data, {field: value})
            except (TypeError, ValueError, AttributeError):
                raise ConfigError(source, field, "a part of this dotted path is a value, not a config section",
                                  "name a field inside a section, e.g. optimizer.lr") from None
        cfg = validate_config(data, source)
        try:
            preflight(cfg, source)
        except UnsupportedByEngine as exc:
            raise ConfigError(source, "engine", f"{cfg.engine!r} cannot run this trial: {exc.problem}",
                              exc.fix) from None
    except ConfigError as exc:
        place = _sweep_field(exc.field, origins)
        if place is None or place == exc.field:
            raise
        raise ConfigError(source, place, f"{exc.problem} (config field {exc.field})", exc.fix) from None
    return _absolute_paths(config_to_dict(cfg))


def _absolute_paths(config: dict[str, Any]) -> dict[str, Any]:
    """Paths in a config are relative to the folder the sweep is started from (as for ``tpneuro train``);
    a Ray worker runs elsewhere, so the trial's config carries them absolute."""
    dataset = config.get("dataset") or {}
    if dataset.get("path") and not Path(dataset["path"]).expanduser().is_absolute():
        dataset["path"] = str(Path(dataset["path"]).expanduser().resolve())
    hardware = config.get("hardware") or {}
    profile = hardware.get("profile")
    if profile and Path(profile).suffix in (".yaml", ".yml") and Path(profile).expanduser().is_file():
        hardware["profile"] = str(Path(profile).expanduser().resolve())
    return config


ALL_PROFILES = "all"
PROFILE_AXES = ("hardware", "hardware.profile")


def _profile_axis(field: str, values):
    """``hardware.profile: all`` (or ``hardware: all``) is every profile that `tpneuro profiles` lists."""
    if field in PROFILE_AXES and values == ALL_PROFILES:
        from ..hardware import list_profiles

        return list_profiles()
    return values


def expand_trials(spec: SweepSpec) -> list[Trial]:
    """Every trial of ``spec``, in file order, each config validated and preflighted (ConfigError naming
    the sweep file, the trial and the sweep field on the first problem; nothing has run yet)."""
    bases = {base: _base_data(spec, base) for base in spec.base}
    axes = [(field, _axis_choices(_profile_axis(field, values))) for field, values in spec.grid.items()]
    samples = random_samples(spec.random)
    trials: dict[str, Trial] = {}
    for base, (_, raw) in bases.items():
        for combo in itertools.product(*(choices for _, choices in axes)):
            for sample in samples:
                labels = {BASE_AXIS: base} if len(bases) > 1 else {}
                overrides = dict(spec.set)
                origins = {k: f"set.{k}" for k in spec.set}
                for (field, _), (value, extra) in zip(axes, combo):
                    labels[field] = value
                    overrides.update({field: value, **extra})
                    origins.update({field: f"grid.{field}", **{k: f"grid.{field}.{value}.{k}" for k in extra}})
                labels.update(sample)
                overrides.update(sample)
                origins.update({k: f"random.params.{k}" for k in sample})
                tid = trial_id(base, labels, overrides)
                source = f"{spec.source} [trial {tid}]"
                if tid in trials:
                    raise ConfigError(source, "grid", "two trials have the same values",
                                      "remove the repeated value from the grid")
                config = _validated(raw, overrides, origins, source)
                trials[tid] = Trial(tid, base, labels, overrides, config)
    return list(trials.values())
