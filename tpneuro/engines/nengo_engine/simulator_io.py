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
    """Set every learned weight of the running model to the given parameters (feedback parameters into every
    connection that holds them, net.feedback_parameters); fixed ones (a frozen hidden layer's) are built in."""
    for i, (w, b) in enumerate(zip(net.forward_connections, net.bias_connections), start=1):
        if w.learning_rule_type is not None:
            _weights(sim, w)[...] = forward[weight_key(i)]
            _weights(sim, b)[...] = forward[bias_key(i)][:, None]
    for key, conn in net.feedback_parameters:
        if conn.learning_rule_type is not None:
            q = feedback[key]
            _weights(sim, conn)[...] = np.hstack([q, -q])
    for link, synapses in net.feedback_synapses:
        synapses.load(feedback[link.key], feedback[f"c{link.matrix}"])


def read_params(sim: nengo.Simulator, net: nengo.Network, forward: Params, feedback: Params) -> None:
    """Copy the running model's learned weights into the given parameter dicts (in place, keeping dtypes)."""
    for i, (w, b) in enumerate(zip(net.forward_connections, net.bias_connections), start=1):
        if w.learning_rule_type is not None:
            forward[weight_key(i)] = _weights(sim, w).astype(forward[weight_key(i)].dtype)
            forward[bias_key(i)] = _weights(sim, b)[:, 0].astype(forward[bias_key(i)].dtype)
    for key, conn in net.feedback_parameters:
        if conn.learning_rule_type is not None:
            pair = _weights(sim, conn)
            feedback[key] = pair[:, :pair.shape[1] // 2].astype(feedback[key].dtype)
    for link, synapses in net.feedback_synapses:
        if synapses.scale is not None:      # F+'s weights (F-'s learn the same)
            feedback[link.key] = synapses.q[0].astype(feedback[link.key].dtype)
            feedback[f"c{link.matrix}"] = synapses.c[0].astype(feedback[f"c{link.matrix}"].dtype)


def copy_neuron_state(sim: nengo.Simulator, source: nengo.Ensemble, target: nengo.Ensemble) -> None:
    """Give every neuron of ``target`` the membrane voltage and refractory time of its partner in ``source``
    (the same index; ensembles of one size of LIF neurons)."""
    for state in ("voltage", "refractory_time"):
        sim.signals[sim.model.sig[target.neurons][state]][...] = sim.signals[sim.model.sig[source.neurons][state]]


def forward_weights(sim: nengo.Simulator, net: nengo.Network, layer: int) -> np.ndarray:
    """The running model's W_layer (a read-only view; layer 1..L)."""
    view = _weights(sim, net.forward_connections[layer - 1]).view()
    view.setflags(write=False)
    return view


def take_reconstruction_totals(sim: nengo.Simulator, net: nengo.Network) -> list[np.ndarray]:
    """Per trained feedback matrix, the totals of its rule since the last call: [sum of mean(err^2), sum of
    mean(u^2), gated steps] of the noise reconstruction rule, [sum of err^2, number of terms, gated steps] of a
    feedback population's layer reconstruction (feedback_populations.FeedbackSynapses)."""
    out = []
    for _, conn in net.feedback_parameters:
        if conn.learning_rule_type is not None:
            totals = sim.signals[sim.model.sig[conn.learning_rule]["totals"]]
            out.append(totals.copy())
            totals[...] = 0.0
    return out + [synapses.take_totals() for _, synapses in net.feedback_synapses if synapses.scale is not None]
