"""Seeded random-search samples (Bergstra & Bengio 2012, "Random search for hyper-parameter optimization").

For each of ``n`` samples and each parameter in file order, one draw from a single numpy Generator
seeded with ``random.seed``: so the samples depend only on the sweep file.

- ``loguniform: [a, b]``: x = exp(u), u ~ U(ln a, ln b), i.e. density proportional to 1/x on [a, b];
- ``uniform: [a, b]``: x ~ U(a, b);
- ``choice: [v1, ..., vk]``: each v_j with probability 1/k.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .sweep_spec import Distribution, RandomSearch


def draw(dist: Distribution, rng: np.random.Generator) -> Any:
    """One value of ``dist``; floats come back as Python floats (they go into YAML and JSON)."""
    if dist.loguniform is not None:
        low, high = dist.loguniform
        return float(np.exp(rng.uniform(np.log(low), np.log(high))))
    if dist.uniform is not None:
        return float(rng.uniform(*dist.uniform))
    return dist.choice[int(rng.integers(len(dist.choice)))]


def random_samples(search: RandomSearch | None) -> list[dict[str, Any]]:
    """The ``n`` override mappings of the random search; ``[{}]`` (one empty sample) without one."""
    if search is None:
        return [{}]
    rng = np.random.default_rng(search.seed)
    return [{field: draw(dist, rng) for field, dist in search.params.items()} for _ in range(search.n)]
