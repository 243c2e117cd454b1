"""A spiking engine's running totals of what it simulated (the ``totals`` of
tpneuro.engines.protocol.SpikingEngine): per kind of call (train, feedback, inference, probe) the samples,
simulated and wall seconds, and spikes and synaptic events per population."""
from __future__ import annotations


def add_call_counts(totals: dict[str, dict], kind: str, counts: dict) -> None:
    """Add one call's ``counts`` ({samples, simulated_seconds, wall_seconds, spikes: {population: n},
    synaptic_events: {population: n}}) to ``totals[kind]``."""
    total = totals.setdefault(kind, {"samples": 0, "simulated_seconds": 0.0, "wall_seconds": 0.0,
                                     "spikes": {}, "synaptic_events": {}})
    for key in ("samples", "simulated_seconds", "wall_seconds"):
        total[key] += counts[key]
    for key in ("spikes", "synaptic_events"):
        for name, n in counts[key].items():
            total[key][name] = total[key].get(name, 0) + n
