"""A trained run as a nengo.Network for nengo users: ``network_from_run(run_dir)`` and its pickle.

The network is :func:`build_nengo_network` of the run's checkpoint (weights W_i, b_i, Q_i as the initial
transforms, the engine options of the run's config), with one probe added, ``net.output_probe``: the output
readout r_L low-passed by ``readout_synapse``, the signal whose mean over a free phase is the engine's
``predict``. Driving it (inputs, phases, errors) goes through ``net.presentation`` as in the engine::

    import pickle, nengo, numpy as np
    net = pickle.load(open("network.pkl", "rb"))        # tpneuro must be importable (node functions)
    net.presentation.x[:] = x                           # one input in [0, 1]^n_0
    with nengo.Simulator(net) as sim:
        sim.run(net.options.settle + net.options.average)
    n = net.options.steps(net.options.average)
    logits = sim.data[net.output_probe][-n:].mean(axis=0)

Learning stays in the network: set ``net.presentation.phase`` / ``label`` as runtime.py does to train on.
A run trained on a chip exports its weights as stored (on the grid) with float plasticity: the checkpoint
keeps the weights, not the chip's calibrated ranges.
"""
from __future__ import annotations

import pickle
from pathlib import Path

import nengo

from ..engines.nengo_engine import NengoEngine, NengoOptions, build_nengo_network
from ..runs import load_run


def network_from_run(run_dir: str | Path, seed: int = 0) -> nengo.Network:
    """The nengo.Network of ``run_dir``'s checkpoint with ``net.options`` and ``net.output_probe`` (see the
    module docstring); options come from the config's ``engine_options``. A run the nengo engine cannot map (a
    rule without a linear direct feedback pathway, such as BP or DTP; a non-LIF network) is refused in one line."""
    run = load_run(run_dir)
    NengoEngine.check_run(run.state.rule, run.state.spec, None)
    options = run.plan.engine_options if isinstance(run.plan.engine_options, NengoOptions) else NengoOptions()
    net = build_nengo_network(run.state, options, seed=seed)
    net.options = options
    with net:
        net.output_probe = nengo.Probe(net.readout, synapse=nengo.Lowpass(options.readout_synapse),
                                       label="output r_L")
    return net


def export_network(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Pickle :func:`network_from_run` to ``out`` (default RUN_DIR/nengo_network.pkl); returns the path."""
    path = Path(out) if out is not None else Path(run_dir) / "nengo_network.pkl"
    net = network_from_run(run_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(net, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path
