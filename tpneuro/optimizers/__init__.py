"""Optimizers on dicts of parameter arrays: each step a pure function (adam_update, rmsprop_update, sgd_update),
each class the hyper-parameters and the state between steps."""
from .adam import Adam, adam_update
from .rmsprop import RMSprop, rmsprop_update
from .sgd import SGD, sgd_update

Optimizer = Adam | RMSprop | SGD

__all__ = ["Adam", "Optimizer", "RMSprop", "SGD", "adam_update", "rmsprop_update", "sgd_update"]
