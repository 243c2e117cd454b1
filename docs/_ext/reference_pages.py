"""Reference pages generated from the code at every documentation build, never written by hand.

- every config field, from the pydantic models of :mod:`tpneuro.config.experiment` (type, default, range,
  description), with each rule's hyper-parameters and the sweep file's fields;
- every hardware-profile field, from the :class:`~tpneuro.hardware.profile.FieldSpec` in the profile
  dataclasses' metadata (type, unit, range or choices, default, fix);
- one page per shipped profile, every number with its unit, source and confidence;
- the rules table from the rule registry, the equations rendered as math (:mod:`equation_math`).

Each ``*_page`` function takes the schema it documents, so a test can hand it a scratch copy.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from equation_math import equation_to_latex

# ---------------------------------------------------------------------------------------------- rst helpers


def heading(text: str, char: str = "=", over: bool = False) -> str:
    line = char * len(text)
    return f"{line}\n{text}\n{line}\n" if over else f"{text}\n{line}\n"


def cell(text: Any) -> str:
    """One table cell: a single line, with rst's inline markup characters that would misfire escaped."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|") \
        .replace("`", "\\`").replace("_ ", "\\_ ")


def literal(value: Any) -> str:
    text = " ".join(str(value).split())
    return f"``{text}``" if text else ""


def list_table(header: list[str], rows: Iterable[list[str]], widths: list[int] | None = None) -> str:
    out = [".. list-table::", "   :header-rows: 1", "   :class: tpneuro-reference", "   :width: 100%"]
    if widths:
        out.append(f"   :widths: {' '.join(map(str, widths))}")
    out.append("")
    for row in [header, *rows]:
        for i, value in enumerate(row):
            out.append(f"   {'* -' if i == 0 else '  -'} {value}")
    return "\n".join(out) + "\n"


def type_name(annotation: Any) -> str:
    """A readable type: ``int``, ``float | None``, ``list[int]``, ``one of 'a', 'b'``, a section name."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


# ------------------------------------------------------------------------------------- pydantic schemas


def _constraint_text(metadata: list) -> str:
    symbols = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "min_length": "length ≥", "max_length": "length ≤"}
    parts = []
    for item in metadata:
        for attr, symbol in symbols.items():
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return ", ".join(parts)


def _model_default(field) -> str:
    """The default as YAML would write it; a section made by its defaults says so (its table has them)."""
    if field.default_factory is not None:
        made = field.default_factory()
        return "its defaults" if isinstance(made, BaseModel) else literal(made) or "(empty)"
    if field.default is PydanticUndefined:
        return "required"
    if isinstance(field.default, BaseModel):
        return "its defaults"
    return literal("null" if field.default is None else str(field.default).lower()
                   if isinstance(field.default, bool) else field.default)


def _section_models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (``Section``, ``Section | None``, ``list[Section]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _section_models(arg)]


def section_anchors(model: type[BaseModel], prefix: str = "") -> dict[type[BaseModel], str]:
    """Each section model of a schema and the dotted name it is documented under (its first use)."""
    anchors, queue = {}, [(prefix, model)]
    while queue:
        dotted, section = queue.pop(0)
        if section in anchors:
            continue
        anchors[section] = dotted
        for name, field in section.model_fields.items():
            queue += [(f"{dotted}.{name}" if dotted else name, s) for s in _section_models(field.annotation)]
    return anchors


def anchor(dotted: str, page: str) -> str:
    return f"{page}-" + (dotted.replace(".", "-").replace("_", "-") or "top-level")


def model_table(model: type[BaseModel], prefix: str, labels: dict[type[BaseModel], str]) -> str:
    """The field table of one pydantic model; a nested section's type links to its own table."""
    rows = []
    for name, field in model.model_fields.items():
        sections = _section_models(field.annotation)
        if sections:
            kind = " | ".join(f":ref:`{s.__name__} <{labels[s]}>`" for s in sections)
            kind += " | None" if type(None) in typing.get_args(field.annotation) else ""
        else:
            kind = cell(type_name(field.annotation))
        rows.append([literal(f"{prefix}{name}"), kind, _model_default(field), cell(_constraint_text(field.metadata)),
                     cell(field.description or "")])
    return list_table(["field", "type", "default", "range", "description"], rows, [22, 16, 12, 10, 40])


