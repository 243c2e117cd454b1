"""What a chip allows: frozen, nested profile objects where every value carries its source.

A profile is data, not code (the IBM aihwkit preset pattern): ``hardware_profiles/<name>.yaml`` is
loaded into these frozen dataclasses by :mod:`tpneuro.hardware.profile_loading`, which checks every
field against the :class:`FieldSpec` stored in the dataclass field's metadata. Each leaf value is a
:class:`Sourced` value: the value, where it comes from (paper with year, datasheet, or a public
project's source file) and how sure we are (``confirmed``: read in that source; ``unconfirmed``: quoted
by others or derived, still needs a primary source; ``modeling_choice``: not a chip fact but a choice
of this profile, e.g. the range of weights in model units).

A section that is absent means "ideal in that respect": no ``weights`` section means float weights,
no ``noise`` section means no noise, an empty ``energy`` section means no known costs.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")

CONFIDENCE_LEVELS = ("confirmed", "unconfirmed", "modeling_choice")
PATHWAYS = ("forward", "feedback")


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A value with its source and confidence; the unit is fixed by the field (see :class:`FieldSpec`)."""

    value: T
    source: str
    confidence: str


def setting(value: T, why: str = "") -> Sourced[T]:
    """A default that is a choice of tpneuro, not a chip fact."""
    return Sourced(value, why, "modeling_choice")


@dataclass(frozen=True)
class FieldSpec:
    """How one leaf field is read and checked: its type, unit, allowed values and the fix to suggest."""

    kind: type
    doc: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    choices: tuple[str, ...] = ()
    fix: str = ""


def sourced_field(kind: type, doc: str, *, default: Any = MISSING, **spec: Any) -> Any:
    """A dataclass field holding a :class:`Sourced` leaf; without ``default`` it is required."""
    metadata = {"spec": FieldSpec(kind, doc, **spec)}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def section_field(section: type, doc: str, *, default: Any = None) -> Any:
    """A dataclass field holding a nested section (itself a dataclass of leaves)."""
    return field(default=default, metadata={"section": section, "doc": doc})


class Problem(NamedTuple):
    """A cross-field inconsistency found after a section was built: field name, value, problem, fix."""

    field: str
    value: Any
    problem: str
    fix: str


ROUNDING_MODES = ("nearest", "stochastic")


@dataclass(frozen=True, kw_only=True)
class WeightFormat:
    """Stored weights: integer levels n times a per-layer step s, so W = s * n.

    Levels: ``sign_bit`` stores the sign in one of ``bits`` (n in -(2^(b-1)-1)..2^(b-1)-1, e.g. Loihi's
    mixed sign mode); ``separate_sign`` keeps ``bits`` of magnitude and the sign elsewhere, e.g. by
    synapse row or synapse type (n in -(2^b-1)..2^b-1); ``unsigned`` has n in 0..2^b-1.
    Step: s = max_abs / n_max, rounded up to a power of two when ``power_of_two_step`` (a shared
    exponent). With ``scale: fixed`` max_abs comes from the profile; with ``per_layer`` a chip instance
    may set max_abs per layer from the weights it maps (a compiler choosing the layer's scale).
    """

    bits: Sourced[int] = sourced_field(
        int, "stored bits per weight", unit="bit", minimum=1, maximum=32,
        fix="weights need at least 1 bit; leave out the weights section for float weights")
    sign: Sourced[str] = sourced_field(
        str, "where the sign lives", choices=("sign_bit", "separate_sign", "unsigned"),
        fix="use sign_bit, separate_sign or unsigned")
    max_abs: Sourced[float] = sourced_field(
        float, "largest weight magnitude in model units (per_layer: default until calibrated)",
        unit="model weight units", exclusive_minimum=0.0, fix="use a positive range such as 1.0")
    rounding: Sourced[str] = sourced_field(
        str, "rounding when a float weight is mapped to the grid", choices=ROUNDING_MODES,
        fix="use nearest or stochastic")
    scale: Sourced[str] = sourced_field(
        str, "whether max_abs is fixed by the profile or set per layer", choices=("fixed", "per_layer"),
        default=setting("fixed"), fix="use fixed or per_layer")
    power_of_two_step: Sourced[bool] = sourced_field(
        bool, "step rounded up to a power of two (shared exponent)", default=setting(False),
        fix="use true or false")
    clipping: Sourced[str] = sourced_field(
        str, "what happens outside the range", choices=("saturate", "none"), default=setting("saturate"),
        fix="use saturate (clip to the range) or none (unbounded grid)")

    def problems(self) -> list[Problem]:
        if self.sign.value == "sign_bit" and self.bits.value < 2:
            return [Problem("bits", self.bits.value, "leaves no magnitude bit next to the sign bit",
                            "use bits >= 2, or sign: separate_sign or unsigned")]
        return []


