"""SGD with a learning-rate factor per parameter: the rate-engine reference of the spiking engines' online
steps, which take one step size for the hidden layers and another for the readout
(tpneuro.engines.spiking_options.SpikingOptions.layer_learning_rate).

Step on parameter k: p_k <- p_k - lr f_k v_k, with v_k the momentum buffer of tpneuro.optimizers.sgd.SGD and
f_k = ``factors[k]`` (1 when absent). A factor 0 freezes the parameter (the frozen-hidden control).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .sgd import SGD


@dataclass
class LayerSGD(SGD):
    factors: dict[str, float] = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """SGD.step with each gradient times its parameter's factor (factor 0: the parameter is left as it is)."""
        scaled = {k: g * self.factors.get(k, 1.0) for k, g in grads.items() if self.factors.get(k, 1.0) != 0.0}
        super().step(params, scaled)


def spiking_step_factors(n_layers: int, hidden_factor: float) -> dict[str, float]:
    """Factors of W_i, b_i: ``hidden_factor`` for the hidden layers i < n_layers, 1 for the readout."""
    return {f"{p}{i}": hidden_factor for i in range(1, n_layers) for p in ("W", "b")}
