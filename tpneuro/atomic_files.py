"""Writes that never leave a half-written file: write to a temporary sibling, then rename over."""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    _replace(Path(path), text.encode())


def save_npz_atomic(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _replace(Path(path), buf.getvalue())


def save_figure_atomic(fig, path: str | os.PathLike, dpi: int = 100) -> None:
    """A matplotlib figure as a PNG, rendered in memory and then written atomically."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    _replace(Path(path), buf.getvalue())
