"""Adam (Kingma & Ba 2015, arXiv 1412.6980, Algorithm 1) with L2 weight decay added to the gradient,
as PyTorch's torch.optim.Adam does (the optimizer of Meulemans et al. 2020):

g <- g + wd * p;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checkpoint_buffers import buffers_under


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
        """Update ``params[k]`` in place for every key of ``grads``."""
        self.step_count += 1
        b1, b2 = self.betas
        t = self.step_count
        step_size = self.lr / (1.0 - b1**t)
        v_correction = 1.0 / np.sqrt(1.0 - b2**t)
        for key, g in grads.items():
            p = params[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            m = self.m.setdefault(key, np.zeros_like(p))
            v = self.v.setdefault(key, np.zeros_like(p))
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            denom = np.sqrt(v)
            denom *= v_correction
            denom += self.eps
            p -= step_size * m / denom

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Moment estimates for a checkpoint, keyed ``{prefix}m/{key}`` and ``{prefix}v/{key}``."""
        out = {f"{prefix}m/{k}": a for k, a in self.m.items()}
        out.update({f"{prefix}v/{k}": a for k, a in self.v.items()})
        return out

    def load_state_arrays(self, prefix: str, arrays: dict[str, np.ndarray], step_count: int) -> None:
        self.step_count = step_count
        self.m = buffers_under(arrays, prefix + "m/")
        self.v = buffers_under(arrays, prefix + "v/")
