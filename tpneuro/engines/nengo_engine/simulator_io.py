"""Moving learned parameters between a TrainState and a running simulator.

The network and its learning rules only use nengo's documented build API; this module is the one place that
touches a simulator's signal store (``Simulator.signals`` indexed by ``Simulator.model.sig``, as the reference
simulator exposes them) to write a state's weights in before a call and read the learned ones back after it.
"""
from __future__ import annotations

import numpy as np
import nengo

from ...network.weights import Params, bias_key, weight_key


def _weights(sim: nengo.Simulator, conn: nengo.Connection) -> np.ndarray:
    return sim.signals[sim.model.sig[conn]["weights"]]


def write_params(sim: nengo.Simulator, net: nengo.Network, forward: Params, feedback: Params) -> None:
    """Set every learned weight of the running model to the given parameters (Q_i as the pair [Q_i, -Q_i]); fixed
    ones (a frozen hidden layer's) are built in."""
    for i, (w, b) in enumerate(zip(net.forward_connections, net.bias_connections), start=1):
        if w.learning_rule_type is not None:
            _weights(sim, w)[...] = forward[weight_key(i)]
            _weights(sim, b)[...] = forward[bias_key(i)][:, None]
    for i, conn in enumerate(net.feedback_connections, start=1):
        if conn.learning_rule_type is not None:
            q = feedback[f"Q{i}"]
            _weights(sim, conn)[...] = np.hstack([q, -q])


def read_params(sim: nengo.Simulator, net: nengo.Network, forward: Params, feedback: Params) -> None:
    """Copy the running model's learned weights into the given parameter dicts (in place, keeping dtypes)."""
    for i, (w, b) in enumerate(zip(net.forward_connections, net.bias_connections), start=1):
        if w.learning_rule_type is not None:
            forward[weight_key(i)] = _weights(sim, w).astype(forward[weight_key(i)].dtype)
            forward[bias_key(i)] = _weights(sim, b)[:, 0].astype(forward[bias_key(i)].dtype)
    for i, conn in enumerate(net.feedback_connections, start=1):
        if conn.learning_rule_type is not None:
            pair = _weights(sim, conn)
            feedback[f"Q{i}"] = pair[:, :pair.shape[1] // 2].astype(feedback[f"Q{i}"].dtype)


def forward_weights(sim: nengo.Simulator, net: nengo.Network, layer: int) -> np.ndarray:
    """The running model's W_layer (a read-only view; layer 1..L)."""
    view = _weights(sim, net.forward_connections[layer - 1]).view()
    view.setflags(write=False)
    return view


def take_reconstruction_totals(sim: nengo.Simulator, net: nengo.Network) -> list[np.ndarray]:
    """Per trained feedback connection: [sum of mean(err^2), sum of mean(u^2), gated steps], then reset to 0."""
    out = []
    for conn in net.feedback_connections:
        if conn.learning_rule_type is not None:
            totals = sim.signals[sim.model.sig[conn.learning_rule]["totals"]]
            out.append(totals.copy())
            totals[...] = 0.0
    return out
