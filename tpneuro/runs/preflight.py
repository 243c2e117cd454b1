"""One preflight for every way a run starts (``tpneuro train``, ``evaluate``, ``chips``, ``sweep`` and the Python
API): everything that can be checked without the data is checked before the dataset is read (DESIGN.md section
8), so that a bad run fails in milliseconds with one line naming the file, the field and the fix.

Checked, in order: the engine (registered name, option names and values); the hardware profile (loaded once per
run, kept in the plan); the network (layer gains per layer); the rule (hyper-parameters, built on the network of
the dataset's expected shape, or on a stand-in where the shape depends on the files); that the engine maps the
rule, the activations and the profile's features (its declared capabilities); the optimizers the engine uses;
that evaluation passes can differ where more than one is asked for; that the network fits in the memory this
machine has available, and the chip's design rules, on the expected layer sizes (after loading when the sizes
depend on the files).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psutil  # available memory, for the estimate of what a network needs

from ..config.experiment import ExperimentConfig
from ..data import expected_shape
from ..engines import Engine, engine_settings, get_engine_class
from ..errors import ConfigError, TpneuroError
from ..hardware import DesignRuleViolation, HardwareProfile, check_design_rules, load_profile
from ..network.architecture import NetworkSpec
from ..rules import LearningRule, make_rule

STAND_IN_SIZE = 2          # input and output size of the network a rule is checked on when the shape is unknown


@dataclass(frozen=True)
class RunPlan:
    """A config checked against everything but its data: what the run will be built from."""

    cfg: ExperimentConfig
    source: str                                  # the config file (or "config"), named in errors
    engine_class: type[Engine]
    engine_options: Any                          # the validated options object (None: the engine has none)
    profile: HardwareProfile | None              # the loaded hardware profile, or None
    rule: LearningRule                           # built on the expected (or stand-in) network
    shape: tuple[int, int] | None                # (input size, classes) the dataset will have, if known
    design_rule_violations: tuple[DesignRuleViolation, ...] = ()
    notes: tuple[str, ...] = field(default=())   # what the run will not use, said once to the user

    def network_spec(self, input_size: int, n_classes: int) -> NetworkSpec:
        """The network of this config for a dataset of ``input_size`` features and ``n_classes`` classes."""
        return network_spec(self.cfg, input_size, n_classes)

    def network_checks(self, input_size: int, n_classes: int) -> tuple[DesignRuleViolation, ...]:
        """The memory estimate and the chip's design rules for the real layer sizes (already done by the preflight
        when they are the expected ones); returns the design-rule violations, raises HardwareDesignRuleError unless
        the config only reports them."""
        if self.shape == (input_size, n_classes):
            return self.design_rule_violations
        return _network_checks(self.cfg, self.profile, self.rule, self.network_spec(input_size, n_classes), self.source)


def network_spec(cfg: ExperimentConfig, input_size: int, n_classes: int) -> NetworkSpec:
    net = cfg.network
    return NetworkSpec((input_size, *net.hidden, n_classes), net.activation, net.output_activation, net.dtype)


def preflight(cfg: ExperimentConfig, source: str = "config") -> RunPlan:
    """Check a config without reading its dataset.

    Parameters
    ----------
    cfg : ExperimentConfig
        The config to check.
    source : str
        Where it came from (a file name), named in errors.

    Returns
    -------
    RunPlan
        The checked plan: engine class and options, loaded profile, rule, expected data shape, design-rule
        violations (report mode) and notes.

    Raises
    ------
    ConfigError, UnsupportedByEngine, HardwareDesignRuleError
        One line naming ``source``, the field and the fix.
    """
    engine_class = get_engine_class(cfg.engine, source)
    options = engine_settings(engine_class, cfg.engine_options, source)
    profile = _profile(cfg, source)
    shape = expected_shape(cfg.dataset.name)
    spec = network_spec(cfg, *(shape or (STAND_IN_SIZE, STAND_IN_SIZE)))
    cfg.network.layer_gains(spec.n_layers, source)
    rule = make_rule(cfg.rule.name, spec, source, **cfg.rule.hyperparams())
    engine_class.check_run(rule, spec, profile)
    notes = _optimizers(cfg, engine_class, rule, source)
    engine_class.check_passes(cfg.training.eval_passes, profile)
    violations = _network_checks(cfg, profile, rule, spec, source) if shape is not None else ()
    return RunPlan(cfg, source, engine_class, options, profile, rule, shape, violations, notes)


def _profile(cfg: ExperimentConfig, source: str) -> HardwareProfile | None:
    """The config's hardware profile, loaded once; a problem names the config and ``hardware.profile``."""
    if cfg.hardware is None:
        return None
    name = cfg.hardware.profile
    try:
        return load_profile(name)
    except ConfigError as exc:
        raise ConfigError(source, "hardware.profile", f"profile {name!r}: {exc.problem}", exc.fix) from None
    except TpneuroError as exc:
        raise ConfigError(source, "hardware.profile", f"profile {name!r} cannot be loaded: {exc}",
                          "use a profile listed by `tpneuro profiles` or an existing profile YAML") from None


