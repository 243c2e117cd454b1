"""The YAML files tpneuro ships: hardware profiles, model configs and sweep files.

In the repository they sit at its root (``hardware_profiles/``, ``models/``, ``sweeps/``). A wheel carries
them inside the package as ``tpneuro/shipped/<folder>/`` (setup.py maps them there at build time), found
here through :mod:`importlib.resources`; a checkout or an editable install reads the repository's folders
themselves, since setuptools' editable finder maps packages, not data-only folders.

A user's own file always wins: :func:`find_shipped` returns a path that exists as given, and only
otherwise a shipped file of that name, so ``tpneuro train digits_ddtp_linear`` and ``tpneuro train
models/digits_ddtp_linear.yaml`` both work from any directory.

>>> sorted(shipped_names("hardware_profiles"))[:3]
['akida1', 'brainscales2', 'dynapse2']
>>> find_shipped("digits_ddtp_linear", "models").name
'digits_ddtp_linear.yaml'
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

SHIPPED_FOLDERS = ("hardware_profiles", "models", "sweeps")
_YAML_SUFFIXES = (".yaml", ".yml")


def shipped_folder(folder: str) -> Path:
    """The directory holding the shipped files of ``folder`` (one of :data:`SHIPPED_FOLDERS`)."""
    if folder not in SHIPPED_FOLDERS:
        raise ValueError(f"no shipped folder {folder!r}; use one of {', '.join(SHIPPED_FOLDERS)}")
    inside = resources.files("tpneuro").joinpath("shipped", folder)
    if inside.is_dir():
        return Path(str(inside))
    return Path(__file__).resolve().parent.parent / folder


def shipped_names(folder: str) -> list[str]:
    """The names (file stems) of the shipped YAML files of ``folder``, sorted."""
    return sorted(p.stem for p in shipped_folder(folder).glob("*.yaml"))


def find_shipped(given: str | os.PathLike, folder: str) -> Path:
    """The file ``given`` names: the path itself when it exists, else the shipped file it names.

    A shipped file is named by its stem (``digits_ddtp_linear``), its file name
    (``digits_ddtp_linear.yaml``) or its repository path (``models/digits_ddtp_linear.yaml``). When
    neither exists the path is returned as given, so the caller's "no such file" error names it.
    """
    path = Path(given)
    if path.is_file() or path.is_absolute() or str(path.parent) not in (".", folder):
        return path
    name = path.name if path.suffix in _YAML_SUFFIXES else f"{path.name}.yaml"
    shipped = shipped_folder(folder) / name
    return shipped if shipped.is_file() else path
