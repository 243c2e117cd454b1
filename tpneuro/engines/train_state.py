"""Everything that changes during training: parameters and optimizer states of one network."""
from __future__ import annotations

from dataclasses import dataclass

from ..hardware import ChipInstance
from ..network.architecture import NetworkSpec
from ..network.weights import Params, weight_layers
from ..optimizers import Optimizer
from ..rules.base import LearningRule


@dataclass
class TrainState:
    """A network under a rule: forward and feedback parameters and their optimizers (None for an engine that
    learns inside its own simulation, and for rules without trained feedback)."""

    spec: NetworkSpec
    rule: LearningRule
    forward_params: Params
    feedback_params: Params
    forward_optimizer: Optimizer | None
    feedback_optimizer: Optimizer | None
    chip: ChipInstance | None = None     # the modeled chip it runs on; None = ideal float substrate
    lr_scale: float = 1.0                # this epoch's learning-rate factor (training.lr_schedule); the spiking
                                         # engines scale their in-simulation learning rates by it

    def forward_gradients(self, updates) -> Params:
        """Per-parameter gradients from the rule's LocalUpdates (dW = mean post pre^T, db = mean post)."""
        grads = {}
        for i, up in enumerate(updates, start=1):
            grads[f"W{i}"] = up.weight_gradient()
            grads[f"b{i}"] = up.bias_gradient()
        return grads

    def chip_weight_layers(self, pathway: str) -> dict[str, int]:
        """The matrices a chip stores on its ``pathway`` grid, by layer index (tpneuro.hardware.chip_weights):
        every W_i forward, the rule's declared feedback matrices on the feedback pathway."""
        return weight_layers(self.spec.n_layers) if pathway == "forward" else self.rule.feedback_weight_layers()

    def params(self, pathway: str) -> Params:
        return self.forward_params if pathway == "forward" else self.feedback_params
