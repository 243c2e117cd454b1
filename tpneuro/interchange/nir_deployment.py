"""Deploy a NIR graph onto modeled chips: design rules, weight grid, mismatch, noise, accuracy and energy.

Two kinds of graph:

- written by tpneuro (``metadata["tpneuro"]``): its Affine weights are mapped back to W_i, b_i
  (tpneuro.interchange.nir_import.tpneuro_weights) and deployed exactly as ``tpneuro evaluate RUN --hardware``
  deploys a run (tpneuro.runs.chip_evaluation, the rate engine with the chip's units, mismatch and noise), so
  a run and its exported graph give the same accuracy on every profile; the energy is the run's per inference
  (a graph does not say how it was trained);
- written elsewhere (snnTorch, Spyx, ...): simulated step by step (tpneuro.interchange.nir_simulation) with
  every Affine/Linear weight stored on the chip's grid (calibrated per layer to the graph's weights), the gain
  mismatch as spike amplitudes, offsets and activity noise as currents into the next layer (activity unit:
  spikes per step; tpneuro.engines.nengo_engine.chip_noise), and energy from the counted events. Stochastic,
  sign and quantized units are refused: the graph's neurons are the units.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import validate_config
from ..data import DataSplits, load_dataset
from ..engines.train_state import TrainState
from ..errors import ConfigError
from ..hardware import (ChipInstance, OpCounts, calibrated_to, check_design_rules, computation_changes, energy_report,
                        load_profile, place_on_grid)
from ..runs import build_state
from ..runs.chip_evaluation import Deployment, deploy_state
from ..training.energy_summary import energy_summary
from .nir_import import NirNetwork, read_nir, tpneuro_weights
from .nir_mapping import regular_spike_trains
from .nir_simulation import SimulationResult, simulate

DATASET_BY_INPUT_SIZE = {64: "digits", 784: "fashion_mnist"}
INPUT_ENCODINGS = ("regular", "current")


def dataset_for(net: NirNetwork, name: str | None = None, path: str | None = None,
                test_subset: int | None = None) -> DataSplits:
    """The dataset ``name`` (default: digits for 64 inputs, fashion_mnist for 784), checked against the
    graph's input and output sizes."""
    n_in, n_out = net.layer_sizes[0], net.layer_sizes[-1]
    if name is None:
        if n_in not in DATASET_BY_INPUT_SIZE:
            raise ConfigError(net.source, "input", f"{n_in} inputs match no embedded dataset",
                              "name one with --dataset (digits: 64 inputs, fashion_mnist/mnist: 784)")
        name = DATASET_BY_INPUT_SIZE[n_in]
    data = load_dataset(name, path=path, test_subset=test_subset, source="--dataset")
    if data.input_size != n_in or data.n_classes != n_out:
        raise ConfigError(net.source, "input/output", f"the graph maps {n_in} inputs to {n_out} outputs, dataset "
                          f"{name!r} has {data.input_size} inputs and {data.n_classes} classes",
                          "choose a dataset of the graph's sizes")
    return data


def _graph_config(net: NirNetwork, data: DataSplits):
    """The config of a network with the graph's layer sizes and tpneuro's LIF rate curve (soft_lif) on ``data``;
    the rule (bp) and optimizer only make it complete: a graph holds no training."""
    return validate_config({"name": Path(net.source).stem, "dataset": {"name": data.name},
                            "network": {"hidden": list(net.layer_sizes[1:-1]), "activation": "soft_lif",
                                        "output_activation": "linear"},
                            "rule": {"name": "bp"}, "optimizer": {"lr": 1e-3}}, source=net.source)


def trained_state(net: NirNetwork, data: DataSplits) -> TrainState:
    """The TrainState (soft_lif) holding the W_i, b_i of a graph tpneuro wrote."""
    state = build_state(_graph_config(net, data), data.input_size, data.n_classes, np.random.default_rng(0),
                        net.source)
    for key, value in tpneuro_weights(net).items():
        state.forward_params[key] = value.astype(state.forward_params[key].dtype)
    return state


def _deploy_tpneuro_graph(net: NirNetwork, data: DataSplits, profile_name: str, chips: int, report_only: bool,
                          passes: int) -> Deployment:
    profile, cfg = load_profile(profile_name), _graph_config(net, data)
    state = trained_state(net, data)
    violations = check_design_rules(profile, state.spec.layer_sizes, report_only=report_only)
    return deploy_state(state, profile, chips, data.x_test, data.y_test, passes=passes,
                        energy=energy_summary(cfg, state, profile, training=False), violations=violations)


