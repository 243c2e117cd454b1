"""Read, validate and write experiment configs. Every problem is one line naming the file, the field,
the bad value and the fix."""
from __future__ import annotations

import os
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..yaml_files import read_yaml
from ..rules.registry import parse_hyperparams
from ..shipped_files import find_shipped
from .experiment import ExperimentConfig
from .validation_error import first_error


def _field_help(model: type[BaseModel], loc: tuple) -> str:
    """The valid field names (for a misspelt field) or the field's description."""
    loc = tuple(part for part in loc if not isinstance(part, int))      # an item of a list field: the field
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        ann = getattr(field, "annotation", None) if field else None
        ann = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if ann is None:
            return ""
        model = ann
    field = model.model_fields.get(str(loc[-1]))
    if field is None:
        return f"remove it or use one of: {', '.join(model.model_fields)}"
    return field.description or f"see the {'.'.join(map(str, loc[:-1])) or 'top-level'} section of the config reference (Config fields)"


def validate_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validate a config mapping and its rule's hyper-parameters.

    Parameters
    ----------
    data : mapping
        The config's sections (dataset, network, rule, optimizer, training, ...), as plain data.
    source : str
        Where the data came from, named in errors.

    Returns
    -------
    ExperimentConfig
        The validated config.

    Raises
    ------
    ConfigError
        On the first problem: one line with the source, the field, the bad value and the fix.
    """
    if not isinstance(data, dict):
        raise ConfigError(source, "<top level>", f"expected a mapping of sections, got {type(data).__name__}",
                          "write the config as YAML sections (dataset:, network:, rule:, optimizer:, training:)")
    try:
        cfg = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        loc, field, message = first_error(exc)
        raise ConfigError(source, field, message,
                          _field_help(ExperimentConfig, loc) or "see the config reference (Config fields)") from None
    parse_hyperparams(cfg.rule.name, cfg.rule.hyperparams(), source)
    return cfg


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """Load a YAML config, apply dotted overrides and validate it.

    Parameters
    ----------
    path : str or os.PathLike
        A config file, or the name of a shipped config (``digits_ddtp_linear``, ``models/digits_bp.yaml``).
    overrides : dict, optional
        Dotted field -> value, e.g. ``{"training.epochs": 2}``; None values are ignored.

    Returns
    -------
    ExperimentConfig
        The validated config (defaults filled in).

    Raises
    ------
    ConfigError
        One line naming the file, the field, the bad value and the fix.
    """
    path = find_shipped(path, "models")
    data = read_yaml(path, "config", "models/digits_ddtp_linear.yaml")
    return validate_config(apply_overrides(data, overrides or {}), str(path))


def apply_overrides(data: Any, overrides: dict[str, Any]) -> Any:
    """Set dotted keys in a nested mapping (a copy); ``None`` values are ignored."""
    if not isinstance(data, dict):
        return data
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = out
        *parents, leaf = dotted.split(".")
        for p in parents:
            node[p] = dict(node.get(p) or {})
            node = node[p]
        node[leaf] = value
    return out


def config_to_dict(cfg: ExperimentConfig) -> dict[str, Any]:
    """Plain data of the config that actually runs (defaults filled in)."""
    return cfg.model_dump(mode="json")


def dump_config(cfg: ExperimentConfig) -> str:
    return yaml.safe_dump(config_to_dict(cfg), sort_keys=False)
