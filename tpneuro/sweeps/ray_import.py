"""Ray is an optional dependency (``pip install 'tpneuro[sweeps]'``): importing it says so in one line."""
from __future__ import annotations

from types import ModuleType

from ..errors import TpneuroError


def import_ray() -> ModuleType:
    """The ``ray`` module, or a one-line :class:`~tpneuro.errors.TpneuroError` naming the extra to install."""
    try:
        import ray
    except ModuleNotFoundError:
        raise TpneuroError("sweeps run their trials on Ray, which is not installed; fix: "
                           "pip install 'tpneuro[sweeps]'") from None
    return ray