def schema_sections(model: type[BaseModel], title: str, intro: str, page: str) -> str:
    """Every section of a pydantic schema, breadth first, each with its docstring and field table."""
    anchors = section_anchors(model)
    labels = {section: anchor(dotted, page) for section, dotted in anchors.items()}
    out = []
    for section, dotted in anchors.items():
        name = f"``{dotted}``" if dotted else "Top level"
        out.append(f".. _{labels[section]}:\n\n{heading(f'{name} ({section.__name__})', '-')}")
        doc = section.__dict__.get("__doc__")
        if doc:
            out.append(_plain(doc) + "\n")
        out.append(model_table(section, f"{dotted}." if dotted else "", labels))
    return heading(title, over=True) + "\n" + intro + "\n\n" + "\n".join(out)


def _plain(doc: str) -> str:
    """A docstring as a plain paragraph block (its own markup kept; dedented)."""
    import inspect
    return inspect.cleandoc(doc)


def config_page(model: type[BaseModel], rules: dict[str, type]) -> str:
    """The experiment config reference: every section and field, then each rule's hyper-parameters."""
    intro = ("Every field of an experiment config (``models/*.yaml``), generated from the pydantic models in "
             ":mod:`tpneuro.config.experiment`. A config is validated before any data is loaded: an unknown "
             "field, a value out of range or of the wrong type stops the run with one line naming the file, "
             "the field, the value and the fix.")
    text = schema_sections(model, "Config fields", intro, "config")
    parts = [text, ".. _config-rule-hyperparameters:\n", heading("Rule hyper-parameters (``rule:``)", "-"),
             "The ``rule:`` section holds ``name`` and the chosen rule's own hyper-parameters, checked "
             "against the rule's schema (``Hyperparams`` on each rule class).\n"]
    for name, cls in rules.items():
        parts.append(heading(f"``{name}``: {cls.title}", "~"))
        fields = cls.Hyperparams.model_fields
        if not fields:
            parts.append("No hyper-parameters.\n")
            continue
        rows = [[literal(f"rule.{k}"), cell(type_name(f.annotation)), _model_default(f),
                 cell(_constraint_text(f.metadata)), cell(f.description or "")] for k, f in fields.items()]
        parts.append(list_table(["field", "type", "default", "range", "description"], rows, [22, 16, 12, 10, 40]))
    return "\n".join(parts)


def sweep_page(model: type[BaseModel]) -> str:
    intro = ("Every field of a sweep file (``sweeps/*.yaml``), generated from :mod:`tpneuro.sweeps.sweep_spec`. "
             "See :doc:`/user_guide/sweeps` for how a sweep runs.")
    return schema_sections(model, "Sweep file fields", intro, "sweep")


# ------------------------------------------------------------------------------------ hardware profiles


def _spec_range(spec) -> str:
    parts = []
    if spec.choices:
        parts.append("one of " + ", ".join(spec.choices))
    if spec.minimum is not None:
        parts.append(f"≥ {spec.minimum:g}")
    if spec.exclusive_minimum is not None:
        parts.append(f"> {spec.exclusive_minimum:g}")
    if spec.maximum is not None:
        parts.append(f"≤ {spec.maximum:g}")
    return ", ".join(parts)


def _dataclass_default(f: dataclasses.Field) -> str:
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
        return "required"
    value = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    if value is None:
        return "absent"
    return literal(getattr(value, "value", value)) if hasattr(value, "value") else "defaults"


def profile_fields_page(profile_cls: type) -> str:
    """Every field of a hardware profile, section by section, from the FieldSpecs in the metadata."""
    intro = ("Every field of a hardware profile (``hardware_profiles/*.yaml``), generated from the "
             "``FieldSpec`` each field of :mod:`tpneuro.hardware.profile` carries. A number is written "
             "``{value: ..., source: ..., confidence: confirmed | unconfirmed | modeling_choice}``, with an "
             "optional ``unit`` that must equal the field's; a text or switch may be given bare. A section "
             "that is absent means ideal in that respect.")
    out = [heading("Hardware profile fields", over=True), intro, ""]
    top_rows, sections = [], []
    for f in dataclasses.fields(profile_cls):
        if f.metadata.get("internal"):
            continue
        if "section" in f.metadata:
            section = f.metadata["section"]
            top_rows.append([literal(f.name), f":ref:`{section.__name__} <profile-{f.name}>`",
                             _dataclass_default(f), cell(f.metadata["doc"])])
            sections.append((f.name, section, f.metadata["doc"]))
        else:
            top_rows.append([literal(f.name), "text", _dataclass_default(f), cell(f.metadata.get("text", ""))])
    out.append(list_table(["field", "section", "default", "description"], top_rows, [18, 18, 12, 52]))
    for name, section, doc in sections:
        out.append(f".. _profile-{name}:\n\n" + heading(f"``{name}`` ({section.__name__}): {doc}", "-"))
        if section.__doc__:
            out.append(_plain(section.__doc__) + "\n")
        rows = []
        for f in dataclasses.fields(section):
            spec = f.metadata.get("spec")
            if spec is None:
                continue
            rows.append([literal(f"{name}.{f.name}"), cell(spec.kind.__name__), cell(spec.unit or "-"),
                         cell(_spec_range(spec)), _dataclass_default(f), cell(spec.doc), cell(spec.fix)])
        out.append(list_table(["field", "type", "unit", "range", "default", "meaning", "fix when invalid"],
                              rows, [16, 6, 10, 14, 10, 24, 20]))
    return "\n".join(out)


