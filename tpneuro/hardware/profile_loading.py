"""Find, read and validate hardware profiles (``hardware_profiles/<name>.yaml``).

Every problem stops the load with one :class:`~tpneuro.errors.ConfigError` line naming the file, the
dotted field, the bad value and the fix, e.g.
``hardware_profiles/x.yaml: weights.bits: 0 is below the minimum 1; fix: ...``.
"""
from __future__ import annotations

import math
import os
from dataclasses import MISSING, fields, replace
from pathlib import Path
from typing import Any


from ..errors import ConfigError, UnknownNameError
from ..shipped_files import shipped_folder
from ..yaml_files import read_yaml
from .profile import CONFIDENCE_LEVELS, FieldSpec, HardwareProfile, Sourced

PROFILE_DIR_ENV = "TPNEURO_PROFILE_DIR"
_SOURCED_KEYS = ("value", "source", "confidence", "unit")


def profile_directories() -> list[Path]:
    """Where bare names are looked up: ``$TPNEURO_PROFILE_DIR`` first (if set), then the shipped
    ``hardware_profiles/`` (:func:`tpneuro.shipped_files.shipped_folder`)."""
    extra = os.environ.get(PROFILE_DIR_ENV)
    return ([Path(extra)] if extra else []) + [shipped_folder("hardware_profiles")]


def list_profiles() -> list[str]:
    """The names of all available profiles.

    Returns
    -------
    list of str
        Sorted names from ``$TPNEURO_PROFILE_DIR`` and the shipped profiles.
    """
    names = {p.stem for d in profile_directories() if d.is_dir() for p in d.glob("*.yaml")}
    return sorted(names)


def load_profile(name_or_path: str | os.PathLike) -> HardwareProfile:
    """Load a hardware profile by name or by file path.

    A string is a path when it ends in .yaml/.yml or contains a path separator; a bare name is looked up in
    ``$TPNEURO_PROFILE_DIR`` first, then among the shipped profiles.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A profile name (``loihi2``, see ``tpneuro profiles``) or a profile YAML file.

    Returns
    -------
    HardwareProfile
        The validated profile, every value with its source and confidence.

    Raises
    ------
    UnknownNameError, ConfigError
        An unknown name (listing the available ones), or a bad file (naming the file, the field and the fix).

    Examples
    --------
    >>> from tpneuro.hardware import load_profile
    >>> load_profile("loihi1").weights.bits.value
    8
    """
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(str(path), "profile", "file not found",
                              f"give an existing .yaml file or one of {', '.join(list_profiles())}")
        return _load_file(path)
    for directory in profile_directories():
        path = directory / f"{name_or_path}.yaml"
        if path.is_file():
            return _load_file(path)
    searched = os.pathsep.join(str(d) for d in profile_directories())
    raise UnknownNameError(searched, "profile", str(name_or_path), list_profiles())


def parse_profile(data: Any, source: str, expected_name: str | None = None) -> HardwareProfile:
    """Build a validated :class:`HardwareProfile` from parsed YAML; ``source`` names it in errors."""
    if data is None:
        raise ConfigError(source, "(top level)", "the file is empty",
                          "write a mapping with at least name and description")
    profile = _build(HardwareProfile, data, "", source)
    if expected_name is not None and profile.name != expected_name:
        raise ConfigError(source, "name", f"{profile.name!r} differs from the file name "
                          f"{expected_name!r}", f"set name: {expected_name} or rename the file")
    return profile


def _looks_like_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text


def _load_file(path: Path) -> HardwareProfile:
    data = read_yaml(path, "profile", "hardware_profiles/loihi2.yaml")
    return replace(parse_profile(data, str(path), expected_name=path.stem), source_file=str(path))


def _build(cls: type, data: Any, path: str, source: str) -> Any:
    """Read a section dataclass from a mapping, checking unknown, missing and malformed fields."""
    where = path or "(top level)"
    if not isinstance(data, dict):
        raise ConfigError(source, where, f"{data!r} is not a mapping", f"write {where} as 'field: value' lines")
    known = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in known:
            raise ConfigError(source, _join(path, str(key)), f"unknown field {key!r}",
                              f"use one of {', '.join(sorted(known))}")
    values = {}
    for name, f in known.items():
        dotted = _join(path, name)
        if name not in data:
            if f.default is MISSING:
                raise ConfigError(source, dotted, "required field is missing", _missing_fix(f, dotted))
            continue
        values[name] = _read_field(f, data[name], dotted, source)
    section = cls(**values)
    for field_name, value, problem, fix in section.problems():
        shown = problem if value is None else f"{value!r} {problem}"
        raise ConfigError(source, _join(path, field_name), shown, fix)
    return section


