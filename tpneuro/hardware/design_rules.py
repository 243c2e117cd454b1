"""Design-rule check: does a dense network n_0 -> n_1 -> ... -> n_L fit a profile's chip limits?

Each rule compares one required resource with the profile's sourced limit, per layer (layer i in 1..L,
layer 0 the input) or for the whole network, in the spirit of Rockpool's Xylo design-rule check.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import TpneuroError
from .profile import HardwareProfile, Sourced


@dataclass(frozen=True)
class DesignRuleViolation:
    """One broken rule: what the network needs, what the chip allows, and where the limit comes from."""

    rule: str
    layer: int | None
    required: float
    limit: float
    source: str
    message: str


class HardwareDesignRuleError(TpneuroError):
    """A network does not fit the chip of a hardware profile; ``violations`` lists every broken rule."""

    def __init__(self, profile_name: str, violations: Sequence[DesignRuleViolation]):
        self.violations = tuple(violations)
        others = [v.rule for v in self.violations[1:]]
        more = f" (and {len(others)} more: {', '.join(others)})" if others else ""
        super().__init__(f"profile {profile_name!r}: {self.violations[0].message}{more}")


def check_design_rules(profile: HardwareProfile, layer_sizes: Sequence[int], *, report_only: bool = False,
                       feedback: bool = False, learning_on_chip: bool = False) -> list[DesignRuleViolation]:
    """Every violation of a profile's limits by a network.

    Parameters
    ----------
    profile : HardwareProfile
        The chip.
    layer_sizes : sequence of int
        (n_0, ..., n_L).
    report_only : bool
        Return the violations instead of raising on the first.
    feedback : bool
        Count feedback connections from layer i+1 into layer i as extra inputs and synapses (target
        propagation's feedback pathway on chip).
    learning_on_chip : bool
        Also check that the chip can train every layer itself.

    Returns
    -------
    list of DesignRuleViolation
        Every violation, with the rule, the layer and the source of the limit.

    Raises
    ------
    HardwareDesignRuleError
        Naming the first rule and layer, unless ``report_only``.
    """
    sizes = tuple(int(n) for n in layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs an input and at least one layer, all >= 1; got {sizes}")
    network = _Network(sizes, profile, feedback)
    violations = [v for rule in _RULES for v in rule(network)]
    if learning_on_chip:
        violations += _on_chip_learning(network)
    if violations and not report_only:
        raise HardwareDesignRuleError(profile.name, violations)
    return violations


@dataclass(frozen=True)
class _Network:
    sizes: tuple[int, ...]
    profile: HardwareProfile
    feedback: bool

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def fan_in(self, i: int) -> int:
        back = self.sizes[i + 1] if self.feedback and i < self.n_layers else 0
        return self.sizes[i - 1] + back

    def weight_bits_per_unit(self, i: int) -> int | None:
        """Stored weight bits of one unit of layer i (forward inputs, plus feedback inputs)."""
        forward, backward = self.profile.weights_for("forward"), self.profile.weights_for("feedback")
        if forward is None:
            return None
        bits = self.sizes[i - 1] * forward.bits.value
        if self.feedback and i < self.n_layers:
            bits += self.sizes[i + 1] * (backward or forward).bits.value
        return bits

    def synapses(self) -> int:
        forward = sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        return forward + (sum(a * b for a, b in zip(self.sizes[1:-1], self.sizes[2:])) if self.feedback else 0)


def _violation(rule: str, layer: int | None, required: float, limit: Sourced, what: str,
               fix: str) -> DesignRuleViolation:
    where = f"layer {layer}" if layer is not None else "the whole network"
    message = (f"design rule {rule} broken at {where}: {what} {required:g} > {limit.value:g}; fix: {fix}")
    return DesignRuleViolation(rule, layer, required, limit.value, limit.source, message)


def _fan_in(net: _Network) -> list[DesignRuleViolation]:
    limit = net.profile.limits.fan_in_max
    if limit is None:
        return []
    return [_violation("fan_in_max", i, net.fan_in(i), limit, "inputs per unit",
                       f"give layer {i} fewer inputs (a smaller layer {i - 1})")
            for i in range(1, net.n_layers + 1) if net.fan_in(i) > limit.value]


def _layer_size(rule: str, layer_of: str, what: str, fix: str):
    def check(net: _Network) -> list[DesignRuleViolation]:
        limit = getattr(net.profile.limits, rule)
        layer = 0 if layer_of == "input" else net.n_layers
        if limit is None or net.sizes[layer] <= limit.value:
            return []
        return [_violation(rule, layer, net.sizes[layer], limit, what, fix)]
    return check


def _network_total(rule: str, count, what: str, fix: str):
    def check(net: _Network) -> list[DesignRuleViolation]:
        limit, required = getattr(net.profile.limits, rule), count(net)
        if limit is None or required <= limit.value:
            return []
        return [_violation(rule, None, required, limit, what, fix)]
    return check


def _weight_memory(net: _Network) -> list[DesignRuleViolation]:
    limit = net.profile.limits.weight_memory_bits_per_core
    if limit is None:
        return []
    return [_violation("weight_memory_bits_per_core", i, net.weight_bits_per_unit(i), limit,
                       "weight bits of one unit", "use fewer inputs per unit or fewer weight bits")
            for i in range(1, net.n_layers + 1)
            if (net.weight_bits_per_unit(i) or 0) > limit.value]


def _units_per_core(net: _Network, i: int) -> float:
    """How many units of layer i fit on one core: the neuron limit and the weight memory limit."""
    limits = net.profile.limits
    by_neurons = limits.neurons_per_core.value if limits.neurons_per_core is not None else math.inf
    bits = net.weight_bits_per_unit(i)
    memory = limits.weight_memory_bits_per_core
    by_memory = memory.value // bits if memory is not None and bits else math.inf
    return min(by_neurons, by_memory)


def _cores(net: _Network) -> list[DesignRuleViolation]:
    limit = net.profile.limits.cores
    per_core = [_units_per_core(net, i) for i in range(1, net.n_layers + 1)]
    if limit is None or any(p == 0 for p in per_core) or all(math.isinf(p) for p in per_core):
        return []
    required = sum(math.ceil(n / p) for n, p in zip(net.sizes[1:], per_core) if not math.isinf(p))
    if required <= limit.value:
        return []
    return [_violation("cores", None, required, limit, "cores needed", "use smaller layers")]


def _on_chip_learning(net: _Network) -> list[DesignRuleViolation]:
    updates = net.profile.updates_for("forward")
    if updates is None or updates.on_chip_learning.value == "all":
        return []
    fix = "train off chip (chip in the loop) or choose a profile that learns on chip"
    if updates.on_chip_learning.value == "none":
        return [DesignRuleViolation("on_chip_learning", None, 1, 0, updates.on_chip_learning.source,
                                    f"design rule on_chip_learning broken at the whole network: the chip "
                                    f"has no on-chip learning; fix: {fix}")]
    return [DesignRuleViolation("on_chip_learning", i, 1, 0, updates.on_chip_learning.source,
                                f"design rule on_chip_learning broken at layer {i}: the chip learns on chip "
                                f"only in its last layer; fix: {fix}")
            for i in range(1, net.n_layers)]


_RULES = (
    _fan_in,
    _layer_size("input_units_max", "input", "input units", "reduce the input dimension"),
    _layer_size("output_units_max", "output", "output units", "use fewer output units"),
    _network_total("hidden_units_max", lambda net: sum(net.sizes[1:-1]), "hidden units",
                   "use smaller hidden layers"),
    _network_total("neurons_max", lambda net: sum(net.sizes[1:]), "units", "use smaller layers"),
    _network_total("synapses_max", _Network.synapses, "synapses", "use smaller layers"),
    _weight_memory,
    _cores,
)
