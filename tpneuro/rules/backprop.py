"""Backpropagation (Rumelhart et al. 1986) in the two-factor form post = delta_i, pre = h_{i-1}.

delta_L = s_L'(a_L) * dL/dh_L;  delta_i = s_i'(a_i) * (delta_{i+1} M_{i+1}),  with M = W (BP) or a fixed
random B (feedback alignment). dL/dW_i = (1/B) sum_b delta_i h_{i-1}^T is the exact gradient.
"""
from __future__ import annotations

from typing import Callable, ClassVar

import numpy as np

from ..network.forward_pass import Activity, derivatives
from ..network.weights import Params, weight_key
from .base import LearningRule
from .declarations import Locality
from .local_update import LocalUpdate
from .op_counts import LayerProducts, backprop_macs


def backward_deltas(spec, act: Activity, grad_output: np.ndarray,
                    backward_matrix: Callable[[int], np.ndarray]) -> list[np.ndarray]:
    """Per-sample deltas delta_1..delta_L, propagated down through ``backward_matrix(i+1)`` (n_{i+1}, n_i).

    ``grad_output`` is the gradient of the batch-mean loss, (p - onehot)/B; the per-sample deltas are B
    times that, so that LocalUpdate's mean over the batch gives the exact gradient of the mean loss.
    Where a layer sends a transformed activity (a chip's stochastic or sign units), the deltas pass through
    that transform unchanged: the straight-through estimator (Bengio, Leonard & Courville 2013).
    """
    ds = derivatives(spec, act)
    L = spec.n_layers
    deltas = [None] * (L + 1)
    deltas[L] = ds[L] * (grad_output * grad_output.shape[0])
    for i in range(L - 1, 0, -1):
        deltas[i] = ds[i] * (deltas[i + 1] @ backward_matrix(i + 1))
    return deltas[1:]


def bp_updates(spec, fwd: Params, act: Activity, grad_output: np.ndarray) -> list[LocalUpdate]:
    """Exact loss gradients of every layer as LocalUpdates."""
    deltas = backward_deltas(spec, act, grad_output, lambda k: fwd[weight_key(k)])
    return [LocalUpdate(deltas[i - 1], act.sent[i - 1]) for i in range(1, spec.n_layers + 1)]


class Backprop(LearningRule):
    """Backpropagation (Rumelhart, Hinton & Williams 1986, Nature 323:533), as two-factor updates.

    delta_L = dL/da_L, delta_i = s_i'(a_i) * W_{i+1}^T delta_{i+1} and dW_i = -lr delta_i h_{i-1}^T: the exact
    gradient, the reference every other rule is measured against (not local: W_{i+1}^T is read backwards).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : RuleHyperparams, optional
        The config's ``rule:`` section less ``name``. Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "bp"
    title: ClassVar[str] = "Backpropagation"
    reference: ClassVar[str] = "Rumelhart, Hinton & Williams 1986, Nature 323:533"
    equation: ClassVar[str] = "delta_i = s_i'(a_i) * W_{i+1}^T delta_{i+1};  dW_i = -lr delta_i h_{i-1}^T"
    locality: ClassVar[Locality] = Locality(hidden_signal="the transposed forward weights W_{i+1}^T (weight transport)")

    def forward_updates(self, fwd, fb, act, grad_output):
        return bp_updates(self.spec, fwd, act, grad_output)

    def training_macs(self, extra_fb_epochs):
        return backprop_macs(LayerProducts(self.spec.layer_sizes))