@dataclass(frozen=True, kw_only=True)
class UpdateFormat:
    """How a weight change dW reaches the stored weight.

    The new weight is W' = s * clip(R((W + dW_c) / s)) with R nearest or stochastic rounding, where
    dW_c is dW truncated towards zero to a resolution of s / 2^f (``fraction_bits`` f: changes below
    s / 2^f never survive) and clipped to the update range (``bits``, fraction bits included).
    ``learning_rate_bits`` rounds the learning rate to that many mantissa bits times a power of two.
    """

    rounding: Sourced[str] = sourced_field(
        str, "rounding of W + dW back onto the weight grid", choices=ROUNDING_MODES,
        fix="use nearest or stochastic")
    fraction_bits: Sourced[int] | None = sourced_field(
        int, "resolution of dW below one weight step kept by the rounder", unit="bit", minimum=0,
        maximum=32, default=None, fix="use a number of bits >= 0, or leave it out for exact updates")
    bits: Sourced[int] | None = sourced_field(
        int, "magnitude bits of one update, fraction bits included", unit="bit", minimum=1, maximum=64,
        default=None, fix="use at least 1 bit, or leave it out for unbounded updates")
    learning_rate_bits: Sourced[int] | None = sourced_field(
        int, "mantissa bits of the learning rate", unit="bit", minimum=1, maximum=52, default=None,
        fix="use at least 1 bit, or leave it out for an exact learning rate")
    on_chip_learning: Sourced[str] = sourced_field(
        str, "which layers the chip can train itself", choices=("all", "last_layer", "none"),
        default=setting("all"), fix="use all, last_layer or none")

    def problems(self) -> list[Problem]:
        if self.bits is not None and self.fraction_bits is not None and \
                self.bits.value <= self.fraction_bits.value:
            return [Problem("bits", self.bits.value,
                            f"is not above fraction_bits = {self.fraction_bits.value}, so no update "
                            f"reaches one weight step", "use bits > fraction_bits")]
        return []


UNIT_KINDS = ("deterministic", "stochastic_binary", "sign", "quantized")
NEURON_MODELS = ("lif", "loihi_cuba")


@dataclass(frozen=True, kw_only=True)
class UnitModel:
    """What a unit emits: its rate (deterministic), a Bernoulli sample of the rate (stochastic_binary,
    Lee et al. 2015 / TrueNorth stochastic neurons), sign(h) in {-1, +1}, or h rounded to
    ``activation_bits`` over [activation_min, activation_max]."""

    kind: Sourced[str] = sourced_field(str, "unit output", choices=UNIT_KINDS,
                                       fix="use deterministic, stochastic_binary, sign or quantized")
    activation_bits: Sourced[int] | None = sourced_field(
        int, "bits of a quantized activity", unit="bit", minimum=1, maximum=32, default=None,
        fix="use at least 1 bit")
    activation_min: Sourced[float] = sourced_field(
        float, "lowest quantized activity", unit="activity units",
        default=setting(0.0, "rates in [0, 1]"), fix="use a number below activation_max")
    activation_max: Sourced[float] = sourced_field(
        float, "highest quantized activity", unit="activity units",
        default=setting(1.0, "rates in [0, 1]"), fix="use a number above activation_min")
    neuron_model: Sourced[str] = sourced_field(
        str, "the spiking neuron model of the chip's units (for the spiking engines and NIR export)",
        choices=NEURON_MODELS, default=setting("lif", "leaky integrate-and-fire, the spiking engines' default"),
        fix="use lif or loihi_cuba")

    def problems(self) -> list[Problem]:
        if self.kind.value == "quantized" and self.activation_bits is None:
            return [Problem("activation_bits", None, "is required when kind is quantized",
                            "add units.activation_bits: {value: 4, source: ..., confidence: ...}")]
        if self.activation_max.value <= self.activation_min.value:
            return [Problem("activation_max", self.activation_max.value,
                            f"is not above activation_min = {self.activation_min.value}",
                            "use activation_max > activation_min")]
        return []