def _sourced_leaves(section: Any, prefix: str) -> Iterable[tuple[str, Any, Any]]:
    """(dotted field, Sourced value, FieldSpec) of every leaf set in a profile section."""
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if value is None or f.metadata.get("internal"):
            continue
        if "section" in f.metadata:
            yield from _sourced_leaves(value, f"{prefix}{f.name}.")
        elif "spec" in f.metadata:
            yield f"{prefix}{f.name}", value, f.metadata["spec"]


def profile_page(profile: Any, shipped_as: str) -> str:
    """One shipped profile: its description, then every value with unit, source and confidence."""
    out = [f".. _profile-page-{profile.name}:\n", heading(f"{profile.name}", over=True),
           _plain(profile.description) + "\n",
           f"Shipped as ``{shipped_as}``; use it with ``--hardware {profile.name}`` or "
           f"``hardware: {profile.name}``, and print it with ``tpneuro profiles show {profile.name}``. Fields "
           "not listed take their defaults (:doc:`../profile_fields`).\n"]
    rows = []
    for dotted, sourced, spec in _sourced_leaves(profile, ""):
        rows.append([literal(dotted), literal(sourced.value), cell(spec.unit or "-"), cell(sourced.confidence),
                     cell(sourced.source or "-")])
    out.append(list_table(["field", "value", "unit", "confidence", "source"], rows, [20, 12, 10, 12, 46]))
    return "\n".join(out)


def profiles_index(names: list[str], descriptions: dict[str, str]) -> str:
    out = [heading("Shipped hardware profiles", over=True),
           "One page per profile shipped with tpneuro, generated from the files themselves: every number "
           "with its unit, its source and how sure it is (``confirmed``: read in that source; "
           "``unconfirmed``: quoted by others or derived; ``modeling_choice``: a choice of the profile, "
           "not a chip fact).\n", ".. toctree::", "   :hidden:", ""]
    out += [f"   {n}" for n in names]
    out.append("")
    out.append(list_table(["profile", "what it models"],
                          [[f":doc:`{n}`", cell(descriptions[n])] for n in names], [16, 84]))
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ rules


def _locality(cls: type) -> str:
    """'local', or what the rule's non-local pieces need (the rule's Locality declaration)."""
    locality = cls.locality
    return "local" if locality.is_local else f"non-local: {locality.needs()}"


def rules_page(rules: dict[str, type]) -> str:
    out = [heading("Learning rules", over=True),
           "The rules of the registry (:data:`tpneuro.RULES`, ``tpneuro rules``), generated from each rule "
           "class's title, equation and reference. Notation of Meulemans et al. 2020: "
           ":math:`h_0 = x`, :math:`a_i = W_i h_{i-1} + b_i`, :math:`h_i = s_i(a_i)`, output target "
           r":math:`t_L = h_L - \beta\, \partial L / \partial h_L`. The user guide's "
           ":doc:`/user_guide/learning_rules` explains them; the hyper-parameters are in "
           ":ref:`config-rule-hyperparameters`.\n"]
    rows = [[literal(name), cell(cls.title), cell(_locality(cls)),
             cell(f"{cls.feedback_wiring}; {cls.feedback_training.replace('_', ' ')}"),
             f":math:`{equation_to_latex(cls.equation)}`", cell(cls.reference)] for name, cls in rules.items()]
    out.append(list_table(["name", "rule", "locality", "feedback: wiring; training", "update or target", "reference"],
                          rows, [9, 14, 14, 12, 33, 18]))
    out.append("Feedback wiring: ``none`` (no feedback pathway), ``direct`` (from the output to every hidden "
               "layer), ``layerwise`` (from each layer to the one below); training: ``fixed`` (random, never "
               "trained), ``layer reconstruction`` (Lee et al. 2015, Eq. 13), ``difference reconstruction`` "
               "(Meulemans et al. 2020, Eq. 11). From :mod:`tpneuro.rules.declarations`.\n")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- engines


def _example_rule(cls: type, spec: Any) -> Any:
    """The rule ``cls`` on ``spec`` at its default hyper-parameters (0.1 for required numbers)."""
    required = {k: 0.1 for k, f in cls.Hyperparams.model_fields.items() if f.is_required()}
    return cls(spec, cls.Hyperparams(**required))


