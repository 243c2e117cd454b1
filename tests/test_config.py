"""Config validation: every bad field gives one line naming the file, the field, the value and the fix,
before any data is loaded."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tpneuro.config import dump_config, load_config, validate_config
from tpneuro.errors import ConfigError

MODELS = sorted((Path(__file__).parent.parent / "models").glob("*.yaml"))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_shipped_configs_validate_and_round_trip(path, tmp_path):
    cfg = load_config(path)
    again = tmp_path / "again.yaml"
    again.write_text(dump_config(cfg))
    assert load_config(again) == cfg


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    return p


BASE = {"rule": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1}, "optimizer": {"lr": 1e-3},
        "feedback_optimizer": {"lr": 1e-3}, "dataset": {"name": "digits"}}


@pytest.mark.parametrize("patch,pattern", [
    ({"training": {"epochs": 0}}, r"bad\.yaml: training\.epochs: .*greater than or equal to 1.*got 0"),
    ({"optimizer": {"lr": "fast"}}, r"optimizer\.lr: .*valid number.*got 'fast'"),
    ({"network": {"hiddn": [3]}}, r"network\.hiddn: Extra inputs.*fix: remove it or use one of: hidden, activation"),
    ({"network": {"activation": "swish"}}, r"network\.activation: .*unknown activation 'swish'"),
    ({"rule": {"name": "dttp"}}, r"rule\.name: unknown name 'dttp'; fix: use one of bp, .*ddtp_linear"),
    ({"rule": {"name": "dtp", "beta": 0.1}}, r"rule\.sigma: Field required"),
])
def test_bad_field_is_named_with_value_and_fix(tmp_path, patch, pattern):
    data = {**BASE, **patch}
    with pytest.raises(ConfigError, match=pattern) as exc:
        load_config(write(tmp_path, yaml.safe_dump(data)))
    assert "\n" not in str(exc.value)


def test_malformed_yaml_names_line(tmp_path):
    with pytest.raises(ConfigError, match=r"bad\.yaml: <yaml>: malformed YAML at line 3, column 10: expected .,. or .\]."):
        load_config(write(tmp_path, "rule:\n  name: [bp\noptimizer: {lr: 1}\n"))


def test_a_key_given_twice_is_refused_not_silently_overwritten(tmp_path):
    with pytest.raises(ConfigError, match=r"bad\.yaml: <yaml>: malformed YAML at line 3, column 1: duplicate key 'rule'"):
        load_config(write(tmp_path, "rule: {name: bp}\noptimizer: {lr: 1}\nrule: {name: dtp}\n"))


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(write(tmp_path, "- 1\n- 2\n"))


def test_overrides_apply_dotted_fields(tmp_path):
    cfg = load_config(write(tmp_path, yaml.safe_dump(BASE)), {"training.epochs": 3, "seed": 7, "engine": None})
    assert (cfg.training.epochs, cfg.seed, cfg.engine) == (3, 7, "rate")


def test_init_gain_scales_each_layers_xavier_std_and_checks_its_length():
    """network.init_gain [3, 1] on 64-200-10: W_1's std is 3 sqrt(2 / 264) within 3 % (12,800 draws), W_2's
    is Xavier's; a list of the wrong length is refused in one line naming the field; 0 fails validation."""
    import numpy as np

    from tpneuro.runs import build_state

    def cfg(gain):
        return validate_config({"dataset": {"name": "digits"}, "network": {"hidden": [200], "init_gain": gain},
                                "rule": {"name": "bp"}, "optimizer": {"lr": 1e-3}})
    params = build_state(cfg([3, 1]), 64, 10, np.random.default_rng(0)).forward_params
    assert params["W1"].std() == pytest.approx(3 * np.sqrt(2 / 264), rel=0.03)
    assert params["W2"].std() == pytest.approx(np.sqrt(2 / 210), rel=0.1)
    with pytest.raises(ConfigError, match="network.init_gain: 1 gains for 2 weight layers"):
        build_state(cfg([3]), 64, 10, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="init_gain"):
        cfg(0)
