"""The sweep file (``sweeps/*.yaml``): its schema and loading, with one-line errors naming file and field.

A sweep file names one or more base experiment configs and the dotted overrides that make its trials::

    name: fmnist_rules                  # default: the file's stem
    base: [models/fmnist_bp.yaml, ...]  # one path or a list (a list is one more grid axis); relative to
                                        # the sweep file, a folder above it (the repository) or the cwd
    set: {training.epochs: 20}          # overrides applied to every trial
    grid:                               # the Cartesian product of its axes, in file order
      seed: [1, 2, 3]                   # an axis: a list of values ...
      hardware.profile: all             # ... (all: every profile `tpneuro profiles` lists) ...
      rule.name:                        # ... or value -> the overrides that come with that value
        ddtp_linear: {rule.beta: 0.0173, rule.sigma: 0.0986}
        drl: {rule.beta: 0.0866, rule.sigma: 0.0843, rule.feedback_activation: linear}
    random:                             # optional random search, crossed with the grid
      n: 8
      seed: 0
      params:
        optimizer.lr: {loguniform: [1.0e-4, 1.0e-2]}
        rule.beta: {uniform: [0.01, 0.3]}
        network.activation: {choice: [tanh, relu]}
    retries: 1                          # times Ray re-runs a trial whose worker process died
    cpus_per_trial: 1                   # CPUs Ray reserves for a trial, and its BLAS threads
    pack: 1                             # jax engine: up to this many compatible trials per Ray task, trained as
                                        # one vmapped program (tpneuro.sweeps.trial_packs)
    gpus_per_task: 0                    # GPUs Ray reserves for each task (a trial or a pack), for device: gpu

Overrides are applied in the order base < set < grid value < that value's overrides < random sample;
a field may be set in only one of ``set``, ``grid`` and ``random.params``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..config.validation_error import first_error
from ..errors import ConfigError
from ..shipped_files import find_shipped
from ..yaml_files import read_yaml

GridAxis = list[Any] | dict[Any, dict[str, Any] | None] | Literal["all"]


class Distribution(BaseModel):
    """One random-search parameter: exactly one of ``loguniform``, ``uniform`` or ``choice``."""

    model_config = ConfigDict(extra="forbid")
    loguniform: tuple[float, float] | None = Field(None, description="[low, high], 0 < low < high: "
                                                   "exp(U(ln low, ln high))")
    uniform: tuple[float, float] | None = Field(None, description="[low, high], low < high: U(low, high)")
    choice: list[Any] | None = Field(None, min_length=1, description="values drawn with equal probability")

    @model_validator(mode="after")
    def _exactly_one(self) -> Distribution:
        given = [k for k in ("loguniform", "uniform", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of loguniform, uniform, choice (got {', '.join(given) or 'none'})")
        for kind in ("loguniform", "uniform"):
            bounds = getattr(self, kind)
            if bounds is not None and not bounds[0] < bounds[1]:
                raise ValueError(f"{kind} needs low < high (got {list(bounds)})")
        if self.loguniform is not None and self.loguniform[0] <= 0:
            raise ValueError(f"loguniform needs low > 0 (got {self.loguniform[0]})")
        return self


class RandomSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=1, description="number of random samples (each crossed with the grid)")
    seed: int = Field(0, description="seed of the samples' numpy Generator")
    params: dict[str, Distribution] = Field(min_length=1, description="dotted config field -> distribution")


class SweepSpec(BaseModel):
    """A parsed sweep file; ``source`` is its path (for error messages and relative base paths)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("", description="sweep name (default: the file's stem); the default output is runs/sweeps/NAME")
    base: list[str] = Field(min_length=1, description="base experiment config(s), e.g. models/digits_ddtp_linear.yaml")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted overrides applied to every trial")
    grid: dict[str, GridAxis] = Field(default_factory=dict, description="dotted field -> list of values, or "
                                      "value -> the overrides that come with it")
    random: RandomSearch | None = Field(None, description="random search: n, seed, params")
    retries: int = Field(1, ge=0, description="times Ray re-runs a trial whose worker process died")
    cpus_per_trial: int = Field(1, ge=1, description="CPUs Ray reserves for each trial; also its BLAS threads")
    pack: int = Field(1, ge=1, description="on the jax engine, up to this many compatible trials (configs that "
                      "differ only in seed, hardware.chip_seed and learning rates) per Ray task, trained side by "
                      "side as one vmapped program; each keeps its own run directory, checkpoint and resume")
    gpus_per_task: float = Field(0, ge=0, description="GPUs Ray reserves for each task (a trial, or a pack of "
                                 "trials); give 1 for engine_options.device: gpu (Ray hides the GPUs from a task "
                                 "that reserves none)")
    _source: str = PrivateAttr("sweep")

    @field_validator("name")
    @classmethod
    def _file_name_safe(cls, value: str) -> str:
        if value and not all(c.isalnum() or c in "._-" for c in value):
            raise ValueError(f"use letters, digits and . _ - only (it names the output folder), got {value!r}")
        return value

    @field_validator("base", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value

    @property
    def source(self) -> str:
        """The sweep file's path as given: named in every error, and the anchor of relative base paths."""
        return self._source

    @property
    def path(self) -> Path:
        return Path(self._source)


def _check_fields(spec: SweepSpec) -> None:
    """Empty axes and fields given twice (in set, grid, random.params) are mistakes: say where."""
    for axis, values in spec.grid.items():
        if values == "all" and axis not in ("hardware", "hardware.profile"):
            raise ConfigError(spec.source, f"grid.{axis}", "'all' stands for every hardware profile",
                              "give a list of values (only hardware.profile takes 'all')")
        if len(values) == 0:
            raise ConfigError(spec.source, f"grid.{axis}", "has no values", "give a list of at least one value")
    places = [("set", list(spec.set)), ("grid", list(spec.grid)),
              ("random.params", list(spec.random.params) if spec.random else [])]
    seen: dict[str, str] = {}
    for place, fields in places:
        for field in fields:
            if field in seen:
                raise ConfigError(spec.source, f"{place}.{field}", f"is also given in {seen[field]}",
                                  "set each config field in only one of set, grid, random.params")
            seen[field] = place


def parse_sweep_spec(data: Any, source: str) -> SweepSpec:
    """Validate parsed YAML as a sweep file; the first problem becomes a one-line ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(source, "<top level>", f"expected a mapping, got {type(data).__name__}",
                          "write the sweep as YAML fields: base, set, grid, random")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        loc, field, message = first_error(exc)
        known = ", ".join(SweepSpec.model_fields)
        fix = (f"a sweep file takes: {known}" if len(loc) == 1 and str(loc[0]) not in SweepSpec.model_fields
               else f"see the docstring of tpneuro/sweeps/sweep_spec.py; a sweep file takes: {known}")
        raise ConfigError(source, field, message, fix) from None
    spec._source = source
    if not spec.name:
        spec.name = Path(source).stem
    _check_fields(spec)
    return spec


def load_sweep_spec(path: str | os.PathLike) -> SweepSpec:
    """Read and validate a sweep file.

    Parameters
    ----------
    path : str or os.PathLike
        A sweep file, or the name of a shipped one such as ``digits_smoke``.

    Returns
    -------
    SweepSpec
        The validated grid or random search.

    Raises
    ------
    ConfigError
        One line naming the file, the field and the fix.
    """
    path = find_shipped(path, "sweeps")
    return parse_sweep_spec(read_yaml(path, "sweep", "sweeps/digits_smoke.yaml"), str(path))


def resolve_base(spec: SweepSpec, base: str) -> Path:
    """The base config file: absolute, or relative to the sweep file's folder or the nearest folder above
    it that holds that path (so ``models/x.yaml`` in ``sweeps/s.yaml`` finds the repository's models/),
    or else to the current folder, or else a shipped config of that name."""
    given = Path(base).expanduser()
    if given.is_absolute():
        candidates = [given]
    else:
        here = spec.path.resolve().parent
        candidates = [folder / given for folder in (here, *here.parents)] + [Path.cwd() / given]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None and not given.is_absolute() and find_shipped(given, "models").is_file():
        found = find_shipped(given, "models")
    if found is None:
        raise ConfigError(spec.source, "base", f"no config file {base!r} next to the sweep file or in a folder above it",
                          "give a path relative to the sweep file or the repository, e.g. models/digits_ddtp_linear.yaml")
    return found
