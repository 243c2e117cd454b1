"""Experiment configs: schema, loading with one-line errors, and dumping."""
from .config_loading import apply_overrides, config_to_dict, dump_config, load_config, validate_config
from .experiment import ExperimentConfig

__all__ = ["ExperimentConfig", "apply_overrides", "config_to_dict", "dump_config", "load_config", "validate_config"]
