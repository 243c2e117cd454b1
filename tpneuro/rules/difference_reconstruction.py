"""DRL: DTP targets with feedback trained by the difference reconstruction loss (Meulemans et al.
2020, arXiv 2006.14331, Sec. 3.3, Eq. 11).

For the feedback g_i of layer i: corrupt h~_{i-1} = h_{i-1} + sigma eps, propagate it forward to
h~_L, then back down the difference chain with clean corrections,
r_L = h~_L,  r_{k-1} = g_k(r_k) + h_{k-1} - g_k(h_k)  for k = L..i,
and minimise (1/sigma^2) MSE(r_{i-1}, h~_{i-1}) with respect to g_i's parameters only. O(L^2) per batch.
"""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..network.forward_pass import forward_from
from .difference_target_prop import DifferenceTargetProp
from .feedback_maps import accumulate_feedback_gradient, reconstruction_loss, reconstruction_scale, summed
from .layerwise_feedback import LayerwiseHyperparams
from .op_counts import LayerProducts


class DRLHyperparams(LayerwiseHyperparams):
    penultimate_step: None = Field(None, description="not used by DRL: its difference chain starts at the output")


class DifferenceReconstruction(DifferenceTargetProp):
    """DRL: DTP targets with feedback trained by the difference reconstruction loss (Meulemans et al. 2020, Eq. 11).

    Targets as DTP, t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i); each g_i is trained so that the difference-corrected
    chain from the output reconstructs noise injected at layer i-1, which drives the feedback toward damped
    Gauss-Newton targets (ibid. Theorem 6).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : DRLHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``sigma``, ``feedback_activation``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "drl"
    title: ClassVar[str] = "DTP with the difference reconstruction loss"
    reference: ClassVar[str] = "Meulemans et al. 2020, NeurIPS 33, arXiv 2006.14331, Eq. 11"
    equation: ClassVar[str] = ("t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i); "
                               "feedback: min (1/s^2)||r_{i-1}(h~_{i-1}) - h~_{i-1}||^2")
    Hyperparams = DRLHyperparams
    feedback_training = "difference_reconstruction"

    def feedback_gradients(self, fwd, fb, act, rng):
        L, sigma = self.spec.n_layers, self.hp.sigma
        clean = {k: self.g(fb, k, act.h[k]) for k in range(2, L + 1)}
        grads, losses = {}, []
        for i in range(2, L + 1):
            h_prev = act.h[i - 1]
            noisy = h_prev + sigma * rng.standard_normal(h_prev.shape, dtype=h_prev.dtype)
            r = forward_from(self.spec, fwd, i - 1, noisy)[-1]
            for k in range(L, i, -1):
                r = self.g(fb, k, r).out + act.h[k - 1] - clean[k].out
            ev = self.g(fb, i, r)
            err = ev.out + h_prev - clean[i].out - noisy
            losses.append(reconstruction_loss(err, sigma))
            err = err * reconstruction_scale(sigma, *h_prev.shape)
            accumulate_feedback_gradient(grads, f"Q{i}", f"c{i}", err, ev, self.t)
            accumulate_feedback_gradient(grads, f"Q{i}", f"c{i}", err, clean[i], self.t, sign=-1.0)
        return grads, summed(losses)

    def feedback_macs(self, p: LayerProducts) -> float:
        """g_k(h_k) once, then per layer i: the noisy forward pass from h_{i-1} to the output, the difference
        chain g_L .. g_{i+1} back down, and g_i with its gradient."""
        L = self.spec.n_layers
        return sum(p.layer(i) for i in range(2, L + 1)) + sum(
            p.above(i - 1) + sum(p.layer(k) for k in range(i + 1, L + 1)) + 3 * p.layer(i) for i in range(2, L + 1))
