"""An exclusive lock on a directory for the life of a writer (a run, a resume, a sweep), with the holder named.

filelock (a maintained, cross-platform lock-file library) holds ``DIR/.lock``; after acquiring it the writer
records who it is in ``DIR/.lock.holder`` (pid, host, start time, command line), so that a second writer is
refused in one line that names the holder. A writer refused in the moment between the holder's taking the lock
and its writing the record waits up to HOLDER_WAIT seconds for the record. The lock is the operating system's
(flock/LockFileEx): it is released when the holder exits, however it exits, and a stale holder file is simply
overwritten by the next writer.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .atomic_files import write_text_atomic

LOCK_FILE, HOLDER_FILE = ".lock", ".lock.holder"
HOLDER_WAIT = 2.0          # seconds a refused writer waits for the holder's record


def _program() -> str:
    """The running program as a user would type it: tpneuro for the command line (also ``python -m tpneuro.cli``)."""
    return "tpneuro" if "tpneuro" in sys.argv[0] else os.path.basename(sys.argv[0])


def _holder_text(directory: Path) -> str:
    """The holder's record as text, once it is there (polled for up to HOLDER_WAIT seconds)."""
    deadline = time.monotonic() + HOLDER_WAIT
    while True:
        try:
            h = json.loads((directory / HOLDER_FILE).read_text())
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(h["started"]))
            return f"pid {h['pid']} on {h['host']}, started {started}: {h['command']}"
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline:
                return "another process"
            time.sleep(0.05)


@contextmanager
def exclusive(directory: Path, refuse: Callable[[str], Exception]) -> Iterator[None]:
    """Hold ``directory``'s lock for the block (the directory is created if needed). If another process holds it,
    raise ``refuse(holder)`` with the holder's description, without waiting."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(directory / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise refuse(_holder_text(directory)) from None
    try:
        write_text_atomic(directory / HOLDER_FILE, json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
            "command": " ".join([_program()] + sys.argv[1:])}))
        yield
    finally:
        lock.release()
