"""Engines by name. Spiking engines are imported only when asked for (brian2 and nengo load slowly)."""
from __future__ import annotations

from importlib import import_module

from ..errors import UnknownNameError

ENGINES: dict[str, str] = {
    "rate": "tpneuro.engines.rate_engine:RateEngine",
    "nengo": "tpneuro.engines.nengo_engine:NengoEngine",
}


def get_engine(name: str, source: str = "engine"):
    """An engine instance for ``name``; an unknown name lists the available engines."""
    try:
        module, cls = ENGINES[name].split(":")
    except KeyError:
        raise UnknownNameError(source, "engine", name, list(ENGINES)) from None
    return getattr(import_module(module), cls)()
