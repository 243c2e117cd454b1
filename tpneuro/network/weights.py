"""Forward parameters W_i (n_i x n_{i-1}) and b_i (n_i), keyed "W1", "b1", ... "WL", "bL".

Parameters live in a plain ``dict[str, ndarray]`` so that optimizers, checkpoints and hardware
transforms treat forward and feedback parameters alike.
"""
from __future__ import annotations

import numpy as np

from .architecture import NetworkSpec

Params = dict[str, np.ndarray]


def weight_key(i: int) -> str:
    return f"W{i}"


def bias_key(i: int) -> str:
    return f"b{i}"


def weight_layers(n_layers: int) -> dict[str, int]:
    """The forward weight matrices by layer index: {"W1": 1, ..., "WL": L}."""
    return {weight_key(i): i for i in range(1, n_layers + 1)}


def xavier_normal(n_out: int, n_in: int, rng: np.random.Generator, dtype) -> np.ndarray:
    """Glorot & Bengio 2010: W ~ N(0, 2 / (n_in + n_out))."""
    std = np.sqrt(2.0 / (n_in + n_out))
    return (rng.standard_normal((n_out, n_in)) * std).astype(dtype)


def init_forward_params(spec: NetworkSpec, rng: np.random.Generator, gains: tuple[float, ...] | None = None) -> Params:
    """Xavier-normal weights and zero biases, the initialisation of Meulemans et al. 2020.

    W_i has entries drawn from N(0, gain_i^2 2 / (n_{i-1} + n_i)) (Glorot & Bengio 2010), b_i = 0.

    Parameters
    ----------
    spec : NetworkSpec
        Layer sizes and the floating-point type of the parameters.
    rng : numpy.random.Generator
        The source of the draws (a run's ``init`` stream).
    gains : tuple of float, optional
        ``gains[i - 1]`` multiplies W_i's standard deviation (the ``gain`` of ``torch.nn.init.xavier_normal_``);
        1 for every layer by default.

    Returns
    -------
    dict of str to ndarray
        ``W1, b1, ..., WL, bL``.
    """
    params: Params = {}
    for i in range(1, spec.n_layers + 1):
        n_in, n_out = spec.layer_sizes[i - 1], spec.layer_sizes[i]
        gain = 1.0 if gains is None else gains[i - 1]
        params[weight_key(i)] = (xavier_normal(n_out, n_in, rng, spec.np_dtype) * gain).astype(spec.np_dtype)
        params[bias_key(i)] = np.zeros(n_out, dtype=spec.np_dtype)
    return params
