"""Hardware profile files: the shipped ones load with a source for every number; bad ones fail with one
pinned line naming the file, the field, the value and the fix."""
import copy
import dataclasses
import re

import pytest
import yaml

from tpneuro.errors import ConfigError, UnknownNameError
from tpneuro.hardware import (
    PROFILE_DIR_ENV,
    Sourced,
    describe_profile,
    list_profiles,
    load_profile,
)

REQUIRED_PROFILES = {"ideal", "generic45nm", "loihi1", "loihi2", "truenorth", "spinnaker1", "brainscales2",
                     "dynapse2", "xylo", "akida1"}

VALID = {
    "name": "bad",
    "description": "a small valid profile that each test breaks in one place",
    "weights": {
        "bits": {"value": 8, "source": "test", "confidence": "modeling_choice"},
        "sign": "sign_bit",
        "max_abs": {"value": 1.0, "source": "test", "confidence": "modeling_choice"},
        "rounding": "nearest",
    },
    "noise": {"activity_sigma": {"value": 0.1, "source": "test", "confidence": "modeling_choice"}},
}


def leaves(section):
    """(dotted name, Sourced) of every set leaf of a profile section, recursively."""
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if isinstance(value, Sourced):
            yield f.name, value
        elif dataclasses.is_dataclass(value):
            for name, leaf in leaves(value):
                yield f"{f.name}.{name}", leaf


def write(tmp_path, data, name="bad"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def broken(edit):
    data = copy.deepcopy(VALID)
    edit(data)
    return data


def test_required_profiles_are_shipped():
    assert REQUIRED_PROFILES <= set(list_profiles())


@pytest.mark.parametrize("name", sorted(REQUIRED_PROFILES))
def test_shipped_profile_loads_with_a_source_for_every_number(name):
    profile = load_profile(name)
    assert profile.name == name and profile.description
    for dotted, leaf in leaves(profile):
        assert leaf.confidence in ("confirmed", "unconfirmed", "modeling_choice"), dotted
        if isinstance(leaf.value, (int, float)) and not isinstance(leaf.value, bool):
            assert leaf.source.strip(), f"{name}: {dotted} has no source"


@pytest.mark.parametrize("name", sorted(REQUIRED_PROFILES))
def test_description_shows_every_value_with_unit_confidence_and_source(name):
    profile = load_profile(name)
    text = describe_profile(profile)
    for dotted, leaf in leaves(profile):
        field = dotted.split(".")[-1]
        line = next((ln for ln in text.splitlines() if ln.strip().startswith(f"{field} = ")), None)
        assert line is not None, f"{dotted} missing from the description"
    for _, leaf in leaves(profile):
        assert f"[{leaf.confidence}]" in text
        if leaf.source:
            assert leaf.source in text


def test_description_of_loihi1_pins_one_line():
    text = describe_profile(load_profile("loihi1"))
    assert "  bits = 8 bit  [confirmed] nengo-loihi nengo_loihi/block.py" in text
    assert "  synaptic_op_joules = 2.36e-11 J  [unconfirmed] Davies et al. 2018" in text
    assert "  mac_joules: not set" in text


def test_generic45nm_holds_the_horowitz_convention():
    energy = load_profile("generic45nm").energy
    assert energy.mac_joules.value == 4.6e-12 and energy.synaptic_op_joules.value == 0.9e-12
    assert "Horowitz 2014" in energy.mac_joules.source


def test_ideal_profile_changes_nothing_and_chips_do():
    assert load_profile("ideal").changes_nothing
    assert not any(load_profile(n).changes_nothing for n in REQUIRED_PROFILES - {"ideal", "generic45nm"})


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["weights"]["bits"].update(value=0),
     r"bad\.yaml: weights\.bits: 0 is below the minimum 1; fix: weights need at least 1 bit; leave out "
     r"the weights section for float weights$"),
    (lambda d: d["noise"]["activity_sigma"].update(value=-0.1),
     r"bad\.yaml: noise\.activity_sigma: -0\.1 is below the minimum 0; fix: a standard deviation is >= 0; "
     r"use 0 for no noise$"),
    (lambda d: d["weights"].update(bitz=3),
     r"bad\.yaml: weights\.bitz: unknown field 'bitz'; fix: use one of bits, clipping, max_abs, "
     r"power_of_two_step, rounding, scale, sign$"),
    (lambda d: d.update(wieghts={}),
     r"bad\.yaml: wieghts: unknown field 'wieghts'; fix: use one of description, energy, feedback_updates, "),
    (lambda d: d["weights"].pop("bits"),
     r"bad\.yaml: weights\.bits: required field is missing; fix: add weights\.bits: \{value: \.\.\., "
     r"source: \.\.\., confidence: \.\.\.\} \(stored bits per weight\)$"),
    (lambda d: d.pop("description"),
     r"bad\.yaml: description: required field is missing; fix: add description: <what the chip is"),
    (lambda d: d["weights"].update(bits=8),
     r"bad\.yaml: weights\.bits: 8 has no source; fix: write \{value: 8, source: '<paper with year, "
     r"datasheet or repository file>', confidence: confirmed\|unconfirmed\|modeling_choice\}$"),
    (lambda d: d["weights"]["bits"].update(source=" "),
     r"bad\.yaml: weights\.bits\.source: a number needs a non-empty source; fix: cite a paper with year"),
    (lambda d: d["weights"]["bits"].update(confidence="sure"),
     r"bad\.yaml: weights\.bits\.confidence: 'sure' is not a confidence level; fix: use one of confirmed, "
     r"unconfirmed, modeling_choice$"),
    (lambda d: d["weights"]["bits"].update(value="eight"),
     r"bad\.yaml: weights\.bits: 'eight' is not an integer; fix: "),
    (lambda d: d["weights"]["bits"].update(unit="byte"),
     r"bad\.yaml: weights\.bits\.unit: 'byte' differs from the field's unit 'bit'; fix: convert"),
    (lambda d: d["weights"].update(rounding="upwards"),
     r"bad\.yaml: weights\.rounding: 'upwards' is not one of nearest, stochastic; fix: use nearest or "
     r"stochastic$"),
    (lambda d: d["weights"]["bits"].update(value=1),
     r"bad\.yaml: weights\.bits: 1 leaves no magnitude bit next to the sign bit; fix: use bits >= 2, or "
     r"sign: separate_sign or unsigned$"),
    (lambda d: d.update(units={"kind": "quantized"}),
     r"bad\.yaml: units\.activation_bits: is required when kind is quantized; fix: add "
     r"units\.activation_bits"),
    (lambda d: d.update(name="other"),
     r"bad\.yaml: name: 'other' differs from the file name 'bad'; fix: set name: bad or rename the file$"),
])
def test_malformed_profile_fails_with_one_pinned_line(tmp_path, edit, message):
    path = write(tmp_path, broken(edit))
    with pytest.raises(ConfigError, match=message) as info:
        load_profile(path)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_malformed_yaml_names_the_file_and_the_position(tmp_path):
    path = write(tmp_path, "name: bad\nweights: {bits: [8\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: <yaml>: malformed YAML at line 3, column 1: .*; "
                                          r"fix: fix the YAML syntax"):
        load_profile(path)


