"""DDTP-linear (Meulemans et al. 2020, arXiv 2006.14331, Sec. 4): direct linear feedback from the output,
t_i = h_i + Q_i (t_L - h_L), Q_i in R^{n_i x n_L}, trained by the difference reconstruction loss:
h~_i = h_i + sigma eps, h~_L = f_{i,L}(h~_i), r_i = h_i + Q_i (h~_L - h_L),
L_fb,i = (1/sigma^2) MSE(r_i, h~_i)  (+ weight decay in the feedback optimizer).
Linearised, its minimiser is the damped pseudo-inverse Q_i = J_i^T (J_i J_i^T + lambda I)^{-1}
(damped Gauss-Newton targets, ibid. Theorem 6 and Sec. 3.3).
"""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..network.forward_pass import forward_perturbations
from .base import TargetHyperparams
from .direct_feedback_alignment import DirectFeedbackAlignment
from .feedback_maps import reconstruction_loss, reconstruction_scale, summed
from .op_counts import LayerProducts, target_rule_macs


class DDTPLinearHyperparams(TargetHyperparams):
    sigma: float = Field(gt=0, description="std of the noise that trains the feedback weights")


class DDTPLinear(DirectFeedbackAlignment):
    """Direct difference target propagation with linear feedback (Meulemans et al. 2020, Sec. 4).

    t_i = h_i + Q_i (t_L - h_L), with Q_i trained by the difference reconstruction loss on noise-perturbed
    activity (ibid. Eq. 11 with direct feedback); its linearised minimiser is the damped pseudo-inverse
    Q_i = J_i^T (J_i J_i^T + lambda I)^{-1} (ibid. Theorem 6).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : DDTPLinearHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``sigma``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "ddtp_linear"
    title: ClassVar[str] = "Direct difference target propagation, linear feedback"
    reference: ClassVar[str] = "Meulemans et al. 2020, NeurIPS 33, arXiv 2006.14331, Sec. 4"
    equation: ClassVar[str] = "t_i = h_i + Q_i (t_L - h_L),  Q_i trained by the difference reconstruction loss"
    Hyperparams = DDTPLinearHyperparams
    feedback_training = "difference_reconstruction"

    def trained_feedback_keys(self):
        return tuple(f"Q{i}" for i in range(1, self.spec.n_layers))

    def feedback_gradients(self, fwd, fb, act, rng):
        sigma, h_out = self.hp.sigma, act.output
        noise = {i: sigma * rng.standard_normal(act.h[i].shape, dtype=act.h[i].dtype) for i in range(1, self.spec.n_layers)}
        outputs = forward_perturbations(self.spec, fwd, act, noise)
        grads, losses = {}, []
        for i in range(1, self.spec.n_layers):
            h = act.h[i]
            d_out = outputs[i] - h_out
            err = d_out @ fb[f"Q{i}"].T - noise[i]        # r_i - h~_i
            losses.append(reconstruction_loss(err, sigma))
            grads[f"Q{i}"] = (err * reconstruction_scale(sigma, *h.shape)).T @ d_out
        return grads, summed(losses)

    def training_macs(self, extra_fb_epochs):
        """Feedback step per hidden layer: the noisy forward pass from h_i to the output, Q_i times the output
        deviation and the gradient (r_i - h~_i)^T (h~_L - h_L)."""
        p = LayerProducts(self.spec.layer_sizes)
        feedback = sum(p.above(i) + 2 * p.to_output(i) for i in range(1, self.spec.n_layers))
        return target_rule_macs(p, self.target_macs(p), feedback, extra_fb_epochs)
