"""Errors that name what is wrong and how to fix it.

Every error a user can cause (bad config, unknown rule, missing data, a diverging run) is one of
these, and its message is a single line: the source, the field, the bad value and the fix.
"""
from __future__ import annotations


class TpneuroError(Exception):
    """Base class of every error tpneuro raises on purpose."""


class ConfigError(TpneuroError, ValueError):
    """A configuration or profile value is invalid.

    The message reads ``{source}: {field}: {problem}; {fix}`` on one line.
    """

    def __init__(self, source: str, field: str, problem: str, fix: str):
        self.source, self.field, self.problem, self.fix = str(source), field, problem, fix
        super().__init__(f"{self.source}: {field}: {problem}; fix: {fix}")


class UnknownNameError(ConfigError):
    """A name (rule, engine, dataset, profile) is not among the registered ones."""

    def __init__(self, source: str, field: str, name: str, valid: list[str]):
        super().__init__(source, field, f"unknown name {name!r}",
                         f"use one of {', '.join(sorted(valid))}")


class DatasetError(TpneuroError, ValueError):
    """A dataset file is unreadable: truncated, corrupt, or inconsistent with its partner file. The message
    starts with the file and ends with the fix."""


class DatasetNotFoundError(TpneuroError, FileNotFoundError):
    """The files of a dataset are not where they were looked for."""


class UnsupportedByEngine(TpneuroError):
    """An engine cannot run a rule, profile or network; the message reads ``{engine} engine: {problem}; fix:
    {fix}`` on one line."""

    def __init__(self, engine: str, problem: str, fix: str):
        self.engine, self.problem, self.fix = engine, problem, fix
        super().__init__(f"{engine} engine: {problem}; fix: {fix}")


class DivergedError(TpneuroError, FloatingPointError):
    """Training produced a non-finite loss or weight; the run directory keeps its last good state."""


class RunDirectoryError(TpneuroError):
    """A run directory is missing, incomplete, unwritable, locked by another run, or would be overwritten."""


class CheckpointError(RunDirectoryError):
    """A checkpoint is unreadable, fails its manifest, or does not match the run's config.yaml."""


class RunInterrupted(TpneuroError):
    """A run stopped on SIGINT or SIGTERM; its directory keeps the last finished epoch and says how to resume."""