def _optimizers(cfg: ExperimentConfig, engine_class: type[Engine], rule: LearningRule, source: str) -> tuple[str, ...]:
    """The optimizer sections an engine needs are there; a section it does not use becomes a note."""
    trains_feedback = rule.has_trained_feedback
    if engine_class.capabilities.uses_optimizers:
        if cfg.optimizer is None:
            raise ConfigError(source, "optimizer", f"the {engine_class.name} engine learns by optimizer steps but "
                              "no optimizer is given", "add an optimizer section, e.g. optimizer: {lr: 0.001}")
        if trains_feedback and cfg.feedback_optimizer is None:
            raise ConfigError(source, "feedback_optimizer", f"rule {rule.name!r} trains feedback weights but no "
                              "feedback optimizer is given", "add a feedback_optimizer section with lr")
        return ()
    unused = [s for s in ("optimizer", "feedback_optimizer") if getattr(cfg, s) is not None]
    if not unused:
        return ()
    return (f"the {engine_class.name} engine learns inside its simulation at engine_options.learning_rate "
            f"(hidden_learning_rate, feedback_learning_rate); it does not use {' and '.join(unused)}",)


def memory_estimate(cfg: ExperimentConfig, rule: LearningRule, spec: NetworkSpec) -> int:
    """Bytes a run of this network needs, roughly: every parameter (forward weights and biases, and the rule's
    feedback parameters) ``PARAMETER_COPIES`` times, and ``ACTIVITY_COPIES`` arrays of activities of the largest
    block of rows the rate engine computes at once (a minibatch, or ``EVAL_ROWS`` in evaluation)."""
    sizes = spec.layer_sizes
    weights = sum(sizes[i] * (sizes[i - 1] + 1) for i in range(1, len(sizes)))
    rows = max(cfg.training.batch_size, EVAL_ROWS)
    numbers = PARAMETER_COPIES * (weights + rule.feedback_parameter_count()) + ACTIVITY_COPIES * rows * sum(sizes)
    return numbers * np.dtype(cfg.network.dtype).itemsize


PARAMETER_COPIES = 5     # the parameters, their gradients, two optimizer moments, a copy for a chip's rounding
ACTIVITY_COPIES = 8      # activities, derivatives, targets, noise and the temporaries between them
EVAL_ROWS = 2000         # the rate engine's evaluation chunk (RateEngine.eval_batch_size)


def _network_checks(cfg: ExperimentConfig, profile: HardwareProfile | None, rule: LearningRule, spec: NetworkSpec,
                    source: str) -> tuple[DesignRuleViolation, ...]:
    """Refuse a network that cannot fit in this machine's available memory; the chip's design rules."""
    need, available = memory_estimate(cfg, rule, spec), psutil.virtual_memory().available
    if need > available:
        raise ConfigError(source, "network.hidden", f"the network {'-'.join(map(str, spec.layer_sizes))} needs "
                          f"about {need / 2**30:.1f} GiB for its parameters, optimizer state and activations, more "
                          f"than the {available / 2**30:.1f} GiB this machine has available", "use smaller layers")
    if profile is None:
        return ()
    return tuple(check_design_rules(profile, spec.layer_sizes, report_only=cfg.hardware.design_rules == "report",
                                    feedback=rule.feedback_wiring != "none", learning_on_chip=True))
