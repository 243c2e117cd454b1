"""Centred RMSprop with momentum (Graves 2013, "Generating sequences with recurrent neural networks",
arXiv 1308.0850, Eqs. 38-41), the optimizer of Lee et al. 2015's stochastic and discrete networks; L2 weight
decay is added to the gradient as in Adam:

g <- g + wd * p;  n <- a n + (1 - a) g^2;  gbar <- a gbar + (1 - a) g;
delta <- mu delta - lr g / sqrt(n - gbar^2 + eps);  p <- p + delta.

Lee et al.'s code (github.com/donghyunlee/dtp, util.py rms_prop) uses a = 0.95, mu = 0.9, eps = 1e-3 (inside
the square root), so gradients far below sqrt(eps) take steps proportional to their size, unlike Adam's.

The step is the pure function :func:`rmsprop_update`; :class:`RMSprop` holds the hyper-parameters and the buffers.
On the JAX engine the same step is optax's scale_by_stddev, scale(-lr), trace(mu), whose trace is delta.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checkpoint_buffers import buffers_under

BUFFERS = ("n", "gbar", "delta")     # running mean square, running mean, momentum of the step

Arrays = dict[str, np.ndarray]


def rmsprop_update(params: Arrays, grads: Arrays, buffers: dict[str, Arrays], *, lr: float, momentum: float,
                   averaging: float, eps: float, weight_decay: float = 0.0) -> tuple[Arrays, dict[str, Arrays]]:
    """One centred RMSprop step on every key of ``grads``; buffers missing from ``buffers[name]`` start at 0.
    Returns the new parameters of those keys and the new buffers, in the parameter's dtype; the inputs are not
    changed."""
    a = averaging
    new_params = {}
    new = {b: dict(buffers.get(b, {})) for b in BUFFERS}
    for key, g in grads.items():
        p = params[key]
        if weight_decay:
            g = g + weight_decay * p
        n, gbar, delta = (new[b].get(key, np.zeros_like(p)) * f for b, f in zip(BUFFERS, (a, a, momentum)))
        n += (1.0 - a) * (g * g)               # in place on the new arrays: a float64 term is rounded as added
        gbar += (1.0 - a) * g
        delta -= lr * g / np.sqrt(n - gbar * gbar + eps)
        new_params[key] = p + delta
        new["n"][key], new["gbar"][key], new["delta"][key] = n, gbar, delta
    return new_params, new


@dataclass
class RMSprop:
    lr: float
    momentum: float = 0.9
    averaging: float = 0.95
    eps: float = 1e-3
    weight_decay: float = 0.0
    step_count: int = 0
    buffers: dict[str, dict[str, np.ndarray]] = field(default_factory=lambda: {b: {} for b in BUFFERS})

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Replace ``params[k]`` by its updated value for every key of ``grads``."""
        self.step_count += 1
        new, self.buffers = rmsprop_update(params, grads, self.buffers, lr=self.lr, momentum=self.momentum,
                                           averaging=self.averaging, eps=self.eps, weight_decay=self.weight_decay)
        params.update(new)

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The buffers for a checkpoint, keyed ``{prefix}{buffer}/{key}``."""
        return {f"{prefix}{b}/{k}": arr for b in BUFFERS for k, arr in self.buffers[b].items()}

    def load_state_arrays(self, prefix: str, arrays: dict[str, np.ndarray], step_count: int) -> None:
        self.step_count = step_count
        self.buffers = {b: buffers_under(arrays, f"{prefix}{b}/") for b in BUFFERS}
