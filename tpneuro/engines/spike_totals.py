"""What a spiking engine counts of one call and in total (the ``last_counts`` and ``totals`` of
tpneuro.engines.protocol.SpikingEngine): samples, simulated and wall seconds, and spikes and synaptic events
(spikes x fan-out) per population of the spiking mapping (DESIGN.md section 4)."""
from __future__ import annotations

from collections.abc import Sequence

from .spiking_schedule import FeedbackLink


def call_counts(layer_sizes: Sequence[int], spikes: dict[str, int], n_samples: int, simulated_seconds: float,
                links: Sequence[FeedbackLink], difference_correction: bool = True) -> dict:
    """One call's counts from its spikes per population. Fan-out of the mapping: an input neuron reaches layer
    1, a hidden neuron of layer i reaches layer i + 1 (the readout for the last), an ON/OFF coder of layer j's
    difference (``error`` for the output, ``difference j`` below it) reaches the apical compartments of every
    hidden layer its feedback ``links`` deliver to (for a non-linear link: the units of its F+ population), and
    the output error's coders the readout's as well (+ 1). A non-linear link l <- m adds its populations
    ``feedback l+`` and (DTP, ``difference_correction``) ``feedback l-``, whose neurons reach one apical
    compartment each; layer m's neurons reach the units of both, and layer l's the unit each teaches."""
    sizes, L = layer_sizes, len(layer_sizes) - 1
    fan_out = {"input": sizes[1], "error": 1}
    fan_out.update({f"layer {i}": sizes[i + 1] for i in range(1, L)})
    copies = 2 if difference_correction else 1
    for link in links:
        name = "error" if link.source == L else f"difference {link.source}"
        fan_out[name] = fan_out.get(name, 0) + sizes[link.layer]
        if link.nonlinear:
            if link.source < L:
                fan_out[f"layer {link.source}"] += copies * sizes[link.layer]
            fan_out[f"layer {link.layer}"] += copies
            fan_out.update({f"feedback {link.layer}{sign}": 1 for sign in "+-"[:copies]})
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