def input_drive(x: np.ndarray, steps: int, dt: float, encoding: str) -> np.ndarray:
    """What the graph's Input node receives at each of ``steps`` steps: ``regular`` spike trains
    (tpneuro.interchange.regular_spike_trains) or the ``current`` x itself every step."""
    if encoding == "regular":
        return regular_spike_trains(x, steps, dt)
    if encoding == "current":
        return np.broadcast_to(np.asarray(x, dtype=np.float64), (steps,) + np.shape(x))
    raise ConfigError("--input-encoding", "input_encoding", f"unknown encoding {encoding!r}",
                      f"use one of {', '.join(INPUT_ENCODINGS)}")


def run_settings(net: NirNetwork, steps: int | None, readout_steps: int | None, dt: float | None,
                 input_encoding: str | None) -> tuple[int, int, float, str]:
    """(steps, readout_steps, dt, encoding): tpneuro's metadata for a graph it wrote, else the arguments
    (dt also from tau / r of the graph's neurons; readout over all steps; encoding ``current``)."""
    mapping = net.mapping()
    if mapping is not None:
        return (steps or mapping.steps, readout_steps or mapping.readout_steps, dt or mapping.dt,
                input_encoding or "regular")
    dt = dt if dt is not None else net.dt()
    if dt is None:
        raise ConfigError(net.source, "dt", "the graph does not say its time step (no tpneuro metadata, and "
                          "tau / r differs between its neurons)", "give it with --dt")
    if steps is None:
        raise ConfigError(net.source, "steps", "the graph does not say how many steps to run",
                          "give them with --steps")
    return steps, readout_steps or steps, dt, input_encoding or "current"


def predict_nir(net: NirNetwork, x: np.ndarray, *, steps: int | None = None, readout_steps: int | None = None,
                dt: float | None = None, input_encoding: str | None = None, batch_size: int = 512,
                **chip_inputs) -> SimulationResult:
    """Simulate ``net`` on the rows of ``x`` (tpneuro.interchange.nir_simulation; settings as run_settings)."""
    steps, readout_steps, dt, encoding = run_settings(net, steps, readout_steps, dt, input_encoding)
    parts = []
    for s in range(0, len(x), batch_size):
        rows = slice(s, s + batch_size)
        currents = chip_inputs.get("currents")
        parts.append(simulate(net, input_drive(x[rows], steps, dt, encoding), dt, readout_steps,
                              amplitudes=chip_inputs.get("amplitudes"),
                              currents=None if currents is None else [None if c is None else c[rows] for c in currents]))
    return SimulationResult(np.concatenate([p.output for p in parts]),
                            [None if parts[0].spikes[i] is None else np.concatenate([p.spikes[i] for p in parts])
                             for i in range(len(parts[0].spikes))],
                            np.concatenate([p.input_events for p in parts]))


def _chip_inputs(chip: ChipInstance, net: NirNetwork, batch: int, rng: np.random.Generator) -> dict:
    """Spike amplitudes (gain mismatch) and per-sample currents (offsets + noise) of ``chip`` for ``net``."""
    unit_kind = chip.profile.units.kind.value
    if unit_kind != "deterministic":
        raise ConfigError(chip.profile.name, "units.kind", f"{unit_kind!r} units cannot replace the graph's own "
                          "spiking neurons", "deploy on a profile with deterministic units")
    L, sigma = len(net.dense), chip.profile.noise.activity_sigma.value
    amplitudes, deviations = [], []
    for i in range(1, L + 1):
        gain, offset = chip.mismatch.layer(i)
        amplitudes.append(gain)
        d = sigma * rng.standard_normal((batch, net.layer_sizes[i])) if sigma > 0.0 else None
        if offset is not None:
            d = offset if d is None else d + offset
        deviations.append(d)
    currents = [None] + [None if deviations[i - 2] is None else deviations[i - 2] @ net.dense[i - 1].weight.T
                         for i in range(2, L + 1)]
    if deviations[-1] is not None and net.neurons[-1] is None:
        currents[-1] = deviations[-1] if currents[-1] is None else currents[-1] + deviations[-1]
    return {"amplitudes": amplitudes, "currents": currents}