def _read_field(f: Any, raw: Any, dotted: str, source: str) -> Any:
    if "section" in f.metadata:
        return None if raw is None else _build(f.metadata["section"], raw, dotted, source)
    if "spec" in f.metadata:
        return _read_sourced(f.metadata["spec"], raw, dotted, source)
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(source, dotted, f"{raw!r} is not a non-empty text", f"write {f.metadata['text']}")
    return raw.strip()


def _missing_fix(f: Any, dotted: str) -> str:
    if "spec" in f.metadata:
        return f"add {dotted}: {{value: ..., source: ..., confidence: ...}} ({f.metadata['spec'].doc})"
    if "section" in f.metadata:
        return f"add a {dotted} section ({f.metadata['doc']})"
    return f"add {dotted}: <{f.metadata['text']}>"


def _read_sourced(spec: FieldSpec, raw: Any, dotted: str, source: str) -> Sourced:
    """A leaf is ``{value, source, confidence[, unit]}``; a bare value is allowed for non-numbers only."""
    numeric = spec.kind in (int, float)
    if isinstance(raw, dict):
        for key in raw:
            if key not in _SOURCED_KEYS:
                raise ConfigError(source, f"{dotted}.{key}", f"unknown key {key!r} in a sourced value",
                                  f"use {', '.join(_SOURCED_KEYS)}")
        for key in ("value", "confidence"):
            if key not in raw:
                raise ConfigError(source, f"{dotted}.{key}", "required key is missing",
                                  f"add {key}: ..." + (f" (one of {', '.join(CONFIDENCE_LEVELS)})"
                                                       if key == "confidence" else ""))
        value, origin, confidence = raw["value"], raw.get("source", ""), raw["confidence"]
        _check_unit(spec, raw.get("unit"), dotted, source)
        if confidence not in CONFIDENCE_LEVELS:
            raise ConfigError(source, f"{dotted}.confidence", f"{confidence!r} is not a confidence level",
                              f"use one of {', '.join(CONFIDENCE_LEVELS)}")
        if not isinstance(origin, str):
            raise ConfigError(source, f"{dotted}.source", f"{origin!r} is not a text",
                              "quote the source: paper with year, datasheet, or repository file")
    elif numeric:
        raise ConfigError(source, dotted, f"{raw!r} has no source",
                          f"write {{value: {raw!r}, source: '<paper with year, datasheet or "
                          f"repository file>', confidence: confirmed|unconfirmed|modeling_choice}}")
    else:
        value, origin, confidence = raw, "", "modeling_choice"
    value = _coerce(spec, value, dotted, source)
    if numeric and not origin.strip():
        raise ConfigError(source, f"{dotted}.source", "a number needs a non-empty source",
                          "cite a paper with year, a datasheet, or a repository file")
    return Sourced(value, origin.strip(), confidence)


def _check_unit(spec: FieldSpec, unit: Any, dotted: str, source: str) -> None:
    if unit is not None and unit != spec.unit:
        raise ConfigError(source, f"{dotted}.unit", f"{unit!r} differs from the field's unit {spec.unit!r}",
                          f"convert the value to {spec.unit or 'no unit'} or drop the unit key")


def _coerce(spec: FieldSpec, value: Any, dotted: str, source: str) -> Any:
    value = _typed(spec, value, dotted, source)
    if spec.choices and value not in spec.choices:
        raise ConfigError(source, dotted, f"{value!r} is not one of {', '.join(spec.choices)}", spec.fix)
    if spec.minimum is not None and value < spec.minimum:
        raise ConfigError(source, dotted, f"{value!r} is below the minimum {spec.minimum:g}", spec.fix)
    if spec.maximum is not None and value > spec.maximum:
        raise ConfigError(source, dotted, f"{value!r} is above the maximum {spec.maximum:g}", spec.fix)
    if spec.exclusive_minimum is not None and value <= spec.exclusive_minimum:
        raise ConfigError(source, dotted, f"{value!r} is not above {spec.exclusive_minimum:g}", spec.fix)
    return value


def _typed(spec: FieldSpec, value: Any, dotted: str, source: str) -> Any:
    """Check the value's type; floats also accept integers and numeric text (YAML reads 1e-12 as text)."""
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(source, dotted, f"{value!r} is not true or false", spec.fix)
        return value
    if spec.kind is str:
        if not isinstance(value, str):
            raise ConfigError(source, dotted, f"{value!r} is not a text", spec.fix)
        return value
    if spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(source, dotted, f"{value!r} is not an integer", spec.fix)
        return value
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ConfigError(source, dotted, f"{value!r} is not a finite number", spec.fix)
    return number


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
