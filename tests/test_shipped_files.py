"""Shipped hardware profiles, model configs and sweep files are found by name from any directory; a user's
own file always wins; Ray, an extra, is asked for in one line when it is missing."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tpneuro.config import load_config
from tpneuro.errors import ConfigError, TpneuroError
from tpneuro.hardware import list_profiles, load_profile
from tpneuro.shipped_files import SHIPPED_FOLDERS, find_shipped, shipped_folder, shipped_names
from tpneuro.sweeps import load_sweep_spec
from tpneuro.sweeps.ray_import import import_ray
from tpneuro.sweeps.sweep_spec import resolve_base

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("folder", SHIPPED_FOLDERS)
def test_every_file_of_the_repository_folders_is_shipped(folder):
    assert shipped_names(folder) == sorted(p.stem for p in (ROOT / folder).glob("*.yaml"))
    assert shipped_folder(folder).is_dir()


def test_shipped_files_by_name_from_another_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config("digits_ddtp_linear").name == "digits_ddtp_linear"
    assert load_config("models/digits_ddtp_linear.yaml", {"training.epochs": 1}).training.epochs == 1
    assert load_profile("loihi2").name == "loihi2" and "loihi2" in list_profiles()
    spec = load_sweep_spec("digits_smoke")
    assert spec.name == "digits_smoke"
    assert resolve_base(spec, spec.base[0]).is_file()


def test_a_users_own_file_wins_over_a_shipped_one(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    mine = (ROOT / "models" / "digits_ddtp_linear.yaml").read_text().replace("name: digits_ddtp_linear", "name: mine")
    (tmp_path / "models" / "digits_ddtp_linear.yaml").write_text(mine)
    monkeypatch.chdir(tmp_path)
    assert load_config("models/digits_ddtp_linear.yaml").name == "mine"
    assert find_shipped("models/digits_ddtp_linear.yaml", "models") == Path("models/digits_ddtp_linear.yaml")
    assert load_config("digits_ddtp_linear").name == "digits_ddtp_linear"       # a bare name: the shipped one


def test_a_path_elsewhere_or_an_unknown_name_is_not_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_shipped("other/digits_ddtp_linear.yaml", "models") == Path("other/digits_ddtp_linear.yaml")
    with pytest.raises(ConfigError, match=r"^nope: <file>: no such config file"):
        load_config("nope")


def test_a_sweep_without_ray_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)         # import ray now fails as if it were not installed
    with pytest.raises(TpneuroError, match=r"^sweeps run their trials on Ray, which is not installed; fix: "
                                           r"pip install 'tpneuro\[sweeps\]'$"):
        import_ray()
