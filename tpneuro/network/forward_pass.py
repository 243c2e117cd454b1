"""The forward pass h_i = s_i(W_i h_{i-1} + b_i), batched over rows, on numpy or jax.numpy arrays (tpneuro.arrays)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..arrays import namespace
from .architecture import NetworkSpec
from .weights import Params, bias_key, weight_key


Transmit = Callable[[np.ndarray, int], np.ndarray]


@dataclass
class Activity:
    """One batch: pre-activations ``a[i]``, unit activities ``h[i]`` (rates) and what each layer sends on,
    ``sent[i]``; ``h[0] = sent[0]`` is the input, ``a[0]`` is unused.

    On an ideal substrate ``sent is h``. On a chip, ``sent[i]`` is h_i after the chip's units (e.g. a
    Bernoulli sample of the rate, Lee et al. 2015), mismatch and noise: the presynaptic activity of layer
    i+1. Local losses compare targets with the rates h_i; the output h_L is what is read out (sent).
    """

    a: list[np.ndarray | None]
    h: list[np.ndarray]
    sent: list[np.ndarray] = field(default=None)

    def __post_init__(self):
        if self.sent is None:
            self.sent = self.h

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]


def layer_forward(spec: NetworkSpec, params: Params, i: int, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a_i, h_i) from h_{i-1} for layer i."""
    a = h_prev @ params[weight_key(i)].T + params[bias_key(i)]
    return a, spec.activation(i).value(a)


def forward(spec: NetworkSpec, params: Params, x: np.ndarray, transmit: Transmit | None = None) -> Activity:
    """All layers' (a_i, h_i) for a batch: a_i = W_i h_{i-1} + b_i, h_i = s_i(a_i), h_0 = x.

    Parameters
    ----------
    spec : NetworkSpec
        Layer sizes and activations s_i.
    params : dict of str to ndarray
        The forward parameters ``W1, b1, ..., WL, bL`` (W_i of shape (n_i, n_{i-1})).
    x : ndarray of shape (batch, n_0)
        The inputs, one per row.
    transmit : callable, optional
        ``transmit(h_i, i)`` turns layer i's rates into what it sends on (a chip's units, mismatch and noise);
        the output layer's transmitted value is the network output.

    Returns
    -------
    Activity
        ``a[i]`` and ``h[i]`` of every layer (``a[0]`` is None, ``h[0]`` is ``x``); ``output`` is ``h[L]``.
    """
    if transmit is None:
        act = Activity(a=[None], h=[x])
        for i in range(1, spec.n_layers + 1):
            a, h = layer_forward(spec, params, i, act.h[-1])
            act.a.append(a)
            act.h.append(h)
        return act
    act = Activity(a=[None], h=[x], sent=[x])
    L = spec.n_layers
    for i in range(1, L + 1):
        a, h = layer_forward(spec, params, i, act.sent[-1])
        sent = transmit(h, i)
        act.a.append(a)
        act.h.append(sent if i == L else h)
        act.sent.append(sent)
    return act


def forward_from(spec: NetworkSpec, params: Params, i: int, h_i: np.ndarray) -> list[np.ndarray]:
    """Activities h_{i+1}, ..., h_L reached from a (possibly perturbed) h_i of layer i."""
    out = []
    h = h_i
    for k in range(i + 1, spec.n_layers + 1):
        _, h = layer_forward(spec, params, k, h)
        out.append(h)
    return out


def forward_perturbations(spec: NetworkSpec, params: Params, act: Activity, noise: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Output h_L reached from each perturbed hidden layer, h_i + noise[i] propagated through layers
    i+1..L, for every i in ``noise`` (the corrupted forward passes of the difference reconstruction
    loss, Meulemans et al. 2020, Sec. 3.3). All perturbations that have reached layer k go through it
    as one stacked matrix product, which is the same arithmetic as separate passes in fewer, larger
    products."""
    stack, order = None, []
    for k in range(1, spec.n_layers + 1):
        if stack is not None:
            stack = layer_forward(spec, params, k, stack)[1]
        if k in noise:
            fresh = act.h[k] + noise[k]
            stack = fresh if stack is None else namespace(stack).concat([stack, fresh])
            order.append(k)
    batch = act.output.shape[0]
    return {i: stack[j * batch:(j + 1) * batch] for j, i in enumerate(order)}


def derivatives(spec: NetworkSpec, act: Activity) -> list[np.ndarray | None]:
    """s_i'(a_i) for i = 1..L (index 0 is None)."""
    return [None] + [spec.activation(i).derivative(act.a[i], act.h[i]) for i in range(1, spec.n_layers + 1)]
