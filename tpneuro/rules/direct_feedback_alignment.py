"""Direct feedback alignment (Nøkland 2016, NeurIPS): each hidden layer receives the output error
through a fixed random matrix, written as a target (DESIGN.md section 2):
t_i = h_i - Q_i dL/dh_L with beta = 1, Q_i in R^{n_i x n_L} fixed.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from ..network.weights import xavier_normal
from .base import TargetHyperparams, TargetRule
from .op_counts import LayerProducts, target_rule_macs


class DFAHyperparams(TargetHyperparams):
    beta: float = Field(default=1.0, gt=0, description="output target step (1 in Noekland 2016)")


class DirectFeedbackAlignment(TargetRule):
    """Direct feedback alignment (Nøkland 2016, NeurIPS 29).

    Every hidden layer receives the output error through its own fixed random matrix, written as a target:
    t_L = h_L - beta dL/dh_L, t_i = h_i + Q_i (t_L - h_L) (Meulemans et al. 2020, Eq. 4 for t_L).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : DFAHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "dfa"
    title: ClassVar[str] = "Direct feedback alignment"
    reference: ClassVar[str] = "Nøkland 2016, NeurIPS 29, arXiv 1609.01596"
    equation: ClassVar[str] = "t_i = h_i + Q_i (t_L - h_L),  Q_i fixed random"
    Hyperparams = DFAHyperparams
    feedback_wiring = "direct"
    feedback_training = "fixed"

    def init_feedback(self, rng, forward_params):
        sizes = self.spec.layer_sizes
        return {f"Q{i}": xavier_normal(sizes[i], sizes[-1], rng, self.spec.np_dtype)
                for i in range(1, self.spec.n_layers)}

    def hidden_targets(self, fwd, fb, act, t_out):
        e = t_out - act.output
        return [act.h[i] + e @ fb[f"Q{i}"].T for i in range(1, self.spec.n_layers)]

    def feedback_jacobian(self, fwd, fb, act, i):
        """d t_i / d t_L = Q_i for every sample."""
        return np.broadcast_to(fb[f"Q{i}"], (act.output.shape[0],) + fb[f"Q{i}"].shape)

    def feedback_weight_layers(self):
        return {f"Q{i}": i for i in range(1, self.spec.n_layers)}

    def target_macs(self, p: LayerProducts) -> float:
        """Q_i (t_L - h_L) for every hidden layer."""
        return sum(p.to_output(i) for i in range(1, self.spec.n_layers))

    def training_macs(self, extra_fb_epochs):
        """Fixed feedback: no feedback step, no feedback-only passes."""
        p = LayerProducts(self.spec.layer_sizes)
        return target_rule_macs(p, self.target_macs(p), 0, 0)