PROFILE_FEATURES: dict[str, str] = {
    "weight_grid": "weights stored as integer levels on a grid (weights, feedback_weights)",
    "learning_rate_precision": "learning rates rounded to a few mantissa bits (updates.learning_rate_bits)",
    **{f"units.{kind}": f"units that emit {kind.replace('_', ' ')} outputs" for kind in UNIT_KINDS[1:]},
    "activity_noise": "per-trial noise on every unit's activity (noise.activity_sigma)",
    "gain_mismatch": "a frozen gain per unit (noise.gain_mismatch_sigma)",
    "offset_mismatch": "a frozen offset per unit (noise.offset_mismatch_sigma)",
}
"""Every feature :meth:`HardwareProfile.features` can report, with what it means."""

_NO_NOISE = setting(0.0, "not modeled")
_SIGMA_FIX = "a standard deviation is >= 0; use 0 for no noise"


@dataclass(frozen=True, kw_only=True)
class NoiseModel:
    """Activity noise (Rockpool's split): a frozen fixed pattern per chip instance and fresh per-trial
    noise. A unit's output is unit(g * h + o + sigma * xi) with gain g = 1 + sigma_g * z and offset
    o = sigma_o * z' drawn once per unit from the chip seed, and xi ~ N(0, 1) drawn every call."""

    activity_sigma: Sourced[float] = sourced_field(
        float, "per-trial additive noise on the activity", unit="activity units", minimum=0.0,
        default=_NO_NOISE, fix=_SIGMA_FIX)
    gain_mismatch_sigma: Sourced[float] = sourced_field(
        float, "frozen relative gain mismatch per unit", unit="relative", minimum=0.0,
        default=_NO_NOISE, fix=_SIGMA_FIX)
    offset_mismatch_sigma: Sourced[float] = sourced_field(
        float, "frozen additive offset mismatch per unit", unit="activity units", minimum=0.0,
        default=_NO_NOISE, fix=_SIGMA_FIX)

    def problems(self) -> list[Problem]:
        return []

    @property
    def is_silent(self) -> bool:
        return (self.activity_sigma.value == 0.0 and self.gain_mismatch_sigma.value == 0.0
                and self.offset_mismatch_sigma.value == 0.0)


_LIMIT_FIX = "use a positive count, or leave the limit out if the chip has none"


def _limit(doc: str, unit: str) -> Any:
    return sourced_field(int, doc, unit=unit, minimum=1, default=None, fix=_LIMIT_FIX)


@dataclass(frozen=True, kw_only=True)
class ChipLimits:
    """Resource limits checked by :func:`tpneuro.hardware.design_rules.check_design_rules`."""

    fan_in_max: Sourced[int] | None = _limit("inputs one unit can receive", "inputs")
    neurons_per_core: Sourced[int] | None = _limit("units one core holds", "units")
    cores: Sourced[int] | None = _limit("cores per chip", "cores")
    weight_memory_bits_per_core: Sourced[int] | None = _limit("synaptic weight memory per core", "bit")
    neurons_max: Sourced[int] | None = _limit("units per chip (input layer not counted)", "units")
    synapses_max: Sourced[int] | None = _limit("synapses per chip", "synapses")
    input_units_max: Sourced[int] | None = _limit("size of the input layer", "units")
    output_units_max: Sourced[int] | None = _limit("size of the output layer", "units")
    hidden_units_max: Sourced[int] | None = _limit("hidden units in total", "units")

    def problems(self) -> list[Problem]:
        return []


_COST_FIX = "use a number >= 0, or leave the cost out when no source gives it"


def _cost(doc: str, unit: str) -> Any:
    return sourced_field(float, doc, unit=unit, minimum=0.0, default=None, fix=_COST_FIX)


