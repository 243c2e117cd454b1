"""The documentation: it builds with warnings as errors (running every example), its generated pages follow
the code, and its examples are true. Run alone with ``pytest -m docs``."""
from __future__ import annotations

import dataclasses
import doctest
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import Field, create_model

import tpneuro
from tpneuro.config import validate_config
from tpneuro.config.experiment import ExperimentConfig, TrainingConfig
from tpneuro.hardware.profile import HardwareProfile, NoiseModel, section_field, sourced_field
from tpneuro.hardware.profile_loading import parse_profile
from tpneuro.rules import RULES
from tpneuro.shipped_files import shipped_names
from tpneuro.sweeps import parse_sweep_spec

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import equation_math  # noqa: E402
import reference_pages  # noqa: E402
import results_pages  # noqa: E402
from results_file import ResultsFile, command_line, results_name  # noqa: E402

pytestmark = pytest.mark.docs


# ------------------------------------------------------------------------------------------ the build


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The HTML site, built from scratch (fresh doctrees, every example executed) with warnings as errors."""
    out = tmp_path_factory.mktemp("docs")
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                            "-d", str(out / "doctrees"), "-D", "sphinx_gallery_conf.run_stale_examples=1",
                            str(DOCS), str(out / "html")], capture_output=True, text=True, cwd=ROOT)
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-5000:]
    return out / "html"


def test_every_generated_reference_page_is_built(built):
    reference = built / "generated" / "reference"
    for page in ("config_fields", "profile_fields", "sweep_fields", "rules", "engines", "profiles/index"):
        assert (reference / f"{page}.html").is_file(), page
    assert {p.stem for p in (reference / "profiles").glob("*.html")} - {"index"} == set(shipped_names("hardware_profiles"))
    rules = (reference / "rules.html").read_text(encoding="utf-8")
    assert all(f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{name}</span>" in rules for name in RULES)
    assert rules.count('class="math') >= len(RULES)
    non_local = [name for name, cls in RULES.items() if not cls.is_local()]
    assert {"bp", "gnt"} <= set(non_local) and rules.count("non-local: ") == len(non_local)


def test_examples_run_with_their_plots_and_the_api_is_generated(built):
    gallery = built / "auto_examples"
    for script in sorted((ROOT / "examples").glob("*.py")):
        page = (gallery / f"{script.stem}.html").read_text(encoding="utf-8")
        assert "sphx-glr-single-img" in page or "sphx-glr-multi-img" in page, f"{script.name} shows no figure"
    modules = {p.stem for p in (built / "generated" / "api").glob("tpneuro*.html")}
    package_modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                       for p in (ROOT / "tpneuro").rglob("*.py") if p.name != "__main__.py"}
    assert package_modules <= modules, sorted(package_modules - modules)[:10]
    assert (built / "generated" / "results" / "index.html").is_file()


# --------------------------------------------------------------- generated pages follow the schemas


def test_a_config_field_added_to_a_scratch_schema_appears_in_its_page():
    scratch_training = create_model("ScratchTraining", __base__=TrainingConfig,
                                    warmup_epochs=(int, Field(3, ge=0, le=50, description="scratch: epochs of "
                                                              "linear learning-rate warm-up")))
    scratch_config = create_model("ScratchConfig", __base__=ExperimentConfig,
                                  training=(scratch_training, Field(default_factory=scratch_training)))
    before = reference_pages.config_page(ExperimentConfig, RULES)
    after = reference_pages.config_page(scratch_config, RULES)
    row = "   * - ``training.warmup_epochs``\n     - int\n     - ``3``\n     - ≥ 0, ≤ 50\n" \
          "     - scratch: epochs of linear learning-rate warm-up"
    assert row not in before and row in after


def test_a_profile_field_added_to_a_scratch_schema_appears_in_its_page():
    scratch_noise = dataclasses.make_dataclass(
        "ScratchNoise", [("drift_sigma", object, sourced_field(
            float, "scratch: slow drift of the threshold per second", unit="threshold units / s", minimum=0.0,
            default=None, fix="use a std >= 0"))], bases=(NoiseModel,), frozen=True, kw_only=True)
    scratch_profile = dataclasses.make_dataclass(
        "ScratchProfile", [("noise", object, section_field(scratch_noise, "activity noise",
                                                           default=scratch_noise()))],
        bases=(HardwareProfile,), frozen=True, kw_only=True)
    before = reference_pages.profile_fields_page(HardwareProfile)
    after = reference_pages.profile_fields_page(scratch_profile)
    row = "   * - ``noise.drift_sigma``\n     - float\n     - threshold units / s\n     - ≥ 0\n     - absent\n" \
          "     - scratch: slow drift of the threshold per second\n     - use a std >= 0"
    assert row not in before and row in after


def test_every_config_field_and_rule_hyperparameter_has_a_description():
    page = reference_pages.config_page(ExperimentConfig, RULES)
    rows = re.findall(r"   \* - ``([^`]+)``\n(?:     - .*\n){3}     - (.*)\n", page)
    assert len(rows) > 30
    assert [name for name, description in rows if not description.strip()] == []


def test_each_shipped_profile_page_lists_every_value_with_its_source():
    from tpneuro.hardware import load_profile

    profile = load_profile("loihi2")
    page = reference_pages.profile_page(profile, "hardware_profiles/loihi2.yaml")
    leaves = list(reference_pages._sourced_leaves(profile, ""))
    assert len(leaves) > 5
    for dotted, sourced, _ in leaves:
        assert f"``{dotted}``" in page and sourced.confidence in page
        assert " ".join(sourced.source.split()[:4]) in page


# -------------------------------------------------------------------------------- equations as math


def test_every_rule_equation_becomes_math_that_a_tex_parser_reads():
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("agg")
    for name, cls in RULES.items():
        tex = equation_math.equation_to_latex(cls.equation)
        outside_text = re.sub(r"\\[A-Za-z]+", "", re.sub(r"\\mathrm\{[^}]*\}", "", tex))
        assert not re.search(r"[a-z]{3,}", outside_text), tex      # words are upright text, not italic symbols
        # matplotlib's mathtext knows \Vert, not \lVert/\rVert (MathJax knows both)
        parser.parse("$" + tex.replace(r"\lVert", r"\Vert").replace(r"\rVert", r"\Vert") + "$")


def test_equation_text_to_latex_pieces():
    assert equation_math.equation_to_latex("delta_i = s_i'(a_i) * W^T delta") == \
        r"\delta_i = s_i'(a_i) \odot W^T \delta"
    assert equation_math.equation_to_latex("min ||h~ - x||^2") == r"\min \lVert \tilde{h} - x\rVert^2"
    assert equation_math.equation_to_latex("t = h;  Q fixed random") == r"t = h\qquad Q \ \mathrm{fixed\ random}"


# ------------------------------------------------------------------------------------- results pages


def test_results_page_renders_a_results_file_and_says_what_is_not_produced(tmp_path, monkeypatch):
    argv = [str(ROOT / "benchmarks" / "bench_nengo.py"), "--epochs", "20", "--engines", "rate"]
    results = ResultsFile(argv)
    results.table("digits, scratch run", ["engine", "test %"], [["rate", "12.34"]])
    results.note("a scratch conclusion")
    path = results.write(tmp_path)
    assert path.name == "bench_nengo--epochs-20-engines-rate.json" == f"{results_name(argv)}.json"
    data = json.loads(path.read_text())
    assert data["command"] == command_line(argv) == "python benchmarks/bench_nengo.py --epochs 20 --engines rate"
    listed = [{"command": data["command"], "about": "the scratch run"},
              {"command": "python benchmarks/bench_nengo.py --epochs 99", "about": "a run never made"}]
    page = results_pages.benchmark_page("bench_nengo", listed, tmp_path)
    assert "12.34" in page and "a scratch conclusion" in page and data["command"] in page
    never = page[page.index("A run never made"):]
    assert "Not produced yet" in never and "python benchmarks/bench_nengo.py --epochs 99" in never


def test_a_results_file_name_keeps_a_list_argument_readable():
    """Brackets, quotes and the spaces after commas are dropped, not turned into '-' (which reads as a sign)."""
    argv = ["benchmarks/bench_spiking_controls.py", "--set", "network.init_gain=[3, 30, 1]", "--set", "a='b c'"]
    assert results_name(argv) == "bench_spiking_controls--set-network.init_gain=3,30,1-set-a=b-c"


def test_every_results_file_in_the_repository_comes_with_its_command():
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.json")):
        data = json.loads(path.read_text())
        assert data["command"].startswith(f"python benchmarks/{data['benchmark']}.py"), path.name
        assert path.stem == results_name(data["command"].split()[1:]), path.name
        assert data["tables"] and data["machine"]["cores"] >= 1, path.name


# ----------------------------------------------------------------------- examples that must stay true


def _doctest(path: Path) -> doctest.TestResults:
    return doctest.testfile(str(path), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False,
                            globs={})


@pytest.mark.parametrize("page", ["README.md", "docs/user_guide/python_api.rst"])
def test_doctests_of_the_public_examples(page):
    results = _doctest(ROOT / page)
    assert results.attempted > 0 and results.failed == 0, results


@pytest.mark.parametrize("module", sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "tpneuro").rglob("*.py") if ">>> " in p.read_text(encoding="utf-8")))
def test_doctests_in_docstrings(module):
    name = module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    results = doctest.testmod(__import__(name, fromlist=["_"]), optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0 and results.failed == 0, results


def _code_blocks(page: Path, language: str) -> list[str]:
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(rf"\.\. code-block:: {language}\n\n((?:   .*\n|\n)+)", text)
    return [re.sub(r"^   ", "", b, flags=re.M) for b in blocks]


def test_the_user_guide_yaml_examples_validate():
    (config,) = _code_blocks(DOCS / "user_guide" / "running_experiments.rst", "yaml")
    assert validate_config(yaml.safe_load(config)).rule.name == "ddtp_linear"
    (profile,) = _code_blocks(DOCS / "user_guide" / "hardware.rst", "yaml")
    assert parse_profile(yaml.safe_load(profile), "hardware.rst", "my_chip").weights.bits.value == 6
    (sweep,) = _code_blocks(DOCS / "user_guide" / "sweeps.rst", "yaml")
    assert parse_sweep_spec(yaml.safe_load(sweep), "sweeps.rst").grid["seed"] == [1, 2, 3]


def test_readme_is_short_and_quotes_no_figure_or_tracker():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "./setup.sh && .venv/bin/tpneuro train models/digits_ddtp_linear.yaml" in readme
    assert "./setup.sh && .venv/bin/python -m pytest" in readme
    assert not re.search(r"\bissue\s*#?\d", readme, re.I)
    assert not re.search(r"\d+(\.\d+)?\s*%", readme), "a figure belongs on the results pages"
    for link in re.findall(r"\]\(([^)#]+)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link


def test_version_has_one_source():
    out = subprocess.run([sys.executable, "-m", "tpneuro.cli", "--version"], capture_output=True, text=True)
    assert out.stdout.split()[-1] == tpneuro.__version__
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()
