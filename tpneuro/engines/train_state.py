"""Everything that changes during training: parameters and optimizer states of one network."""
from __future__ import annotations

from dataclasses import dataclass

from ..hardware import ChipInstance
from ..network.architecture import NetworkSpec
from ..network.weights import Params
from ..optimizers import Optimizer
from ..rules.base import LearningRule


@dataclass
class TrainState:
    """A network under a rule: forward and feedback parameters and their optimizers."""

    spec: NetworkSpec
    rule: LearningRule
    forward_params: Params
    feedback_params: Params
    forward_optimizer: Optimizer
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