def engines_page(engines: dict[str, type], rules: dict[str, type], features: dict[str, str]) -> str:
    """What each engine maps, from its declared capabilities (tpneuro.engines.capabilities): per rule at the
    rule's defaults whether it runs or why not, the activations, and the chip features it models."""
    from tpneuro.network.architecture import NetworkSpec

    out = [heading("Engines: what each one maps", over=True),
           "Generated from each engine's declared capabilities (:class:`tpneuro.engines.capabilities."
           "EngineCapabilities`) and each rule's declarations: an engine refuses, with one line naming the "
           "reason and the fix, every run outside its capabilities, before any data is read. Each rule is "
           "checked at its default hyper-parameters on a two-hidden-layer network with a hidden activation "
           "the engine maps; a refusal that names a setting (such as a linear feedback map) can be lifted by "
           "that setting.\n"]
    header = ["rule"] + [literal(name) for name in engines]
    rows = []
    for rule_name, rule_cls in rules.items():
        row = [literal(rule_name)]
        for cls in engines.values():
            caps = cls.capabilities
            hidden = sorted(caps.hidden_activations)[0] if caps.hidden_activations else "tanh"
            output = sorted(caps.output_activations)[0] if caps.output_activations else "linear"
            spec = NetworkSpec((4, 3, 3, 2), hidden, output)
            refusal = caps.refusal(_example_rule(rule_cls, spec), spec, None)
            row.append("runs" if refusal is None else cell(f"no: {refusal[0]}; fix: {refusal[1]}"))
        rows.append(row)
    out.append(list_table(header, rows))
    out.append(heading("Networks and chip features", "-"))
    rows = []
    for name, cls in engines.items():
        caps = cls.capabilities
        modeled = caps.profile_features
        rows.append([literal(name), cell(caps.why or "-"),
                     cell(", ".join(sorted(caps.hidden_activations)) if caps.hidden_activations else "all"),
                     cell(", ".join(sorted(caps.output_activations)) if caps.output_activations else "all"),
                     cell("all" if modeled is None else ", ".join(sorted(modeled)) or "none"),
                     cell("all" if modeled is None else ", ".join(sorted(set(features) - set(modeled))) or "none"),
                     "yes" if caps.uses_optimizers else "no (learns inside the simulation)"])
    out.append(list_table(["engine", "what it is", "hidden activations", "output activations",
                           "chip features modeled", "chip features refused", "uses the optimizer sections"],
                          rows, [8, 18, 12, 10, 20, 20, 12]))
    out.append("The chip features: " + "; ".join(f"``{k}``: {cell(v)}" for k, v in features.items()) + ".\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------- the build


WIDE_PAGE = ":html_theme.sidebar_secondary.remove: true\n\n"   # the wide tables get the whole width


def write_if_changed(path: Path, text: str, wide: bool = True) -> None:
    """Write only a changed page, so Sphinx rebuilds only what changed; a wide page has no right sidebar."""
    text = (WIDE_PAGE if wide else "") + text
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(out_dir: Path) -> None:
    """Write every generated reference page under ``out_dir``."""
    from tpneuro.config.experiment import ExperimentConfig
    from tpneuro.hardware import load_profile
    from tpneuro.hardware.profile import HardwareProfile
    from tpneuro.rules import RULES
    from tpneuro.shipped_files import shipped_folder, shipped_names
    from tpneuro.sweeps.sweep_spec import SweepSpec

    write_if_changed(out_dir / "config_fields.rst", config_page(ExperimentConfig, RULES))
    write_if_changed(out_dir / "sweep_fields.rst", sweep_page(SweepSpec))
    write_if_changed(out_dir / "profile_fields.rst", profile_fields_page(HardwareProfile))
    write_if_changed(out_dir / "rules.rst", rules_page(RULES))
    from tpneuro.engines.registry import ENGINES, get_engine_class
    from tpneuro.hardware import PROFILE_FEATURES

    write_if_changed(out_dir / "engines.rst",
                     engines_page({n: get_engine_class(n) for n in ENGINES}, RULES, PROFILE_FEATURES))
    names = shipped_names("hardware_profiles")
    profiles = {n: load_profile(shipped_folder("hardware_profiles") / f"{n}.yaml") for n in names}
    for name, profile in profiles.items():
        write_if_changed(out_dir / "profiles" / f"{name}.rst", profile_page(profile, f"hardware_profiles/{name}.yaml"))
    write_if_changed(out_dir / "profiles" / "index.rst",
                     profiles_index(names, {n: " ".join(p.description.split()) for n, p in profiles.items()}))
