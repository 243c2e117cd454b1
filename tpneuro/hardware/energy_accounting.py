"""Operation counts and their energy under a profile's cost table.

E = N_syn * e_syn + N_upd * e_upd + N_neu * e_neu, where a synaptic operation is a dense
multiply-accumulate (rate mode) or a synaptic event, i.e. a spike reaching one synapse (spike mode:
spikes x fan-out), the convention of SNN energy estimates that use Horowitz's (ISSCC 2014) 45 nm costs
E_MAC = 4.6 pJ and E_AC = 0.9 pJ. A category whose count is nonzero but whose cost no source gives
stays None: no number is invented.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .profile import HardwareProfile

SYNAPTIC_OP_KINDS = ("event", "mac")


@dataclass(frozen=True)
class OpCounts:
    """Counts of operations; ``synaptic_op_kind`` says whether synaptic ops are events (accumulates
    driven by spikes) or dense MACs. ``timesteps`` counts chip timesteps (spike mode)."""

    synaptic_ops: float = 0.0
    synaptic_updates: float = 0.0
    neuron_updates: float = 0.0
    timesteps: float = 0.0
    synaptic_op_kind: str = "event"

    def __post_init__(self):
        if self.synaptic_op_kind not in SYNAPTIC_OP_KINDS:
            raise ValueError(f"synaptic_op_kind must be one of {SYNAPTIC_OP_KINDS}, "
                             f"got {self.synaptic_op_kind!r}")

    def __add__(self, other: OpCounts) -> OpCounts:
        if not isinstance(other, OpCounts):
            return NotImplemented
        return OpCounts(self.synaptic_ops + other.synaptic_ops,
                        self.synaptic_updates + other.synaptic_updates,
                        self.neuron_updates + other.neuron_updates,
                        self.timesteps + other.timesteps,
                        _common_kind(self, other))

    def __mul__(self, factor: float) -> OpCounts:
        if isinstance(factor, OpCounts):
            return NotImplemented
        return replace(self, synaptic_ops=self.synaptic_ops * factor,
                       synaptic_updates=self.synaptic_updates * factor,
                       neuron_updates=self.neuron_updates * factor, timesteps=self.timesteps * factor)

    __rmul__ = __mul__


def _common_kind(a: OpCounts, b: OpCounts) -> str:
    if a.synaptic_ops == 0.0:
        return b.synaptic_op_kind
    if b.synaptic_ops == 0.0 or a.synaptic_op_kind == b.synaptic_op_kind:
        return a.synaptic_op_kind
    raise ValueError(f"cannot add {a.synaptic_op_kind!r} and {b.synaptic_op_kind!r} synaptic ops; "
                     f"they have different costs, keep them in separate OpCounts")


def count_ops_dense(layer_sizes: Sequence[int], batch: int, *,
                    spikes_per_unit: float | Sequence[float] | None = None, timesteps: int = 1,
                    include_updates: bool = False) -> OpCounts:
    """Operations of one forward pass of ``batch`` samples through dense layers n_0 -> ... -> n_L.

    Rate mode (``spikes_per_unit`` None): synaptic_ops = B * sum_i n_{i-1} n_i MACs and
    neuron_updates = B * sum_i n_i. Spike mode: each unit of layer i-1 (i = 1..L) emits
    ``spikes_per_unit`` spikes (one number, or one per sending layer 0..L-1) over ``timesteps`` steps,
    so synaptic_ops = B * sum_i s_{i-1} n_{i-1} n_i events, every neuron updates every step
    (neuron_updates = B * T * sum_i n_i) and timesteps = B * T (samples one after another).
    ``include_updates`` adds one synaptic update per weight and sample: B * sum_i n_{i-1} n_i.
    """
    sizes = np.asarray(layer_sizes, dtype=np.float64)
    if sizes.ndim != 1 or sizes.size < 2 or np.any(sizes < 1) or batch < 0 or timesteps < 1:
        raise ValueError(f"need >= 2 layer sizes >= 1, batch >= 0 and timesteps >= 1; got "
                         f"{tuple(layer_sizes)}, batch={batch}, timesteps={timesteps}")
    synapses = sizes[:-1] * sizes[1:]
    units = sizes[1:].sum()
    updates = batch * synapses.sum() if include_updates else 0.0
    if spikes_per_unit is None:
        return OpCounts(batch * synapses.sum(), updates, batch * units, 0.0, "mac")
    rates = np.asarray(spikes_per_unit, dtype=np.float64)
    if rates.ndim > 1 or (rates.ndim == 1 and rates.size != synapses.size):
        raise ValueError(f"spikes_per_unit needs one number or one per sending layer 0..L-1 "
                         f"({synapses.size} values), got {spikes_per_unit!r}")
    rates = np.broadcast_to(rates, synapses.shape)
    return OpCounts(batch * float(rates @ synapses), updates, batch * timesteps * units,
                    float(batch * timesteps), "event")


_CATEGORIES = ("synaptic_ops", "synaptic_updates", "neuron_updates")


@dataclass(frozen=True)
class EnergyReport:
    """Joules per category (None: nonzero count, no cost in the profile), their total (None when any
    category is None), and seconds = timesteps x timestep_seconds (None when unknown)."""

    profile_name: str
    counts: OpCounts
    joules_by_category: dict[str, float | None]
    joules_total: float | None
    seconds: float | None
    missing: tuple[str, ...]

    def describe(self) -> str:
        lines = [f"energy under profile {self.profile_name!r}:"]
        for category, joules in self.joules_by_category.items():
            count = getattr(self.counts, category)
            shown = "unknown (no cost in the profile)" if joules is None else f"{joules:.4g} J"
            lines.append(f"  {category:<17} {count:>12.4g} ops  {shown}")
        total = "unknown" if self.joules_total is None else f"{self.joules_total:.4g} J"
        seconds = "unknown" if self.seconds is None else f"{self.seconds:.4g} s"
        lines.append(f"  total {total}; time {seconds}")
        return "\n".join(lines)


def energy_report(profile: HardwareProfile, counts: OpCounts) -> EnergyReport:
    """Operation counts priced by a profile's cost table.

    A MAC is priced by ``mac_joules``, an event by ``synaptic_op_joules``; zero operations cost 0 J even without a
    known cost.

    Parameters
    ----------
    profile : HardwareProfile
        The chip's costs.
    counts : OpCounts
        Synaptic operations, synaptic updates, neuron updates and timesteps.

    Returns
    -------
    EnergyReport
        Joules per category and in total (None where a cost that occurs is unknown, with the missing categories).
    """
    costs = profile.energy
    synaptic = costs.mac_joules if counts.synaptic_op_kind == "mac" else costs.synaptic_op_joules
    per_op = {"synaptic_ops": synaptic, "synaptic_updates": costs.synaptic_update_joules,
              "neuron_updates": costs.neuron_update_joules}
    joules: dict[str, float | None] = {}
    for category in _CATEGORIES:
        count, cost = getattr(counts, category), per_op[category]
        joules[category] = 0.0 if count == 0.0 else (None if cost is None else count * cost.value)
    missing = tuple(c for c in _CATEGORIES if joules[c] is None)
    total = None if missing else sum(joules.values())
    step = costs.timestep_seconds
    seconds = None if step is None or counts.timesteps == 0.0 else counts.timesteps * step.value
    return EnergyReport(profile.name, counts, joules, total, seconds, missing)
