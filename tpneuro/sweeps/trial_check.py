"""Checks that make a bad trial fail before any trial starts, not hours into a sweep.

``validate_config`` checks fields and the rule's hyper-parameters; these checks add what only building
the trial finds: an unknown engine, a rule that needs a feedback optimizer, an engine that cannot run
the rule, and an unknown hardware profile. The network is built on a 2-input, 2-class stand-in for the
dataset (the data are not loaded), so checking a trial costs milliseconds.
"""
from __future__ import annotations

import numpy as np

from ..config import ExperimentConfig
from ..engines.registry import get_engine
from ..errors import ConfigError, TpneuroError
from ..hardware import load_profile
from ..training import build_state

STAND_IN_INPUTS, STAND_IN_CLASSES = 2, 2


def check_buildable(cfg: ExperimentConfig, source: str) -> None:
    """Build the trial's engine and network state; a problem becomes a ConfigError naming ``source``."""
    engine = get_engine(cfg.engine, source)
    state = build_state(cfg, STAND_IN_INPUTS, STAND_IN_CLASSES, np.random.default_rng(0), source)
    try:
        engine.check_supported(state)
    except TpneuroError as exc:
        problem, _, fix = str(exc).partition("; fix: ")
        raise ConfigError(source, "engine", f"{cfg.engine!r} cannot run rule {cfg.rule.name!r}: {problem}",
                          fix or "give every trial an engine that supports its rule") from None


def check_profile(profile: str, source: str) -> None:
    """Load the hardware profile ``profile`` (a name or a YAML path); a problem names ``source``."""
    try:
        load_profile(profile)
    except ConfigError as exc:
        raise ConfigError(source, "hardware.profile", f"profile {profile!r}: {exc.problem}", exc.fix) from None
    except TpneuroError as exc:
        raise ConfigError(source, "hardware.profile", f"profile {profile!r} cannot be loaded: {exc}",
                          "use a profile listed by `tpneuro profiles` or an existing profile YAML") from None
