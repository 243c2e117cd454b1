"""Feedback alignment (Lillicrap et al. 2016, Nat. Commun. 7:13276): BP with W_{i+1}^T replaced by a
fixed random matrix B_{i+1}: delta_i = s_i'(a_i) * B_{i+1}^T delta_{i+1}.
"""
from __future__ import annotations

from typing import ClassVar

from ..network.weights import xavier_normal
from .backprop import backward_deltas
from .base import LearningRule
from .local_update import LocalUpdate
from .op_counts import LayerProducts, backprop_macs


class FeedbackAlignment(LearningRule):
    """Feedback alignment (Lillicrap et al. 2016, Nat. Commun. 7:13276).

    Backpropagation with W_{i+1}^T replaced by a fixed random matrix B_{i+1}:
    delta_i = s_i'(a_i) * B_{i+1}^T delta_{i+1}.

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : RuleHyperparams, optional
        The config's ``rule:`` section less ``name``. Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "fa"
    title: ClassVar[str] = "Feedback alignment"
    reference: ClassVar[str] = "Lillicrap et al. 2016, Nat. Commun. 7:13276"
    equation: ClassVar[str] = "delta_i = s_i'(a_i) * B_{i+1}^T delta_{i+1}, B fixed random"
    feedback_wiring = "layerwise"
    feedback_training = "fixed"

    def init_feedback(self, rng, forward_params):
        sizes = self.spec.layer_sizes
        return {f"B{i}": xavier_normal(sizes[i], sizes[i - 1], rng, self.spec.np_dtype)
                for i in range(2, self.spec.n_layers + 1)}

    def forward_updates(self, fwd, fb, act, grad_output):
        deltas = backward_deltas(self.spec, act, grad_output, lambda k: fb[f"B{k}"])
        return [LocalUpdate(deltas[i - 1], act.sent[i - 1]) for i in range(1, self.spec.n_layers + 1)]

    def training_macs(self, extra_fb_epochs):
        """As backpropagation, with B_{i+1} in place of W_{i+1}^T."""
        return backprop_macs(LayerProducts(self.spec.layer_sizes))
