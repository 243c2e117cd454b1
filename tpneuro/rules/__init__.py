"""Learning rules: each turns a batch's activity into two-factor local updates (and feedback gradients)."""
from .base import LearningRule, RuleHyperparams, TargetRule
from .local_update import LocalUpdate, target_update
from .declarations import Locality
from .registry import RULES, make_rule, parse_hyperparams, register_rule, rule_class

__all__ = ["LearningRule", "LocalUpdate", "Locality", "RULES", "RuleHyperparams", "TargetRule", "make_rule",
           "parse_hyperparams", "register_rule", "rule_class", "target_update"]
