"""Random draws from ``jax.random`` with the two methods of numpy's Generator that the shared arithmetic calls
(tpneuro.arrays.DrawSource), so that rules and chip transforms written once draw their noise inside a compiled
program. Each call folds a running count into the key: the draws of one minibatch are independent of each other
and fixed by its key."""
from __future__ import annotations

import jax
import jax.numpy as jnp


class JaxDraws:
    """Draws from ``key`` (a typed ``jax.random`` key); the n-th call uses ``fold_in(key, n)``."""

    def __init__(self, key: jax.Array):
        self._key = key
        self._count = 0

    def _next_key(self) -> jax.Array:
        self._count += 1
        return jax.random.fold_in(self._key, self._count)

    def standard_normal(self, size, dtype=jnp.float64) -> jax.Array:
        """N(0, 1) draws of shape ``size``."""
        return jax.random.normal(self._next_key(), tuple(size), dtype)

    def random(self, size, dtype=jnp.float64) -> jax.Array:
        """U[0, 1) draws of shape ``size``."""
        return jax.random.uniform(self._next_key(), tuple(size), dtype)
