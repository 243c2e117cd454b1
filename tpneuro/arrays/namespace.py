"""The array namespace of the arrays a function is given: ``numpy`` for numpy arrays, ``jax.numpy`` for JAX arrays
(also inside ``jax.jit`` and ``jax.vmap``).

The rules, the chip transforms and the forward pass are written once against the Python array API standard
(https://data-apis.org/array-api/), which numpy (>= 2) and jax.numpy both implement, and take their functions from
``xp = namespace(x)``. The native namespaces are returned (``use_compat=False``), not array_api_compat's wrappers,
so that the numpy engine runs numpy's own functions: the same numbers as before, at the same cost per call.
"""
from __future__ import annotations

from types import ModuleType

import numpy as np
from array_api_compat import array_namespace


def namespace(*arrays) -> ModuleType:
    """The array API namespace shared by ``arrays`` (Python scalars and None are ignored); numpy arrays mixed with
    the arrays of one other library (e.g. constants next to JAX arrays) give that library's namespace."""
    given = [a for a in arrays if a is not None and not isinstance(a, (int, float, bool))]
    if all(type(a) is np.ndarray for a in given):       # the numpy engine's case, without array_api_compat's checks
        return np
    try:
        return array_namespace(*given, use_compat=False)
    except TypeError:
        others = {array_namespace(a, use_compat=False) for a in given} - {np}
        if len(others) != 1:
            raise
        return others.pop()


def float64_array(x) -> tuple[ModuleType, object]:
    """(namespace, ``x`` as a float64 array of it); a list or a Python number becomes a numpy array."""
    if not hasattr(x, "__array_namespace__"):
        x = np.asarray(x)
    xp = namespace(x)
    return xp, xp.astype(x, xp.float64)
