"""What an engine maps, declared as data on its class, and the one check that refuses everything else
(DESIGN.md section 8, "capabilities, not names").

A run is supported when the rule's declarations (tpneuro.rules.declarations), the network's activations and the
profile's features (HardwareProfile.features) all lie inside the engine's :class:`EngineCapabilities`. The check
reads nothing but declarations, so a new rule or engine needs no edit here.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..errors import UnsupportedByEngine
from ..hardware import PROFILE_FEATURES, HardwareProfile
from ..network.architecture import NetworkSpec
from ..rules.base import LearningRule
from ..rules.declarations import FEEDBACK_TRAININGS, FEEDBACK_WIRINGS


@dataclass(frozen=True)
class EngineCapabilities:
    """The rules, networks and chip features an engine maps. ``None`` means "all"."""

    wirings: frozenset[str] = frozenset(FEEDBACK_WIRINGS)
    feedback_maps: frozenset[str] = frozenset(("none", "linear", "nonlinear"))
    feedback_trainings: frozenset[str] = frozenset(FEEDBACK_TRAININGS)
    # of a non-linear feedback map g(u) = s(Q u + c): how it may be trained (None: as feedback_trainings), and the
    # activations s the engine realises (None: all)
    nonlinear_feedback_trainings: frozenset[str] | None = None
    feedback_activations: frozenset[str] | None = None
    local_rules_only: bool = False           # refuse rules with a non-local piece (Locality)
    needs_output_step: bool = False          # the engine delivers target differences: the rule must have targets
    hidden_activations: frozenset[str] | None = None
    output_activations: frozenset[str] | None = None
    profile_features: frozenset[str] | None = None
    uses_optimizers: bool = True             # the config's optimizer sections drive its learning
    why: str = ""                            # one phrase on what the engine is, for the refusals

    def refusal(self, rule: LearningRule, spec: NetworkSpec,
                profile: HardwareProfile | None) -> tuple[str, str] | None:
        """Why this engine cannot run ``rule`` on ``spec`` on a chip of ``profile``, as (problem, fix), or None
        when it can."""
        name, locality = rule.name, rule.locality
        rate = "use --engine rate"
        if self.local_rules_only and not locality.is_local:
            return f"rule {name!r} is not local ({locality.needs()})", rate
        if self.needs_output_step and rule.output_step() is None:
            return (f"rule {name!r} has no output target (its hidden layers learn from backpropagated error "
                    f"gradients), and {self.why} delivers target differences"), rate
        if rule.feedback_wiring not in self.wirings:
            return (f"rule {name!r} has feedback wiring {rule.feedback_wiring!r}, which this engine does not map (it "
                    f"maps {_listed(self.wirings)})"), f"{rate}, or a rule with one of those"
        field = rule.feedback_map_field()
        fix = lambda value: f"set {field}: {value}, or {rate}" if field.startswith("rule.") else rate  # noqa: E731
        if rule.feedback_map not in self.feedback_maps:
            return (f"rule {name!r} with a {rule.feedback_map} feedback map ({field}): {self.why} carries "
                    "differences t_i - h_i through synapses, which equal g(t) - g(h) only for a linear g"), fix("linear")
        mapped = self.feedback_activations
        if mapped is not None and not rule.feedback_activations <= mapped:
            return (f"rule {name!r} with a nonlinear feedback map of {_listed(rule.feedback_activations - mapped)} "
                    f"({field}): {self.why} realises a non-linear g(u) = s(Q u + c) only with s in {_listed(mapped)}"), \
                fix(" or ".join(self._activations_for(rule.feedback_training)) or "linear")
        trainings = self.trainings_of(rule.feedback_map)
        if rule.feedback_training not in trainings:
            other = "linear" if rule.feedback_map == "nonlinear" else "nonlinear"
            of_map = f" of a {rule.feedback_map} feedback map" if trainings != self.trainings_of(other) else ""
            better = other in self.feedback_maps and rule.feedback_training in self.trainings_of(other)
            return (f"rule {name!r} has feedback training {rule.feedback_training!r}{of_map}, which this engine does "
                    f"not map (it maps {_listed(trainings)})"), \
                (fix(other if other == "linear" else " or ".join(sorted(mapped or ("a non-linear activation",))))
                 if better else f"{rate}, or a rule with one of those")
        for field, value, mapped in (("network.activation", spec.hidden_activation, self.hidden_activations),
                                     ("network.output_activation", spec.output_activation, self.output_activations)):
            if spec.n_layers == 1 and field == "network.activation":
                continue
            if mapped is not None and value not in mapped:
                return (f"{field} {value!r} is not mapped by {self.why} (it maps {_listed(mapped)})",
                        f"set {field}: {sorted(mapped)[0]}")
        if profile is not None and self.profile_features is not None:
            for feature, field in profile.features().items():
                if feature not in self.profile_features:
                    return (f"hardware profile {profile.name!r}: {field} ({PROFILE_FEATURES[feature]}) is not "
                            f"modeled by {self.why}"), f"{rate}, or a profile without it"
        return None

    def _activations_for(self, training: str) -> list[str]:
        """The feedback activations with which a rule trained by ``training`` is mapped: linear (a linear map) and
        those of the non-linear maps."""
        linear = ["linear"] if "linear" in self.feedback_maps and training in self.trainings_of("linear") else []
        nonlinear = sorted(self.feedback_activations or ()) if training in self.trainings_of("nonlinear") else []
        return linear + nonlinear

    def trainings_of(self, feedback_map: str) -> frozenset[str]:
        """How a feedback map of kind ``feedback_map`` (none, linear, nonlinear) may be trained."""
        if feedback_map == "nonlinear" and self.nonlinear_feedback_trainings is not None:
            return self.nonlinear_feedback_trainings
        return self.feedback_trainings


def _listed(values: Collection[str]) -> str:
    return ", ".join(sorted(values))


def check_capabilities(engine: str, capabilities: EngineCapabilities, rule: LearningRule, spec: NetworkSpec,
                       profile: HardwareProfile | None) -> None:
    """Raise a one-line UnsupportedByEngine (``{engine} engine: problem; fix: ...``) for what the engine's
    declared ``capabilities`` exclude."""
    refusal = capabilities.refusal(rule, spec, profile)
    if refusal is not None:
        raise UnsupportedByEngine(engine, *refusal)
