"""Engines by name. Spiking engines and the JAX engine are imported only when asked for (brian2, nengo and JAX load
slowly).

An engine is registered as a class or as ``"module:Class"`` (imported on first use); :func:`register_engine`
adds one, e.g. a third-party simulator or a test's engine. Its ``options_type`` dataclass lists the settings
``get_engine`` accepts (config field ``engine_options``); the dataclass itself validates the values.
"""
from __future__ import annotations

from dataclasses import fields
from importlib import import_module
from typing import Any

from ..errors import ConfigError, UnknownNameError

ENGINES: dict[str, str | type] = {
    "rate": "tpneuro.engines.rate_engine:RateEngine",
    "nengo": "tpneuro.engines.nengo_engine:NengoEngine",
    "brian2": "tpneuro.engines.brian2_engine:Brian2Engine",
    "jax": "tpneuro.engines.jax_engine:JaxEngine",
}


def register_engine(name: str, engine: str | type) -> None:
    """Make an engine available by name (configs, :func:`get_engine`, the shared engine test suite).

    Parameters
    ----------
    name : str
        The value of the config field ``engine``.
    engine : type or str
        A subclass of :class:`~tpneuro.engines.protocol.Engine`, or ``"module:Class"`` imported on first use.
    """
    ENGINES[name] = engine


def get_engine_class(name: str, source: str = "engine") -> type:
    """The engine class registered as ``name`` (imported on first use); an unknown name lists the engines."""
    try:
        target = ENGINES[name]
    except KeyError:
        raise UnknownNameError(source, "engine", name, list(ENGINES)) from None
    if isinstance(target, type):
        return target
    module, cls_name = target.split(":")
    return getattr(import_module(module), cls_name)


def option_names(cls: type) -> list[str]:
    """The settings an engine class takes: the fields of its ``options_type`` (none for the rate engine)."""
    return [f.name for f in fields(cls.options_type)] if cls.options_type is not None else []


def check_option_names(cls: type, options: dict[str, Any], source: str = "engine") -> None:
    """A ConfigError naming ``engine_options.<key>`` for a setting the engine class does not have."""
    valid = option_names(cls)
    for key in options:
        if key not in valid:
            fix = f"use one of: {', '.join(valid)}" if valid else f"remove engine_options (the {cls.name} engine has no settings)"
            raise ConfigError(source, f"engine_options.{key}", f"is not a setting of the {cls.name} engine", fix)


def engine_settings(cls: type, options: dict[str, Any] | None, source: str = "engine"):
    """The validated options object of engine class ``cls`` (None for an engine without settings); errors name
    ``source`` and the field."""
    options = dict(options or {})
    check_option_names(cls, options, source)
    if cls.options_type is None:
        return None
    try:
        return cls.options_type(**options)
    except ConfigError as exc:
        raise ConfigError(source, f"engine_options.{exc.field}", exc.problem, exc.fix) from None
    except (TypeError, ValueError) as exc:          # an options class that does not check its own types
        raise ConfigError(source, "engine_options", " ".join(str(exc).split()),
                          f"give each setting of the {cls.name} engine a value of its type") from None


def get_engine(name: str, source: str = "engine", options: dict[str, Any] | None = None):
    """An engine instance by name, with its settings.

    Parameters
    ----------
    name : str
        A registered engine (rate, brian2, nengo, or one added with :func:`register_engine`).
    source : str
        Named in errors (a config file).
    options : dict, optional
        The config field ``engine_options``: the fields of the engine's ``options_type``.

    Returns
    -------
    Engine
        The engine.

    Raises
    ------
    UnknownNameError, ConfigError
        An unknown engine (listing the available ones), or an unknown or bad option (naming the field).
    """
    cls = get_engine_class(name, source)
    settings = engine_settings(cls, options, source)
    return cls() if settings is None else cls(settings)
