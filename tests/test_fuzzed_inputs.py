"""Property-based: valid configs, hardware profiles and sweep files, mutated (wrong types, out-of-range and non-finite
numbers, unknown keys, missing fields and sections, non-UTF-8 bytes, broken YAML), always end either in success or
in one line ``error: ...; fix: ...`` with exit status 2: never a traceback, never an unexpected error.

hypothesis (a maintained property-based testing library) draws the mutations, derandomised so that every run tries
the same cases. The default suite tries FUZZ_EXAMPLES cases per kind of file; ``pytest -m slow -k fuzzed`` tries
SLOW_FUZZ_EXAMPLES.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpneuro.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "models").glob("*.yaml"))]
PROFILES = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "hardware_profiles").glob("*.yaml"))]
SWEEP = yaml.safe_load((ROOT / "sweeps" / "digits_smoke.yaml").read_text())
SWEEP["base"] = [str(ROOT / b) for b in SWEEP["base"]]
FUZZ_EXAMPLES, SLOW_FUZZ_EXAMPLES = 120, 1500

ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.sampled_from([0, -1, 1, 10**9]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.lists(st.integers(-3, 300), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(-3, 3), max_size=2))


def paths(node, prefix=()):
    """Every key path of a nested mapping/list, parents before children."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, prefix + (i,))
    return out


def parent_of(doc, path):
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated_text(draw, documents):
    """A document drawn from ``documents`` with one to three structural mutations, as YAML bytes that may be
    damaged further (non-UTF-8 bytes, truncation); with the document's original name (a profile's file name must
    be its name)."""
    original = draw(st.sampled_from(documents))
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        where = paths(doc)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = parent_of(doc, path)
        op = draw(st.sampled_from(["replace", "delete", "add_key", "nest"]))
        if op == "replace":
            parent[path[-1]] = draw(ANY_VALUE)
        elif op == "delete":
            del parent[path[-1]]
        elif op == "add_key" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(ANY_VALUE)
        elif op == "nest":
            parent[path[-1]] = {"value": parent[path[-1]]}
    data = yaml.safe_dump(doc, allow_unicode=True).encode()
    damage = draw(st.sampled_from(["none"] * 6 + ["latin1", "truncate", "garbage"]))
    if damage == "latin1":
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:at] + b"\xe9\xff" + data[at:]
    elif damage == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == "garbage":
        data = data + draw(st.sampled_from([b": : :\n", b"\t- [\n", b"key: 'unterminated\n", b"{a: 1\n"]))
    return str(original.get("name", "fuzzed")), data


def ends_in_success_or_one_line(args, capsys) -> None:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 2), f"exit {code}: {err}"
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: ") and "; fix: " in err, err
    assert "Traceback" not in err


def fuzz(kind: str, examples: int):
    """A hypothesis test of ``kind`` (config, profile or sweep) with ``examples`` cases."""
    documents = {"config": CONFIGS, "profile": PROFILES, "sweep": [SWEEP]}[kind]

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(named=mutated_text(documents))
    def check(tmp_path, capsys, named):
        name, text = named
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(text)
        args = {"config": ["check", path], "profile": ["profiles", "show", path],
                "sweep": ["sweep", path, "--dry-run", "--out", tmp_path / "sweep"]}[kind]
        ends_in_success_or_one_line(args, capsys)

    return check


@pytest.mark.parametrize("kind", ["config", "profile", "sweep"])
def test_fuzzed_files_end_in_success_or_one_line(kind, tmp_path, capsys):
    fuzz(kind, FUZZ_EXAMPLES if kind != "sweep" else FUZZ_EXAMPLES // 2)(tmp_path, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["config", "profile", "sweep"])
def test_fuzzed_files_end_in_success_or_one_line_at_length(kind, tmp_path, capsys):
    fuzz(kind, SLOW_FUZZ_EXAMPLES)(tmp_path, capsys)
