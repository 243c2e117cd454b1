"""Optimizers acting in place on dicts of parameter arrays."""
from .adam import Adam
from .rmsprop import RMSprop
from .sgd import SGD

Optimizer = Adam | RMSprop | SGD

__all__ = ["Adam", "Optimizer", "RMSprop", "SGD"]
