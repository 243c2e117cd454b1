"""Assemble a run from its checked plan (tpneuro.runs.preflight): the data, the engine, the network state with its
optimizers, the chip it runs on, and the run's seeded random streams."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.experiment import ExperimentConfig, OptimizerConfig
from ..data import DataSplits, load_dataset
from ..engines import Engine, TrainState, get_engine
from ..engines.registry import option_names
from ..hardware import DesignRuleViolation
from ..network.weights import init_forward_params
from ..optimizers import SGD, Adam, Optimizer, RMSprop
from ..rules import make_rule
from .chip_setup import chip_instance, chip_seed, put_on_chip, set_learning_rates
from .preflight import RunPlan, network_spec, preflight

RNG_STREAMS = ("init", "shuffle", "noise")


@dataclass
class AssembledRun:
    """Everything a training loop needs, built from one plan."""

    plan: RunPlan
    engine: Engine
    data: DataSplits
    state: TrainState
    rngs: dict[str, np.random.Generator]
    design_rule_violations: tuple[DesignRuleViolation, ...]


def make_optimizer(opt: OptimizerConfig) -> Optimizer:
    """The optimizer a config section names; ``eps`` and ``momentum`` unset take the kind's defaults."""
    eps = {} if opt.eps is None else {"eps": opt.eps}
    momentum = {} if opt.momentum is None else {"momentum": opt.momentum}
    if opt.kind == "sgd":
        return SGD(lr=opt.lr, weight_decay=opt.weight_decay, **momentum)
    if opt.kind == "rmsprop":
        return RMSprop(lr=opt.lr, averaging=opt.averaging, weight_decay=opt.weight_decay, **momentum, **eps)
    return Adam(lr=opt.lr, betas=tuple(opt.betas), weight_decay=opt.weight_decay, **eps)


def load_data(cfg: ExperimentConfig, source: str = "config") -> DataSplits:
    """The dataset splits of ``cfg.dataset`` (the split of digits and teacher follows ``cfg.seed``)."""
    d = cfg.dataset
    return load_dataset(d.name, path=d.path, validation_size=d.validation_size, train_subset=d.train_subset,
                        test_subset=d.test_subset, seed=cfg.seed, dtype=np.dtype(cfg.network.dtype), source=source)


def build_state(cfg: ExperimentConfig, input_size: int, n_classes: int, rng: np.random.Generator,
                source: str = "config") -> TrainState:
    """Build the network state a config describes, with no chip attached.

    Parameters
    ----------
    cfg : ExperimentConfig
        The experiment.
    input_size, n_classes : int
        The dataset's input features and classes.
    rng : numpy.random.Generator
        Draws the Xavier-normal weights, then the rule's feedback parameters.
    source : str
        Named in errors.

    Returns
    -------
    TrainState
        Network, rule, forward and feedback parameters and the optimizers the config gives.
    """
    spec = network_spec(cfg, input_size, n_classes)
    rule = make_rule(cfg.rule.name, spec, source, **cfg.rule.hyperparams())
    fwd = init_forward_params(spec, rng, cfg.network.layer_gains(spec.n_layers, source))
    fb = rule.init_feedback(rng, fwd)
    fwd_opt = make_optimizer(cfg.optimizer) if cfg.optimizer is not None else None
    fb_opt = make_optimizer(cfg.feedback_optimizer) if rule.has_trained_feedback and cfg.feedback_optimizer else None
    return TrainState(spec, rule, fwd, fb, fwd_opt, fb_opt)


def engine_options(plan: RunPlan, progress: bool):
    """The plan's engine options; with progress shown, an engine that has its own progress bar (an options
    field ``progress_bar``, e.g. nengo's) shows it too, unless the config says otherwise."""
    options = dict(plan.cfg.engine_options)
    if progress and "progress_bar" in option_names(plan.engine_class):
        options.setdefault("progress_bar", True)
    return options


def assemble(plan: RunPlan, *, data: DataSplits | None = None, progress: bool = True) -> AssembledRun:
    """Build the run of a checked plan.

    Loads the data (unless given), seeds the streams ``init``, ``shuffle`` and ``noise`` from the config's seed,
    builds the state from ``init`` and puts it on the plan's chip.

    Parameters
    ----------
    plan : RunPlan
        From :func:`tpneuro.runs.preflight.preflight`.
    data : DataSplits, optional
        Use these splits instead of loading the config's dataset.
    progress : bool
        Let an engine with its own progress bar show it.

    Returns
    -------
    AssembledRun
        The plan, engine, data, state, random streams and design-rule violations.
    """
    cfg, source = plan.cfg, plan.source
    engine = get_engine(cfg.engine, source, engine_options(plan, progress))
    seeds = np.random.SeedSequence(cfg.seed).spawn(len(RNG_STREAMS))
    rngs = {name: np.random.default_rng(s) for name, s in zip(RNG_STREAMS, seeds)}
    data = data if data is not None else load_data(cfg, source)
    violations = plan.network_checks(data.input_size, data.n_classes)
    state = build_state(cfg, data.input_size, data.n_classes, rngs["init"], source)
    if plan.profile is not None:
        put_on_chip(state, chip_instance(plan.profile, state, chip_seed(cfg)), rngs["init"])
        set_learning_rates(cfg, state, 1.0)
    engine.check_supported(state)
    engine.prepare_state(state)
    return AssembledRun(plan, engine, data, state, rngs, violations)


def assemble_config(cfg: ExperimentConfig, source: str = "config", **kwargs) -> AssembledRun:
    """:func:`preflight` then :func:`assemble`."""
    return assemble(preflight(cfg, source), **kwargs)
