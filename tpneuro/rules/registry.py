"""The learning rules by name. An unknown name raises an error that lists the valid ones."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError, UnknownNameError
from ..network.architecture import NetworkSpec
from .backprop import Backprop
from .base import LearningRule, RuleHyperparams
from .ddtp_linear import DDTPLinear
from .ddtp_rhl import DDTPRHL
from .difference_reconstruction import DifferenceReconstruction
from .difference_target_prop import DifferenceTargetProp
from .direct_feedback_alignment import DirectFeedbackAlignment
from .feedback_alignment import FeedbackAlignment
from .gauss_newton_targets import GaussNewtonTargets
from .target_prop import TargetProp

RULES: dict[str, type[LearningRule]] = {r.name: r for r in (
    Backprop, FeedbackAlignment, DirectFeedbackAlignment, TargetProp, DifferenceTargetProp,
    DifferenceReconstruction, DDTPLinear, DDTPRHL, GaussNewtonTargets)}


def register_rule(cls: type[LearningRule]) -> type[LearningRule]:
    """Make the rule class ``cls`` available under ``cls.name`` (configs, ``make_rule``); usable as a decorator.
    Engines run it from its declarations (tpneuro.rules.declarations) alone."""
    RULES[cls.name] = cls
    return cls


def rule_class(name: str, source: str = "rule") -> type[LearningRule]:
    try:
        return RULES[name]
    except KeyError:
        raise UnknownNameError(source, "rule.name", name, list(RULES)) from None


def parse_hyperparams(name: str, values: dict[str, Any], source: str = "rule") -> RuleHyperparams:
    """Validate a rule's hyper-parameters; the first problem becomes a one-line ConfigError."""
    cls = rule_class(name, source)
    try:
        return cls.Hyperparams(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "rule." + ".".join(str(p) for p in err["loc"])
        got = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        fields = ", ".join(cls.Hyperparams.model_fields)
        raise ConfigError(source, field, f"{err['msg']}{got}",
                          f"rule {name!r} takes: {fields or 'no hyper-parameters'}") from None


def make_rule(name: str, spec: NetworkSpec, source: str = "rule", **hyperparams) -> LearningRule:
    """Build a rule from its name and hyper-parameters, e.g. make_rule("ddtp_linear", spec, beta=0.02, sigma=0.1)."""
    return rule_class(name, source)(spec, parse_hyperparams(name, hyperparams, source))
