"""Stochastic gradient descent with heavy-ball momentum and L2 weight decay added to the gradient (the form
of torch.optim.SGD with dampening 0; Polyak 1964 for the momentum):

g <- g + wd * p;  v <- mu v + g;  p <- p - lr * v.

With mu = 0 and batch size 1 it is the per-sample SGD step the spiking engines take inside the simulation
(tpneuro.engines.spiking_options: the step ``learning_rate / beta`` on each local loss), so the rate engine
can run the same online learning as a reference for them.

The step is the pure function :func:`sgd_update`; :class:`SGD` holds the hyper-parameters and the velocity (none
without momentum). On the JAX engine the same step is optax's trace(mu) then scale(-lr).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checkpoint_buffers import buffers_under

Arrays = dict[str, np.ndarray]


def sgd_update(params: Arrays, grads: Arrays, velocity: Arrays, *, lr: float, momentum: float = 0.0,
               weight_decay: float = 0.0) -> tuple[Arrays, Arrays]:
    """One SGD step on every key of ``grads`` (velocities missing from ``velocity`` start at 0; none are kept
    without momentum). Returns the new parameters of those keys and the new velocities, in the parameter's dtype;
    inputs unchanged."""
    new_params, new_velocity = {}, dict(velocity)
    for key, g in grads.items():
        p = params[key]
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            v = velocity.get(key, np.zeros_like(p)) * momentum
            v += g                             # in place on the new array: a float64 g is rounded as added
            new_velocity[key] = g = v
        new_params[key] = (p - lr * g).astype(p.dtype, copy=False)
    return new_params, new_velocity


@dataclass
class SGD:
    lr: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    step_count: int = 0
    velocity: dict[str, np.ndarray] = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Replace ``params[k]`` by its updated value for every key of ``grads``."""
        self.step_count += 1
        new, self.velocity = sgd_update(params, grads, self.velocity, lr=self.lr, momentum=self.momentum,
                                        weight_decay=self.weight_decay)
        params.update(new)

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The momentum buffers for a checkpoint, keyed ``{prefix}velocity/{key}``."""
        return {f"{prefix}velocity/{k}": arr for k, arr in self.velocity.items()}

    def load_state_arrays(self, prefix: str, arrays: dict[str, np.ndarray], step_count: int) -> None:
        self.step_count = step_count
        self.velocity = buffers_under(arrays, f"{prefix}velocity/")
