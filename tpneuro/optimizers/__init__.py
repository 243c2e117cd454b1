"""Optimizers acting in place on dicts of parameter arrays."""
from .adam import Adam

__all__ = ["Adam"]
