"""The one mapping from exceptions to what a user sees, at the edge of the command line.

Every error ends in one line on stderr: ``error: <origin>: <field>: <problem>; fix: <fix>`` for tpneuro's own
errors (exit status 2), the same shape for a bad flag or argument (click's usage errors, exit 2), ``interrupted:``
and the resume command for a run stopped by SIGINT or SIGTERM (exit 130), and, for anything unexpected, one line
with the path of a file that holds the traceback (exit 1), never a traceback on screen.
"""
from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import ConfigError, RunInterrupted, TpneuroError

USER_ERROR, INTERRUPTED, UNEXPECTED = 2, 130, 1


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def save_traceback() -> Path:
    """Write the current exception's traceback to a new file in the temporary directory; its path."""
    fd, name = tempfile.mkstemp(prefix=f"tpneuro-traceback-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".txt")
    with os.fdopen(fd, "w") as f:
        f.write(traceback.format_exc())
    return Path(name)


def report(exc: BaseException) -> tuple[str, int]:
    """The line to print for ``exc`` and the exit status."""
    if isinstance(exc, RunInterrupted):
        return f"interrupted: {_one_line(exc)}", INTERRUPTED
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return "interrupted; fix: run the command again", INTERRUPTED
    if isinstance(exc, TpneuroError):
        return f"error: {_one_line(exc)}", USER_ERROR
    if isinstance(exc, click.ClickException):
        ctx = getattr(exc, "ctx", None)
        where = f"`{ctx.command_path} --help`" if ctx is not None else "`tpneuro --help`"
        return f"error: {_one_line(exc.format_message())}; fix: see {where}", exc.exit_code
    if isinstance(exc, MemoryError):
        return ("error: out of memory; fix: use smaller layers or a smaller training.batch_size", USER_ERROR)
    path = save_traceback()
    return (f"error: unexpected {type(exc).__name__}: {_one_line(exc)[:300]}; the traceback is in {path}; "
            "fix: this is a bug in tpneuro, please report it with that file"), UNEXPECTED


@contextmanager
def fields_from_flags(flags: dict[str, str]) -> Iterator[None]:
    """A ConfigError about a config field that a command-line flag set names the flag as its origin
    (``flags``: dotted field -> flag, e.g. {"hardware.profile": "--hardware"})."""
    try:
        yield
    except ConfigError as exc:
        for field, flag in flags.items():
            if exc.field == field or exc.field.startswith(field + "."):
                raise ConfigError(flag, exc.field, exc.problem, exc.fix) from None
        raise


def _terminate_as_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``) stops the block the way Ctrl-C does, so a run can record that it was interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
