"""Shared machinery of the rules with layer-wise feedback g_i: R^{n_i} -> R^{n_{i-1}} (TP, DTP, DRL).

g_i(u) = t(Q_i u + c_i) (Lee et al. 2015, Eq. 8), i = 2..L, Q_i of shape (n_{i-1}, n_i); the input layer
needs no feedback map. Feedback trained by the noisy reconstruction loss of Lee et al. 2015 (Eq. 13):
L_fb,i = (1/sigma^2) MSE(g_i(f_i(h_{i-1} + sigma eps)), h_{i-1} + sigma eps).

The feedback activation t may be ``soft_lif``, the LIF rate curve (tpneuro.network.lif_rate) that a population
of spiking LIF neurons follows, so that a spiking engine can realise g_i as feedback populations. Its c_i start
at twice the threshold current (every unit fires, at 0.126 of its maximum rate; with c_i = 0 the units would sit
below threshold, where the rate and its slope vanish and g_i could not learn), and its Xavier Q_i are divided by
the slope there (0.081 per unit of current), so that g_i starts with the Jacobian diag(t'(c_i)) Q_i of a Xavier
matrix, as a tanh map at c_i = 0 does (t'(0) = 1); with Xavier Q_i alone every link shrank DTP's differences
about tenfold.
"""
from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from ..network.activations import get_activation
from .declarations import Locality
from ..network.forward_pass import layer_forward
from ..network.weights import xavier_normal
from .base import TargetHyperparams, TargetRule
from .feedback_maps import (
    FeedbackEval,
    accumulate_feedback_gradient,
    apply_feedback,
    reconstruction_loss,
    reconstruction_scale,
    summed,
)
from .op_counts import LayerProducts, target_rule_macs


class LayerwiseHyperparams(TargetHyperparams):
    sigma: float = Field(gt=0, description="std of the noise that trains the feedback weights")
    feedback_activation: Literal["tanh", "linear", "sigmoid", "relu", "soft_lif"] = Field(
        "tanh", description="t of the feedback map g_i(h) = t(Q_i h + c_i); soft_lif is the LIF rate curve, which a "
                            "spiking engine realises as feedback populations")
    penultimate_step: float | None = Field(
        None, gt=0, description="Lee et al. 2015's eta-hat: set the last hidden layer's target by a gradient step, "
                                "t_{L-1} = h_{L-1} - eta dl/dh_{L-1} (per-sample loss l), instead of through g_L")


# the starting c_i of a feedback activation whose units are silent at 0 (default 0)
FEEDBACK_BIAS_INIT: dict[str, float] = {"soft_lif": 2.0}


