"""What a spiking engine counts of one call and in total (the ``last_counts`` and ``totals`` of
tpneuro.engines.protocol.SpikingEngine): samples, simulated and wall seconds, and spikes and synaptic events
(spikes x fan-out) per population of the spiking mapping (DESIGN.md section 4)."""
from __future__ import annotations

from collections.abc import Sequence


def call_counts(layer_sizes: Sequence[int], spikes: dict[str, int], n_samples: int, simulated_seconds: float) -> dict:
    """One call's counts from its spikes per population. Fan-out of the mapping: an input neuron reaches layer
    1, a hidden neuron of layer i reaches layer i + 1 (the readout for the last), an ON/OFF error neuron reaches
    the apical compartments of every hidden layer and the error readout (sum of hidden sizes + 1)."""
    sizes = layer_sizes
    fan_out = {"input": sizes[1], "error": sum(sizes[1:-1]) + 1}
    fan_out.update({f"layer {i}": sizes[i + 1] for i in range(1, len(sizes) - 1)})
    return {"samples": n_samples, "simulated_seconds": simulated_seconds, "spikes": dict(spikes),
            "fan_out": fan_out, "synaptic_events": {name: n * fan_out[name] for name, n in spikes.items()}}


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
