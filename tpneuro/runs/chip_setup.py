"""Put a freshly built network onto the chip of its plan (hardware-aware training and deployment)."""
from __future__ import annotations

import numpy as np

from ..config.experiment import ExperimentConfig
from ..engines.train_state import TrainState
from ..hardware import ChipInstance, HardwareProfile, calibrated_to, place_on_grid
from ..hardware.profile import PATHWAYS


def chip_instance(profile: HardwareProfile, state: TrainState, seed: int) -> ChipInstance | None:
    """The chip of ``profile`` with ``seed``'s frozen mismatch, its per-layer weight ranges calibrated to
    ``state``'s weights; None when the profile changes nothing."""
    chip = ChipInstance(profile, state.spec.layer_sizes, seed)
    if chip.is_ideal:
        return None
    for pathway in PATHWAYS:
        chip = calibrated_to(chip, state.params(pathway), state.chip_weight_layers(pathway), pathway)
    return chip


def chip_seed(cfg: ExperimentConfig) -> int:
    """hardware.chip_seed, or the run's seed."""
    return cfg.hardware.chip_seed if cfg.hardware.chip_seed is not None else cfg.seed


def put_on_chip(state: TrainState, chip: ChipInstance | None, rng: np.random.Generator,
                pathways: tuple[str, ...] = PATHWAYS) -> None:
    """Attach ``chip`` to ``state`` and quantize the weights it stores on ``pathways`` onto its grid."""
    state.chip = chip
    if chip is not None:
        for pathway in pathways:
            place_on_grid(chip, state.params(pathway), state.chip_weight_layers(pathway), pathway, rng)


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