class LayerwiseFeedbackRule(TargetRule):
    """Base of TP, DTP and DRL: parameters Q_i, c_i (i = 2..L) and their evaluation."""

    Hyperparams: ClassVar = LayerwiseHyperparams
    feedback_wiring = "layerwise"
    feedback_training = "layer_reconstruction"

    def __init__(self, spec, hyperparams=None):
        super().__init__(spec, hyperparams)
        if self.hp.penultimate_step is not None:
            # Lee et al.'s gradient step for the last hidden layer goes through W_L^T
            self.locality = Locality(hidden_signal="the transposed output weights W_L^T (rule.penultimate_step)")

    @property
    def t(self):
        return get_activation(self.hp.feedback_activation)

    @property
    def feedback_map(self):
        return "linear" if self.hp.feedback_activation == "linear" else "nonlinear"

    def feedback_weight_layers(self):
        return {f"Q{i}": i for i in self.feedback_layers()}

    def init_feedback(self, rng, forward_params):
        sizes, dtype = self.spec.layer_sizes, self.spec.np_dtype
        fb = {}
        bias = FEEDBACK_BIAS_INIT.get(self.hp.feedback_activation, 0.0)
        at_bias = np.array([bias])
        gain = 1.0 / self.t.derivative(at_bias, self.t.value(at_bias))[0] if bias else 1.0
        for i in self.feedback_layers():
            fb[f"Q{i}"] = (gain * xavier_normal(sizes[i - 1], sizes[i], rng, dtype)).astype(dtype, copy=False)
            fb[f"c{i}"] = np.full(sizes[i - 1], bias, dtype=dtype)
        return fb

    def feedback_layers(self) -> range:
        """The layers i whose feedback map g_i is used (and trained): 2..L, or 2..L-1 when the last hidden
        layer's target comes from a gradient step (``penultimate_step``)."""
        top = self.spec.n_layers if self.hp.penultimate_step is None else self.spec.n_layers - 1
        return range(2, top + 1)

    def trained_feedback_keys(self):
        return tuple(f"{p}{i}" for i in self.feedback_layers() for p in "Qc")

    def g(self, fb, i: int, u: np.ndarray) -> FeedbackEval:
        return apply_feedback(fb[f"Q{i}"], fb[f"c{i}"], u, self.t)

    def hidden_targets(self, fwd, fb, act, t_out):
        """TP: t_{i-1} = g_i(t_i); DTP: t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i) (Lee et al. 2015, Eq. 15).

        With ``penultimate_step`` eta (Lee et al. 2015, Sec. 3.2, stochastic network):
        t_{L-1} = h_{L-1} - eta B (dL/dh_L) W_L, the per-sample gradient step taken through the sent
        (sampled) activity, and the chain starts below it.
        """
        L = self.spec.n_layers
        targets = [None] * (L - 1)
        t, top = t_out, L
        if self.hp.penultimate_step is not None:
            grad_sent = ((t_out - act.output) * (-act.output.shape[0] / self.hp.beta)) @ fwd[f"W{L}"]
            t = act.h[L - 1] - self.hp.penultimate_step * grad_sent
            targets[L - 2] = t
            top = L - 1
        for i in range(top, 1, -1):
            t = self.g(fb, i, t).out
            if self.difference_correction:
                t = t + act.h[i - 1] - self.g(fb, i, act.h[i]).out
            targets[i - 2] = t
        return targets

    def feedback_jacobian(self, fwd, fb, act, i):
        """Product J_{g_{i+1}} ... J_{g_L} with J_{g_k}(u_k) = diag(t'(Q_k u_k + c_k)) Q_k, along the
        points u_k that the target chain visits when t_L = h_L (u_k = h_k with difference correction)."""
        L = self.spec.n_layers
        u = act.output
        jac = None
        if self.hp.penultimate_step is not None:
            return None   # the chain starts at a gradient step, not at the output: no feedback path from h_L
        for k in range(L, i, -1):
            ev = self.g(fb, k, u)
            jk = self.t.derivative(ev.pre, ev.out)[:, :, None] * fb[f"Q{k}"]       # (B, n_{k-1}, n_k)
            jac = jk if jac is None else jk @ jac
            u = act.h[k - 1] if self.difference_correction else ev.out
        return jac

    def reconstruction_gradients(self, fwd, fb, act, rng):
        """Gradients of Lee et al.'s noisy reconstruction loss for every g_i, and the summed loss."""
        grads, losses = {}, []
        sigma = self.hp.sigma
        for i in self.feedback_layers():
            h_prev = act.h[i - 1]
            noisy = h_prev + sigma * rng.standard_normal(h_prev.shape, dtype=h_prev.dtype)
            _, h_i = layer_forward(self.spec, fwd, i, noisy)
            ev = self.g(fb, i, h_i)
            err = ev.out - noisy
            losses.append(reconstruction_loss(err, sigma))
            err = err * reconstruction_scale(sigma, *h_prev.shape)
            accumulate_feedback_gradient(grads, f"Q{i}", f"c{i}", err, ev, self.t)
        return grads, summed(losses)

    def target_macs(self, p: LayerProducts) -> float:
        """g_i(t_i) and g_i(h_i) for every feedback map."""
        return sum(2 * p.layer(i) for i in range(2, self.spec.n_layers + 1))

    def feedback_macs(self, p: LayerProducts) -> float:
        """Lee et al.'s reconstruction loss per layer: f_i of the noisy h_{i-1}, g_i of it, and dQ_i."""
        return sum(3 * p.layer(i) for i in range(2, self.spec.n_layers + 1))

    def training_macs(self, extra_fb_epochs):
        p = LayerProducts(self.spec.layer_sizes)
        return target_rule_macs(p, self.target_macs(p), self.feedback_macs(p), extra_fb_epochs)
