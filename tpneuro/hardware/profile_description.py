"""Human-readable text of a profile: every value with its unit, confidence and source."""
from __future__ import annotations

import textwrap
from dataclasses import fields

from .profile import HardwareProfile, Sourced, leaf_specs

_SECTIONS = (
    ("weights", "weights (forward pathway)", "float weights (no grid)"),
    ("feedback_weights", "weights (feedback pathway)", "same as the forward pathway"),
    ("updates", "weight updates (forward pathway)", "exact, or rounded like the weights when they are on a grid"),
    ("feedback_updates", "weight updates (feedback pathway)", "same as the forward pathway"),
    ("units", "units", ""),
    ("noise", "noise", ""),
    ("limits", "limits", ""),
    ("energy", "energy", ""),
)


def describe_profile(profile: HardwareProfile) -> str:
    """Every section and value of ``profile`` (for ``tpneuro profiles show NAME``)."""
    lines = [f"profile {profile.name}" + (f"  ({profile.source_file})" if profile.source_file else "")]
    lines += textwrap.wrap(profile.description, width=100, initial_indent="  ", subsequent_indent="  ")
    for attribute, title, when_absent in _SECTIONS:
        section = getattr(profile, attribute)
        if section is None:
            lines.append(f"{title}: {when_absent}")
            continue
        lines.append(f"{title}:")
        specs = leaf_specs(type(section))
        for f in fields(section):
            lines.append(_describe_leaf(f.name, getattr(section, f.name), specs[f.name]))
    return "\n".join(lines)


def _describe_leaf(name: str, leaf: Sourced | None, spec) -> str:
    if leaf is None:
        return f"  {name}: not set ({spec.doc})"
    value = _format_value(leaf.value)
    unit = f" {spec.unit}" if spec.unit else ""
    origin = leaf.source or "no source: a setting of this profile"
    return f"  {name} = {value}{unit}  [{leaf.confidence}] {origin}"


def _format_value(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_UNIT_EFFECTS = {
    "stochastic_binary": "its units emit a Bernoulli sample of their rate (0 or 1), so every layer sees a noisy "
                         "binary version of the activity a deterministic network was trained on",
    "sign": "its units emit sign(h) in {-1, +1}, discarding the activity's magnitude",
}


def computation_changes(profile: HardwareProfile) -> list[str]:
    """What running on a chip of ``profile`` changes in the network's arithmetic, one phrase each (for deployment
    reports): the weight grid, the units, noise and mismatch. Empty when it changes nothing."""
    out = []
    fmt = profile.weights
    if fmt is not None:
        out.append(f"weights are stored as {fmt.bits.value}-bit levels ({fmt.sign.value.replace('_', ' ')}, "
                   f"{fmt.rounding.value} rounding onto a {fmt.scale.value.replace('_', '-')} grid)")
    kind = profile.units.kind.value
    if kind in _UNIT_EFFECTS:
        out.append(_UNIT_EFFECTS[kind])
    elif kind == "quantized":
        u = profile.units
        out.append(f"its units emit their activity rounded to {u.activation_bits.value} bits over "
                   f"[{u.activation_min.value:g}, {u.activation_max.value:g}]")
    noise = profile.noise
    for name, what in (("activity_sigma", "per-pass noise of std {} on every activity"),
                       ("gain_mismatch_sigma", "a frozen gain mismatch of relative std {} per unit"),
                       ("offset_mismatch_sigma", "a frozen offset of std {} per unit")):
        value = getattr(noise, name).value
        if value > 0:
            out.append(what.format(f"{value:g}"))
    return out
