"""The packages and the files they ship; the rest of the metadata is in pyproject.toml.

The repository keeps hardware profiles, model configs and sweep files at its root (``hardware_profiles/``,
``models/``, ``sweeps/``). A wheel carries them inside the package as ``tpneuro/shipped/<folder>/``, mapped
here at build time (a setuptools ``package_dir`` entry per folder), where
:mod:`tpneuro.shipped_files` finds them through ``importlib.resources``. pyproject.toml alone cannot say
this: its ``packages.find`` and an explicit ``package-dir`` mapping exclude each other.
"""
from setuptools import find_packages, setup

SHIPPED = ("hardware_profiles", "models", "sweeps")

setup(
    packages=find_packages(include=["tpneuro", "tpneuro.*"]) + [f"tpneuro.shipped.{d}" for d in SHIPPED],
    package_dir={f"tpneuro.shipped.{d}": d for d in SHIPPED},
    package_data={f"tpneuro.shipped.{d}": ["*.yaml"] for d in SHIPPED},
)
