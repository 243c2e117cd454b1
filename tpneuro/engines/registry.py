"""Engines by name. Spiking engines are imported only when asked for (brian2 and nengo load slowly).

An engine class may declare ``options_type``, a dataclass of its settings; ``get_engine`` checks the names
of the given options against its fields and passes them to the constructor as keyword arguments (the
dataclass itself validates the values).
"""
from __future__ import annotations

from dataclasses import fields
from importlib import import_module
from typing import Any

from ..errors import ConfigError, UnknownNameError

ENGINES: dict[str, str] = {
    "rate": "tpneuro.engines.rate_engine:RateEngine",
    "nengo": "tpneuro.engines.nengo_engine:NengoEngine",
    "brian2": "tpneuro.engines.brian2_engine:Brian2Engine",
}


def get_engine_class(name: str, source: str = "engine") -> type:
    """The engine class registered as ``name`` (imported on first use); an unknown name lists the engines."""
    try:
        module, cls_name = ENGINES[name].split(":")
    except KeyError:
        raise UnknownNameError(source, "engine", name, list(ENGINES)) from None
    return getattr(import_module(module), cls_name)


def option_names(cls: type) -> list[str]:
    """The settings an engine class takes: the fields of its ``options_type`` (none for the rate engine)."""
    options_type = getattr(cls, "options_type", None)
    return [f.name for f in fields(options_type)] if options_type is not None else []


def get_engine(name: str, source: str = "engine", options: dict[str, Any] | None = None):
    """An engine instance for ``name`` with ``options`` (config field ``engine_options``); an unknown
    engine lists the available ones, an unknown option the engine's valid ones."""
    cls = get_engine_class(name, source)
    options = dict(options or {})
    valid = option_names(cls)
    for key in options:
        if key not in valid:
            fix = f"use one of: {', '.join(valid)}" if valid else "remove engine_options (the rate engine has no settings)"
            raise ConfigError(source, f"engine_options.{key}", f"is not a setting of the {name} engine", fix)
    return cls(**options)
