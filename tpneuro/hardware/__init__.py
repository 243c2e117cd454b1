"""Hardware profiles: what a chip allows, as cited data, turned into pure transforms.

    profile = load_profile("loihi1")
    chip = ChipInstance(profile, [784, 200, 10], seed=0)
    W1 = chip.quantize_weights(W1, layer=1, rng=rng)
    W1 = chip.apply_update(W1, dW1, layer=1, rng=rng)
    h1 = chip.activity(h1, layer=1, rng=rng)
    check_design_rules(profile, [784, 200, 10])
    energy_report(profile, count_ops_dense([784, 200, 10], batch=1))
"""
from .chip_instance import ChipInstance, modeled_chip
from .chip_weights import calibrated_to, place_on_grid, store_changes
from .design_rules import DesignRuleViolation, HardwareDesignRuleError, check_design_rules
from .energy_accounting import EnergyReport, OpCounts, count_ops_dense, energy_report
from .profile import (
    PROFILE_FEATURES,
    ChipLimits,
    EnergyCosts,
    HardwareProfile,
    NoiseModel,
    Sourced,
    UnitModel,
    UpdateFormat,
    WeightFormat,
)
from .profile_description import computation_changes, describe_profile
from .profile_loading import PROFILE_DIR_ENV, list_profiles, load_profile, parse_profile, profile_directories
from .rounding import round_mantissa, round_nearest, round_stochastic
from .stochastic_units import (
    quantized_unit,
    sign_unit,
    stochastic_binary,
    stochastic_binary_straight_through,
)
from .transforms import chain
from .weight_grid import WeightGrid, grid_for
from .weight_store import ChipWeightStore

__all__ = [
    "PROFILE_FEATURES", "ChipInstance", "ChipWeightStore", "calibrated_to", "modeled_chip", "place_on_grid",
    "store_changes", "ChipLimits", "DesignRuleViolation", "EnergyCosts", "EnergyReport", "HardwareDesignRuleError",
    "HardwareProfile", "NoiseModel", "OpCounts", "PROFILE_DIR_ENV", "Sourced", "UnitModel", "UpdateFormat",
    "WeightFormat", "WeightGrid", "chain", "check_design_rules", "computation_changes", "count_ops_dense", "describe_profile",
    "energy_report", "grid_for", "list_profiles", "load_profile", "parse_profile", "profile_directories",
    "quantized_unit", "round_mantissa", "round_nearest", "round_stochastic", "sign_unit", "stochastic_binary",
    "stochastic_binary_straight_through",
]