def _simulated_energy(profile, net: NirNetwork, result: SimulationResult, steps: int) -> dict:
    """Synaptic events (each spike reaches every neuron of the next layer; a graded input counts as one event
    per nonzero input and step), neuron updates (every neuron every step) and their joules per inference."""
    sizes = net.layer_sizes
    events = result.input_events.mean() * sizes[1]
    for i, s in enumerate(result.spikes[:-1], start=1):
        events += s.sum(axis=1).mean() * sizes[i + 1]
    counts = OpCounts(synaptic_ops=float(events), neuron_updates=float(sum(sizes[1:]) * steps),
                      timesteps=float(steps), synaptic_op_kind="event")
    report = energy_report(profile, counts)
    out = {"synaptic_ops_per_inference": counts.synaptic_ops, "neuron_updates_per_inference": counts.neuron_updates,
           "timesteps_per_inference": steps, "joules_per_inference": report.joules_total,
           "energy_convention": "synaptic events counted in the simulation"}
    if report.missing:
        out["joules_per_inference_lower_bound"] = sum(j for j in report.joules_by_category.values() if j is not None)
        out["energy_missing_costs"] = list(report.missing)
    return out


def deploy_nir(graph: str | Path | NirNetwork, profile_name: str, chips: int = 5, *, dataset: str | None = None,
               dataset_path: str | None = None, test_subset: int | None = None, steps: int | None = None,
               readout_steps: int | None = None, dt: float | None = None, input_encoding: str | None = None,
               report_only: bool = False, passes: int = 1) -> Deployment:
    """Test accuracy and energy of a NIR graph on ``chips`` instances (seeds 0..chips-1) of a profile.

    Parameters
    ----------
    graph : str, Path or NirNetwork
        A .nir file (read with tpneuro.interchange.read_nir) or a network read already.
    profile_name : str
        A hardware profile name or YAML path (``tpneuro profiles``).
    dataset, dataset_path, test_subset
        The test set (default by input size: 64 -> digits, 784 -> fashion_mnist).
    steps, readout_steps, dt, input_encoding
        Simulation of a graph written elsewhere (see run_settings); ignored for tpneuro's graphs.
    report_only : bool
        List design-rule violations instead of refusing the network.
    passes : int
        Stochastic passes averaged per test input (a graph tpneuro wrote, on a profile with stochastic units).
    """
    net = graph if isinstance(graph, NirNetwork) else read_nir(graph)
    data = dataset_for(net, dataset, dataset_path, test_subset)
    if net.mapping() is not None:
        return _deploy_tpneuro_graph(net, data, profile_name, chips, report_only, passes)
    if passes != 1:
        raise ConfigError(net.source, "passes", f"{passes} passes: a graph from elsewhere runs deterministic "
                          "neurons, every pass would be the same", "deploy it with one pass")
    if chips < 1:
        raise ConfigError(net.source, "chips", f"{chips} chip instances", "deploy onto at least one")
    profile = load_profile(profile_name)
    violations = check_design_rules(profile, net.layer_sizes, report_only=report_only)
    steps, readout_steps, dt, encoding = run_settings(net, steps, readout_steps, dt, input_encoding)
    settings = {"steps": steps, "readout_steps": readout_steps, "dt": dt, "input_encoding": encoding}
    accuracy = lambda result: float(np.mean(result.output.argmax(axis=1) == data.y_test))   # noqa: E731
    unchipped = predict_nir(net, data.x_test, **settings)
    accs, result = [], unchipped
    for seed in range(chips):
        chip = ChipInstance(profile, net.layer_sizes, seed)
        if not chip.is_ideal:
            rng = np.random.default_rng(seed)
            weights = {d.name: d.weight.copy() for d in net.dense}
            layers = {d.name: i for i, d in enumerate(net.dense, start=1)}
            chip = calibrated_to(chip, weights, layers, "forward")
            place_on_grid(chip, weights, layers, "forward", rng)
            chip_net = net.with_weights([weights[d.name] for d in net.dense])
            result = predict_nir(chip_net, data.x_test, **settings, **_chip_inputs(chip, net, len(data.x_test), rng))
        accs.append(accuracy(result))
    return Deployment(profile.name, accs, _simulated_energy(profile, net, result, steps), [str(v) for v in violations],
                      accuracy(unchipped), computation_changes(profile))
