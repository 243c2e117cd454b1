"""Adam (Kingma & Ba 2015, arXiv 1412.6980, Algorithm 1) with L2 weight decay added to the gradient,
as PyTorch's torch.optim.Adam does (the optimizer of Meulemans et al. 2020):

g <- g + wd * p;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).

The step is the pure function :func:`adam_update`; :class:`Adam` holds the hyper-parameters and the moments
between steps (and in checkpoints). The JAX engine takes the same step with optax (scale_by_adam, whose bias
correction and epsilon placement are these; tpneuro.engines.jax_engine.optimizers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checkpoint_buffers import buffers_under

Arrays = dict[str, np.ndarray]


def adam_update(params: Arrays, grads: Arrays, m: Arrays, v: Arrays, t: int, *, lr: float,
                betas: tuple[float, float], eps: float = 1e-8,
                weight_decay: float = 0.0) -> tuple[Arrays, Arrays, Arrays]:
    """Step ``t`` (1 for the first) of Adam on every key of ``grads``; moments missing from ``m``, ``v`` start at 0.

    Returns the new parameters of those keys and the new moment dicts; the inputs are not changed. Moments and
    parameters keep the parameter's dtype (a float64 gradient of a float32 parameter is added in float64 and
    rounded, as an in-place update would), and the correction 1/sqrt(1 - b2^t) multiplies sqrt(v) in float64.
    """
    b1, b2 = betas
    step_size = lr / (1.0 - b1**t)
    v_correction = np.float64(1.0 / np.sqrt(1.0 - b2**t))
    new_params, new_m, new_v = {}, dict(m), dict(v)
    for key, g in grads.items():
        p = params[key]
        if weight_decay:
            g = g + weight_decay * p
        m_k = _or_zeros(m, key, p) * b1        # new arrays, updated in place below (same_kind casting rounds a
        m_k += (1.0 - b1) * g                  # float64 term into a float32 moment as it is added)
        v_k = _or_zeros(v, key, p) * b2
        v_k += (1.0 - b2) * (g * g)
        denom = np.sqrt(v_k)
        denom *= v_correction
        denom += eps
        new_p = p - step_size * m_k / denom
        new_params[key] = new_p.astype(p.dtype, copy=False)
        new_m[key], new_v[key] = m_k, v_k
    return new_params, new_m, new_v


def _or_zeros(buffers: Arrays, key: str, like: np.ndarray) -> np.ndarray:
    found = buffers.get(key)
    return np.zeros_like(like) if found is None else found


@dataclass
class Adam:
    lr: float
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    step_count: int = 0
    m: dict[str, np.ndarray] = field(default_factory=dict)
    v: dict[str, np.ndarray] = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Replace ``params[k]`` by its updated value for every key of ``grads``."""
        self.step_count += 1
        new, self.m, self.v = adam_update(params, grads, self.m, self.v, self.step_count, lr=self.lr,
                                          betas=self.betas, eps=self.eps, weight_decay=self.weight_decay)
        params.update(new)

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Moment estimates for a checkpoint, keyed ``{prefix}m/{key}`` and ``{prefix}v/{key}``."""
        out = {f"{prefix}m/{k}": a for k, a in self.m.items()}
        out.update({f"{prefix}v/{k}": a for k, a in self.v.items()})
        return out

    def load_state_arrays(self, prefix: str, arrays: dict[str, np.ndarray], step_count: int) -> None:
        self.step_count = step_count
        self.m = buffers_under(arrays, prefix + "m/")
        self.v = buffers_under(arrays, prefix + "v/")
