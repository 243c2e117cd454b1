"""DDTP-RHL (Meulemans et al. 2020, arXiv 2006.14331, Sec. 4): direct feedback through a fixed random
hidden layer z(u) = tanh(R u + r) (R never trained):
t_i = h_i + g_i(t_L) - g_i(h_L),  g_i(u) = t(Q_i z(u) + c_i);  the last hidden layer bypasses z.
Feedback trained by the difference reconstruction loss with r_i = h_i + g_i(h~_L) - g_i(h_L).
"""
from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from ..arrays import namespace
from ..network.activations import get_activation
from ..network.forward_pass import forward_perturbations
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


class DDTPRHLHyperparams(TargetHyperparams):
    sigma: float = Field(gt=0, description="std of the noise that trains the feedback weights")
    rhl_size: int = Field(default=1024, ge=1, description="units of the fixed random hidden layer")
    feedback_activation: Literal["tanh", "linear", "sigmoid", "relu"] = Field(
        "linear", description="t of the feedback map t(Q_i z + c_i) from the random hidden layer z")


class DDTPRHL(TargetRule):
    """Direct difference target propagation through a random hidden layer (Meulemans et al. 2020, Sec. 4).

    t_i = h_i + t(Q_i z(t_L) + c_i) - t(Q_i z(h_L) + c_i) with z(u) = tanh(R u + r) a fixed random layer;
    Q_i and c_i trained by the difference reconstruction loss (ibid. Eq. 11).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : DDTPRHLHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``sigma``, ``rhl_size``, ``feedback_activation``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "ddtp_rhl"
    title: ClassVar[str] = "Direct difference target propagation, random hidden layer feedback"
    reference: ClassVar[str] = "Meulemans et al. 2020, NeurIPS 33, arXiv 2006.14331, Sec. 4"
    equation: ClassVar[str] = "t_i = h_i + t(Q_i z(t_L) + c_i) - t(Q_i z(h_L) + c_i),  z = tanh(R u + r) fixed"
    Hyperparams = DDTPRHLHyperparams
    feedback_wiring = "direct"
    feedback_training = "difference_reconstruction"

    @property
    def t(self):
        return get_activation(self.hp.feedback_activation)

    def _uses_rhl(self, i: int) -> bool:
        return i < self.spec.n_layers - 1

    @property
    def feedback_map(self):
        return "nonlinear"

    @property
    def feedback_activations(self):
        return frozenset({"tanh", self.hp.feedback_activation}) - {"linear"}

    def feedback_map_field(self):
        return "the fixed random hidden layer z = tanh(R u + r)"

    def feedback_weight_layers(self):
        return {f"Q{i}": i for i in range(1, self.spec.n_layers)}

    def feedback_parameter_count(self):
        """R and r of the random layer, Q_i and c_i per hidden layer."""
        sizes, m = self.spec.layer_sizes, self.hp.rhl_size
        return m * (sizes[-1] + 1) + sum(sizes[i] * ((m if self._uses_rhl(i) else sizes[-1]) + 1)
                                         for i in range(1, self.spec.n_layers))

    def init_feedback(self, rng, forward_params):
        sizes, dtype, m = self.spec.layer_sizes, self.spec.np_dtype, self.hp.rhl_size
        fb = {"R": xavier_normal(m, sizes[-1], rng, dtype), "r": np.zeros(m, dtype=dtype)}
        for i in range(1, self.spec.n_layers):
            fb[f"Q{i}"] = xavier_normal(sizes[i], m if self._uses_rhl(i) else sizes[-1], rng, dtype)
            fb[f"c{i}"] = np.zeros(sizes[i], dtype=dtype)
        return fb

    def trained_feedback_keys(self):
        return tuple(f"{p}{i}" for i in range(1, self.spec.n_layers) for p in "Qc")

    def z(self, fb, u):
        return namespace(u).tanh(u @ fb["R"].T + fb["r"])

    def g(self, fb, i: int, u: np.ndarray, z_u: np.ndarray) -> FeedbackEval:
        return apply_feedback(fb[f"Q{i}"], fb[f"c{i}"], z_u if self._uses_rhl(i) else u, self.t)

    def hidden_targets(self, fwd, fb, act, t_out):
        h_out = act.output
        z_t, z_h = self.z(fb, t_out), self.z(fb, h_out)
        return [act.h[i] + self.g(fb, i, t_out, z_t).out - self.g(fb, i, h_out, z_h).out
                for i in range(1, self.spec.n_layers)]

    def feedback_jacobian(self, fwd, fb, act, i):
        """diag(t'(.)) Q_i diag(1 - z^2) R (or diag(t'(.)) Q_i for the last hidden layer)."""
        h_out = act.output
        z_h = self.z(fb, h_out)
        ev = self.g(fb, i, h_out, z_h)
        outer = self.t.derivative(ev.pre, ev.out)[:, :, None] * fb[f"Q{i}"]
        if not self._uses_rhl(i):
            return outer
        return outer @ ((1.0 - z_h * z_h)[:, :, None] * fb["R"])

    def feedback_gradients(self, fwd, fb, act, rng):
        sigma, h_out = self.hp.sigma, act.output
        z_clean = self.z(fb, h_out)
        noise = {i: sigma * rng.standard_normal(act.h[i].shape, dtype=act.h[i].dtype) for i in range(1, self.spec.n_layers)}
        outputs = forward_perturbations(self.spec, fwd, act, noise)
        grads, losses = {}, []
        for i in range(1, self.spec.n_layers):
            h = act.h[i]
            noisy = h + noise[i]
            out_noisy = outputs[i]
            uses_z = self._uses_rhl(i)
            ev_n = self.g(fb, i, out_noisy, self.z(fb, out_noisy) if uses_z else None)
            ev_c = self.g(fb, i, h_out, z_clean)
            err = h + ev_n.out - ev_c.out - noisy
            losses.append(reconstruction_loss(err, sigma))
            err = err * reconstruction_scale(sigma, *h.shape)
            accumulate_feedback_gradient(grads, f"Q{i}", f"c{i}", err, ev_n, self.t)
            accumulate_feedback_gradient(grads, f"Q{i}", f"c{i}", err, ev_c, self.t, sign=-1.0)
        return grads, summed(losses)

    def training_macs(self, extra_fb_epochs):
        """z of t_L and h_L, g_i of both per layer; feedback: the noisy forward pass from h_i, z of it, g_i of the
        noisy and the clean output and the two gradients of Q_i."""
        p, L, m = LayerProducts(self.spec.layer_sizes), self.spec.n_layers, self.hp.rhl_size
        z = self.spec.layer_sizes[-1] * m
        q = lambda i: self.spec.layer_sizes[i] * (m if self._uses_rhl(i) else self.spec.layer_sizes[-1])  # noqa: E731
        targets = 2 * z + sum(2 * q(i) for i in range(1, L))
        feedback = z + sum(p.above(i) + z + 4 * q(i) for i in range(1, L))
        return target_rule_macs(p, targets, feedback, extra_fb_epochs)
