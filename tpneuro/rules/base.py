"""What every learning rule provides, and the shared part of the target-based rules.

A rule turns one batch's forward activity into per-layer :class:`LocalUpdate` factors and, if it has
trained feedback, into gradients of its feedback parameters. It never touches an optimizer, so the
same rule runs on every engine.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..network.architecture import NetworkSpec
from ..network.forward_pass import Activity, derivatives
from ..network.weights import Params
from .declarations import FeedbackMap, FeedbackTraining, FeedbackWiring, Locality
from .local_update import LocalUpdate, target_update


class RuleHyperparams(BaseModel):
    """Hyper-parameters of a rule (the ``rule:`` section of a config, less ``name``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetHyperparams(RuleHyperparams):
    beta: float = Field(gt=0, description="target step size: t_L = h_L - beta dL/dh_L")


class LearningRule(ABC):
    """A learning rule on a fixed network description.

    Besides its equations, a rule declares what engines need to know to run it (tpneuro.rules.declarations):
    its ``feedback_wiring``, its ``feedback_training``, its ``locality``, its output step, whether its feedback
    map is linear, the matrices a chip stores on its feedback grid, and its operation counts.

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : RuleHyperparams, optional
        The config's ``rule:`` section less ``name``, as the rule's ``Hyperparams`` model. Without it the
        defaults are used (a field without a default must then be given).
    """

    name: ClassVar[str]
    title: ClassVar[str]
    reference: ClassVar[str]
    equation: ClassVar[str]
    feedback_wiring: ClassVar[FeedbackWiring] = "none"
    feedback_training: ClassVar[FeedbackTraining] = "none"
    difference_correction: ClassVar[bool] = True        # t_i = h_i + g(t) - g(h), not g(t) alone (TP)
    locality: ClassVar[Locality] = Locality()
    output_step_field: ClassVar[str | None] = None      # the hyper-parameter that is the output step beta
    Hyperparams: ClassVar[type[RuleHyperparams]] = RuleHyperparams

    def __init__(self, spec: NetworkSpec, hyperparams: RuleHyperparams | None = None):
        self.spec = spec
        self.hp = hyperparams if hyperparams is not None else self.Hyperparams()

    @classmethod
    def is_local(cls) -> bool:
        """True when every piece of the rule is local (:class:`~tpneuro.rules.declarations.Locality`)."""
        return cls.locality.is_local

    # -- declarations read by engines -----------------------------------------------------------
    def output_step(self) -> float | None:
        """beta of the output target t_L = h_L - beta dL/dh_L (Meulemans et al. 2020, Eq. 4); None for a rule
        without targets."""
        return None if self.output_step_field is None else float(getattr(self.hp, self.output_step_field))

    @property
    def feedback_map(self) -> FeedbackMap:
        """Whether the feedback map g is linear, so that g(t) - g(h) = g(t - h) and a pathway of synapses can
        carry target differences: ``none`` without a feedback pathway."""
        return "none" if self.feedback_wiring == "none" else "linear"

    @property
    def feedback_activations(self) -> frozenset[str]:
        """The element-wise non-linearities s of a non-linear feedback map (by name, tpneuro.network.activations);
        empty for no or a linear map. The base class reads the hyper-parameter ``feedback_activation``
        ("unnamed" for a non-linear map without one)."""
        if self.feedback_map != "nonlinear":
            return frozenset()
        return frozenset({getattr(self.hp, "feedback_activation", "unnamed")})

    def feedback_map_field(self) -> str:
        """What makes the feedback map non-linear, as a config field or a phrase, for error messages."""
        return "rule.feedback_activation"

    def feedback_weight_layers(self) -> dict[str, int]:
        """The feedback matrices a chip stores on its feedback weight grid, with the layer index i of each
        (Q_i belongs to layer i on the feedback pathway)."""
        return {}

    def feedback_parameter_count(self) -> int:
        """How many numbers the feedback parameters hold (for memory estimates before they are built): none
        without a feedback pathway, Q_i in R^{n_i x n_L} per hidden layer for direct feedback, Q_i in
        R^{n_{i-1} x n_i} and c_i per layer i >= 2 for layer-wise feedback."""
        sizes, L = self.spec.layer_sizes, self.spec.n_layers
        if self.feedback_wiring == "direct":
            return sum(sizes[i] * sizes[-1] for i in range(1, L))
        if self.feedback_wiring == "layerwise":
            return sum(sizes[i - 1] * (sizes[i] + 1) for i in range(2, L + 1))
        return 0

    @abstractmethod
    def training_macs(self, extra_fb_epochs: int) -> float:
        """Multiply-accumulates of the matrix products one training sample costs in one epoch: the training pass
        plus ``extra_fb_epochs`` feedback-only passes (tpneuro.rules.op_counts)."""

    # -- feedback parameters ------------------------------------------------------------------
    def init_feedback(self, rng: np.random.Generator, forward_params: Params) -> Params:
        """Feedback parameters (trained and fixed); empty for rules without a feedback pathway."""
        return {}

    def trained_feedback_keys(self) -> tuple[str, ...]:
        """Keys of the feedback parameters that the feedback optimizer trains."""
        return ()

    @property
    def has_trained_feedback(self) -> bool:
        return bool(self.trained_feedback_keys())

    def feedback_gradients(self, fwd: Params, fb: Params, act: Activity,
                           rng: np.random.Generator) -> tuple[Params, float]:
        """Gradients of the feedback loss w.r.t. the trained feedback parameters, and the loss."""
        return {}, float("nan")

    # -- forward updates ----------------------------------------------------------------------
    @abstractmethod
    def forward_updates(self, fwd: Params, fb: Params, act: Activity,
                        grad_output: np.ndarray) -> list[LocalUpdate]:
        """One LocalUpdate per layer 1..L (list index i-1 for layer i)."""

    def feedback_jacobian(self, fwd: Params, fb: Params, act: Activity, i: int) -> np.ndarray | None:
        """d t_i / d t_L at t_L = h_L, shape (batch, n_i, n_L): the feedback path of Condition 2."""
        return None


class TargetRule(LearningRule):
    """Rules that compute a target t_i per layer and train W_i on ||t_i - h_i||^2.

    Output target (Meulemans et al. 2020, Eq. 4): t_L = h_L - beta dL/dh_L.
    """

    Hyperparams: ClassVar[type[RuleHyperparams]] = TargetHyperparams
    output_step_field: ClassVar[str | None] = "beta"

    def output_target(self, act: Activity, grad_output: np.ndarray) -> np.ndarray:
        return act.output - self.hp.beta * grad_output

    @abstractmethod
    def hidden_targets(self, fwd: Params, fb: Params, act: Activity, t_out: np.ndarray) -> list[np.ndarray]:
        """Targets t_1..t_{L-1} (list index i-1 for layer i) from the output target."""

    def targets(self, fwd: Params, fb: Params, act: Activity, grad_output: np.ndarray) -> list[np.ndarray]:
        """All targets t_1..t_L."""
        t_out = self.output_target(act, grad_output)
        return self.hidden_targets(fwd, fb, act, t_out) + [t_out]

    def forward_updates(self, fwd, fb, act, grad_output):
        ts = self.targets(fwd, fb, act, grad_output)
        ds = derivatives(self.spec, act)
        return [target_update(act.h[i], ts[i - 1], ds[i], act.sent[i - 1]) for i in range(1, self.spec.n_layers + 1)]
