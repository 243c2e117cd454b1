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


def register_rule(new_rule: type[LearningRule]) -> type[LearningRule]:
    """Make a rule class available under its ``name`` (configs, :func:`make_rule`); usable as a decorator.

    Engines run it from its declarations (tpneuro.rules.declarations) alone: nothing else needs editing.

    Parameters
    ----------
    new_rule : type
        A subclass of :class:`~tpneuro.rules.base.LearningRule`.

    Returns
    -------
    type
        ``new_rule`` itself.
    """
    RULES[new_rule.name] = new_rule
    return new_rule


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
    """Build a registered rule from its name and hyper-parameters.

    Parameters
    ----------
    name : str
        A key of :data:`RULES` (bp, fa, dfa, tp, dtp, drl, ddtp_linear, ddtp_rhl, gnt, or a registered one).
    spec : NetworkSpec
        The network the rule trains.
    source : str
        Named in errors.
    **hyperparams
        The rule's hyper-parameters (its ``Hyperparams`` model), e.g. ``beta=0.02, sigma=0.1``.

    Returns
    -------
    LearningRule
        The rule, ready to compute targets, local updates and feedback gradients.

    Raises
    ------
    UnknownNameError, ConfigError
        An unknown rule (listing the valid ones) or a bad hyper-parameter.

    Examples
    --------
    >>> from tpneuro import NetworkSpec, make_rule
    >>> rule = make_rule("ddtp_linear", NetworkSpec((4, 8, 3)), beta=0.1, sigma=0.1)
    >>> rule.feedback_wiring, rule.output_step()
    ('direct', 0.1)
    """
    return rule_class(name, source)(spec, parse_hyperparams(name, hyperparams, source))
