"""Stochastic gradient descent with heavy-ball momentum and L2 weight decay added to the gradient (the form
of torch.optim.SGD with dampening 0; Polyak 1964 for the momentum):

g <- g + wd * p;  v <- mu v + g;  p <- p - lr * v.

With mu = 0 and batch size 1 it is the per-sample SGD step the spiking engines take inside the simulation
(tpneuro.engines.spiking_options: the step ``learning_rate / beta`` on each local loss), so the rate engine
can run the same online learning as a reference for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checkpoint_buffers import buffers_under


@dataclass
class SGD:
    lr: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    step_count: int = 0
    velocity: dict[str, np.ndarray] = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update ``params[k]`` in place for every key of ``grads``."""
        self.step_count += 1
        for key, g in grads.items():
            p = params[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                v = self.velocity.setdefault(key, np.zeros_like(p))
                v *= self.momentum
                v += g
                g = v
            p -= self.lr * g

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The momentum buffers for a checkpoint, keyed ``{prefix}velocity/{key}``."""
        return {f"{prefix}velocity/{k}": arr for k, arr in self.velocity.items()}

    def load_state_arrays(self, prefix: str, arrays: dict[str, np.ndarray], step_count: int) -> None:
        self.step_count = step_count
        self.velocity = buffers_under(arrays, f"{prefix}velocity/")
