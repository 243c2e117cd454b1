"""Gauss-Newton targets (GNT), the ideal that TP approximates (Meulemans et al. 2020, arXiv 2006.14331,
Sec. 3.1, Eq. 8): t_i = h_i + J_i^T (J_i J_i^T + lambda I)^{-1} (t_L - h_L), J_i = d h_L / d h_i per sample.
Needs the forward Jacobians, so it is not local: a theoretical reference only."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..theory.jacobians import damped_pseudo_inverse, output_jacobians
from .base import TargetHyperparams, TargetRule
from .declarations import Locality
from .op_counts import LayerProducts, backprop_macs


class GNTHyperparams(TargetHyperparams):
    damping: float = Field(default=0.0, ge=0, description="Tikhonov damping lambda of J J^T")


class GaussNewtonTargets(TargetRule):
    """Exact damped Gauss-Newton targets (Meulemans et al. 2020, Eq. 8): the ideal that TP approximates.

    t_i = h_i + J_i^T (J_i J_i^T + lambda I)^{-1} (t_L - h_L) with J_i = dh_L/dh_i; needs the forward
    Jacobians, so it is not local: a theoretical reference only.

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : GNTHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``damping``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "gnt"
    title: ClassVar[str] = "Exact damped Gauss-Newton targets"
    reference: ClassVar[str] = "Meulemans et al. 2020, NeurIPS 33, arXiv 2006.14331, Eq. 8"
    equation: ClassVar[str] = "t_i = h_i + J_i^T (J_i J_i^T + lambda I)^{-1} (t_L - h_L)"
    locality: ClassVar[Locality] = Locality(hidden_signal="the output Jacobians J_i and a per-sample matrix inverse")
    Hyperparams = GNTHyperparams

    def hidden_targets(self, fwd, fb, act, t_out):
        e = t_out - act.output
        jac = output_jacobians(self.spec, fwd, act)
        return [act.h[i] + (damped_pseudo_inverse(jac[i], self.hp.damping) @ e[:, :, None])[:, :, 0]
                for i in range(1, self.spec.n_layers)]

    def feedback_jacobian(self, fwd, fb, act, i):
        return damped_pseudo_inverse(output_jacobians(self.spec, fwd, act)[i], self.hp.damping)

    def training_macs(self, extra_fb_epochs):
        """Counted as backpropagation: the per-sample Jacobians and solves are not products with the network's
        matrices and are left out."""
        return backprop_macs(LayerProducts(self.spec.layer_sizes))
