"""Optimizers acting in place on dicts of parameter arrays."""
from .adam import Adam
from .rmsprop import RMSprop

Optimizer = Adam | RMSprop

__all__ = ["Adam", "Optimizer", "RMSprop"]