def test_duplicate_key_is_refused(tmp_path):
    path = write(tmp_path, "name: bad\nname: bad\ndescription: x\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: <yaml>: malformed YAML at line 2, column 1: duplicate key 'name'"):
        load_profile(path)


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"bad\.yaml: \(top level\): the file is empty"):
        load_profile(write(tmp_path, ""))


def test_unknown_name_lists_the_available_profiles():
    with pytest.raises(UnknownNameError, match=r"profile: unknown name 'nosuchchip'; fix: use one of "
                                               r"akida1, brainscales2, dynapse2, generic45nm, ideal, int8_nearest, int8_stochastic, loihi1"):
        load_profile("nosuchchip")


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"nothere\.yaml: profile: file not found"):
        load_profile(tmp_path / "nothere.yaml")


def test_profile_directory_from_the_environment(tmp_path, monkeypatch):
    data = copy.deepcopy(VALID)
    data["name"] = "mychip"
    write(tmp_path, data, name="mychip")
    monkeypatch.setenv(PROFILE_DIR_ENV, str(tmp_path))
    assert "mychip" in list_profiles() and "loihi1" in list_profiles()
    profile = load_profile("mychip")
    assert profile.weights.bits.value == 8 and profile.source_file.endswith("mychip.yaml")


def test_bare_settings_and_sourced_settings_both_load(tmp_path):
    """A non-numeric setting may be bare (a modeling choice without source) or sourced."""
    data = broken(lambda d: d["weights"].update(rounding={"value": "stochastic", "source": "x",
                                                           "confidence": "unconfirmed"}))
    profile = load_profile(write(tmp_path, data))
    assert profile.weights.rounding == Sourced("stochastic", "x", "unconfirmed")
    assert profile.weights.sign == Sourced("sign_bit", "", "modeling_choice")


def test_profiles_are_frozen():
    profile = load_profile("loihi1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.weights = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.weights.bits.value = 3


def test_every_shipped_number_cites_a_year_or_a_file():
    """A source is a paper with its year, a datasheet/documentation page, or a repository file; a
    modeling choice says so."""
    for name in REQUIRED_PROFILES:
        for dotted, leaf in leaves(load_profile(name)):
            if leaf.source and leaf.confidence != "modeling_choice":
                assert re.search(r"(19|20)\d\d|\.py|\.h\b|\.rst|DESIGN\.md|page", leaf.source), \
                    f"{name}: {dotted}: {leaf.source}"
