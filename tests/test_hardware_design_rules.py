"""Design rules: a network that does not fit a chip is refused with the rule and the layer named."""
import pytest
import yaml

from tpneuro.errors import TpneuroError
from tpneuro.hardware import HardwareDesignRuleError, check_design_rules, load_profile


def test_truenorth_fan_in_names_rule_and_layer():
    with pytest.raises(HardwareDesignRuleError,
                       match=r"^profile 'truenorth': design rule fan_in_max broken at layer 1: inputs per unit "
                             r"784 > 256; fix: give layer 1 fewer inputs \(a smaller layer 0\)$") as info:
        check_design_rules(load_profile("truenorth"), [784, 100, 10])
    assert isinstance(info.value, TpneuroError)
    (violation,) = info.value.violations
    assert (violation.rule, violation.layer, violation.required, violation.limit) == ("fan_in_max", 1, 784, 256)
    assert "Akopyan et al. 2015" in violation.source


def test_report_only_lists_every_violation():
    """Xylo: 20 inputs > 16 (layer 0) and 10 outputs > 8 (layer 2); 50 hidden units fit in 1000."""
    violations = check_design_rules(load_profile("xylo"), [20, 50, 10], report_only=True)
    assert [(v.rule, v.layer) for v in violations] == [("input_units_max", 0), ("output_units_max", 2)]
    with pytest.raises(HardwareDesignRuleError, match=r"design rule input_units_max broken at layer 0: input "
                                                      r"units 20 > 16; .* \(and 1 more: output_units_max\)$"):
        check_design_rules(load_profile("xylo"), [20, 50, 10])


def test_networks_that_fit_pass():
    assert check_design_rules(load_profile("loihi1"), [784, 200, 10]) == []
    assert check_design_rules(load_profile("ideal"), [10 ** 6, 10 ** 6]) == []


def test_feedback_connections_count_as_inputs():
    """TrueNorth, [100, 200, 250]: forward fan-ins 100 (layer 1) and 200 (layer 2) fit 256; with
    feedback from the 250 units of layer 2 into layer 1, layer 1 receives 100 + 250 = 350 > 256."""
    assert check_design_rules(load_profile("truenorth"), [100, 200, 250]) == []
    (violation,) = check_design_rules(load_profile("truenorth"), [100, 200, 250], feedback=True,
                                      report_only=True)
    assert (violation.rule, violation.layer, violation.required) == ("fan_in_max", 1, 350)


def small_chip(tmp_path):
    data = {"name": "small", "description": "test",
            "weights": {"bits": {"value": 8, "source": "t", "confidence": "modeling_choice"},
                        "sign": "sign_bit", "rounding": "nearest",
                        "max_abs": {"value": 1.0, "source": "t", "confidence": "modeling_choice"}},
            "limits": {k: {"value": v, "source": "t", "confidence": "modeling_choice"}
                       for k, v in {"weight_memory_bits_per_core": 1024, "neurons_per_core": 4, "cores": 3}.items()}}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_profile(path)


def test_weight_memory_and_core_count(tmp_path):
    """8-bit weights, 1024 bits and 4 units per core, 3 cores.
    [200, 2]: one unit of layer 1 stores 200 * 8 = 1600 bits > 1024.
    [16, 10, 2]: layer 1 units need 128 bits (8 fit by memory, 4 by count) -> ceil(10/4) = 3 cores;
    layer 2 units need 80 bits -> ceil(2/4) = 1 core; 4 cores > 3."""
    chip = small_chip(tmp_path)
    (memory,) = check_design_rules(chip, [200, 2], report_only=True)
    assert (memory.rule, memory.layer, memory.required) == ("weight_memory_bits_per_core", 1, 1600)
    (cores,) = check_design_rules(chip, [16, 10, 2], report_only=True)
    assert (cores.rule, cores.layer, cores.required) == ("cores", None, 4)
    assert "design rule cores broken at the whole network: cores needed 4 > 3" in cores.message
    assert check_design_rules(chip, [16, 8, 2]) == []


def test_on_chip_learning_is_checked_on_request():
    akida = load_profile("akida1")
    assert check_design_rules(akida, [10, 20, 5]) == []
    with pytest.raises(HardwareDesignRuleError, match=r"design rule on_chip_learning broken at layer 1: the chip "
                                                      r"learns on chip only in its last layer"):
        check_design_rules(akida, [10, 20, 5], learning_on_chip=True)
    (violation,) = check_design_rules(load_profile("xylo"), [10, 20, 5], learning_on_chip=True, report_only=True)
    assert violation.layer is None and "has no on-chip learning" in violation.message
