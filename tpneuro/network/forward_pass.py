"""The forward pass h_i = s_i(W_i h_{i-1} + b_i), batched over rows."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .architecture import NetworkSpec
from .weights import Params, bias_key, weight_key


@dataclass
class Activity:
    """Pre-activations ``a[i]`` and activities ``h[i]`` of one batch; ``h[0]`` is the input, ``a[0]`` unused."""

    a: list[np.ndarray | None]
    h: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]


def layer_forward(spec: NetworkSpec, params: Params, i: int, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a_i, h_i) from h_{i-1} for layer i."""
    a = h_prev @ params[weight_key(i)].T
    a += params[bias_key(i)]
    return a, spec.activation(i).value(a)


def forward(spec: NetworkSpec, params: Params, x: np.ndarray) -> Activity:
    """All layers' (a_i, h_i) for the batch ``x`` of shape (batch, n_0)."""
    act = Activity(a=[None], h=[x])
    for i in range(1, spec.n_layers + 1):
        a, h = layer_forward(spec, params, i, act.h[-1])
        act.a.append(a)
        act.h.append(h)
    return act


def forward_from(spec: NetworkSpec, params: Params, i: int, h_i: np.ndarray) -> list[np.ndarray]:
    """Activities h_{i+1}, ..., h_L reached from a (possibly perturbed) h_i of layer i."""
    out = []
    h = h_i
    for k in range(i + 1, spec.n_layers + 1):
        _, h = layer_forward(spec, params, k, h)
        out.append(h)
    return out


def derivatives(spec: NetworkSpec, act: Activity) -> list[np.ndarray | None]:
    """s_i'(a_i) for i = 1..L (index 0 is None)."""
    return [None] + [spec.activation(i).derivative(act.a[i], act.h[i]) for i in range(1, spec.n_layers + 1)]
