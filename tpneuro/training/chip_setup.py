"""Put a freshly built network onto the chip its config names (hardware-aware training)."""
from __future__ import annotations

import numpy as np

from ..config.experiment import ExperimentConfig
from ..engines.on_chip import chip_layers, place_on_chip
from ..engines.train_state import TrainState
from ..hardware import ChipInstance, DesignRuleViolation, check_design_rules, load_profile


def chip_for(cfg: ExperimentConfig, state: TrainState, seed: int | None = None) -> tuple[ChipInstance | None, list[DesignRuleViolation]]:
    """The seeded chip instance of ``cfg.hardware`` calibrated to ``state``'s weights (None when the
    profile changes nothing), and the design-rule violations (raised unless design_rules is 'report')."""
    hw = cfg.hardware
    profile = load_profile(hw.profile)
    violations = check_design_rules(profile, state.spec.layer_sizes, report_only=hw.design_rules == "report",
                                    feedback=bool(state.feedback_params), learning_on_chip=True)
    chip_seed = seed if seed is not None else (hw.chip_seed if hw.chip_seed is not None else cfg.seed)
    chip = ChipInstance(profile, state.spec.layer_sizes, chip_seed)
    if chip.is_ideal:
        return None, violations
    for pathway, params in (("forward", state.forward_params), ("feedback", state.feedback_params)):
        layers = chip_layers(params, pathway)
        if layers:
            chip = chip.calibrated({i: params[k] for k, i in layers.items()}, pathway)
    return chip, violations


def put_on_chip(cfg: ExperimentConfig, state: TrainState, rng: np.random.Generator) -> list[DesignRuleViolation]:
    """Attach the chip to ``state``, quantize its weights and its learning rates; return the violations."""
    if cfg.hardware is None:
        return []
    chip, violations = chip_for(cfg, state)
    state.chip = chip
    if chip is not None:
        place_on_chip(chip, state.forward_params, "forward", rng)
        place_on_chip(chip, state.feedback_params, "feedback", rng)
    set_learning_rates(cfg, state, 1.0)
    return violations


def set_learning_rates(cfg: ExperimentConfig, state: TrainState, factor: float) -> None:
    """Every learning rate of ``state`` at ``factor`` times the config's (training.lr_schedule): the optimizers'
    lr, rounded to the chip's learning-rate mantissa on a chip, and ``state.lr_scale`` for the spiking engines'
    in-simulation rates."""
    state.lr_scale = factor
    for optimizer, opt_cfg, pathway in ((state.forward_optimizer, cfg.optimizer, "forward"),
                                        (state.feedback_optimizer, cfg.feedback_optimizer, "feedback")):
        if optimizer is not None:
            lr = opt_cfg.lr * factor
            optimizer.lr = state.chip.quantize_learning_rate(lr, pathway) if state.chip is not None else lr
