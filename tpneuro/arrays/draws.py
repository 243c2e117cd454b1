"""The random draws a rule or a chip transform takes, as an interface that numpy's ``Generator`` already has.

The shared arithmetic asks its ``rng`` argument for exactly two kinds of draws, with the method names and defaults
of :class:`numpy.random.Generator`, so that the numpy engine passes its Generator unchanged (the same draws in
the same order as ever) and the JAX engine passes a source of ``jax.random`` draws with the same two methods
(tpneuro.engines.jax_engine.draws). A test can pass pre-drawn arrays to both engines through the same interface.
"""
from __future__ import annotations

from typing import Any, Protocol


class DrawSource(Protocol):
    """Standard normal and uniform [0, 1) draws, returned as arrays of the caller's array namespace."""

    def standard_normal(self, size: tuple[int, ...], dtype: Any = ...) -> Any:
        """N(0, 1) draws of shape ``size`` (float64 unless ``dtype`` says otherwise)."""

    def random(self, size: tuple[int, ...], dtype: Any = ...) -> Any:
        """U[0, 1) draws of shape ``size`` (float64 unless ``dtype`` says otherwise)."""