@dataclass(frozen=True, kw_only=True)
class EnergyCosts:
    """Cost table: joules per operation and seconds per chip timestep; None where no source says.
    A zero cost is a convention that leaves an operation unpriced on purpose (see generic45nm)."""

    synaptic_op_joules: Sourced[float] | None = _cost(
        "one synaptic event: a spike reaching one synapse (an accumulate)", "J")
    mac_joules: Sourced[float] | None = _cost("one dense multiply-accumulate (rate mode)", "J")
    synaptic_update_joules: Sourced[float] | None = _cost("one weight update", "J")
    neuron_update_joules: Sourced[float] | None = _cost("one neuron state update", "J")
    timestep_seconds: Sourced[float] | None = _cost("wall-clock length of one chip timestep", "s")

    def problems(self) -> list[Problem]:
        return []


@dataclass(frozen=True, kw_only=True)
class HardwareProfile:
    """One chip: what it does to weights, updates and activities, its limits and its costs."""

    name: str = field(metadata={"text": "profile name, equal to the file name without .yaml"})
    description: str = field(metadata={"text": "what the chip is and what the profile models"})
    weights: WeightFormat | None = section_field(WeightFormat, "forward weights; absent = float")
    feedback_weights: WeightFormat | None = section_field(
        WeightFormat, "feedback-pathway weights; absent = same as weights")
    updates: UpdateFormat | None = section_field(UpdateFormat, "forward weight updates; absent = exact")
    feedback_updates: UpdateFormat | None = section_field(
        UpdateFormat, "feedback weight updates; absent = same as updates")
    units: UnitModel = section_field(UnitModel, "unit outputs",
                                     default=UnitModel(kind=setting("deterministic")))
    noise: NoiseModel = section_field(NoiseModel, "activity noise", default=NoiseModel())
    limits: ChipLimits = section_field(ChipLimits, "resource limits", default=ChipLimits())
    energy: EnergyCosts = section_field(EnergyCosts, "cost table", default=EnergyCosts())
    source_file: str = field(default="", metadata={"internal": True})

    def problems(self) -> list[Problem]:
        return []

    def weights_for(self, pathway: str) -> WeightFormat | None:
        """The weight format of ``pathway`` ('forward' or 'feedback'); feedback falls back to forward."""
        _check_pathway(pathway)
        if pathway == "feedback" and self.feedback_weights is not None:
            return self.feedback_weights
        return self.weights

    def updates_for(self, pathway: str) -> UpdateFormat | None:
        """The update format of ``pathway``; feedback falls back to forward."""
        _check_pathway(pathway)
        if pathway == "feedback" and self.feedback_updates is not None:
            return self.feedback_updates
        return self.updates

    def features(self) -> dict[str, str]:
        """The non-ideal features this profile uses, each with the field that sets it: what an engine must model
        to run on this chip (``EngineCapabilities.profile_features``; names in :data:`PROFILE_FEATURES`)."""
        found = {}
        for pathway, section in (("forward", "weights"), ("feedback", "feedback_weights")):
            if self.weights_for(pathway) is not None:
                found.setdefault("weight_grid", section)
        for section in ("updates", "feedback_updates"):
            fmt = getattr(self, section)
            if fmt is not None and fmt.learning_rate_bits is not None:
                found.setdefault("learning_rate_precision", f"{section}.learning_rate_bits")
        if self.units.kind.value != "deterministic":
            found[f"units.{self.units.kind.value}"] = f"units.kind {self.units.kind.value!r}"
        for feature, name in (("activity_noise", "activity_sigma"), ("gain_mismatch", "gain_mismatch_sigma"),
                              ("offset_mismatch", "offset_mismatch_sigma")):
            if getattr(self.noise, name).value > 0.0:
                found[feature] = f"noise.{name}"
        return found

    @property
    def changes_nothing(self) -> bool:
        """True when weights, updates, learning rates and activities all pass through untouched."""
        learning_rate_exact = all(u is None or u.learning_rate_bits is None
                                  for u in (self.updates, self.feedback_updates))
        return (self.weights is None and self.feedback_weights is None and learning_rate_exact
                and self.units.kind.value == "deterministic" and self.noise.is_silent)


def _check_pathway(pathway: str) -> None:
    if pathway not in PATHWAYS:
        raise ValueError(f"pathway must be one of {', '.join(PATHWAYS)}, got {pathway!r}")


def leaf_specs(section: type) -> dict[str, FieldSpec]:
    """The :class:`FieldSpec` of every leaf field of a section dataclass, in declaration order."""
    return {f.name: f.metadata["spec"] for f in fields(section) if "spec" in f.metadata}
