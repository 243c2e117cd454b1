"""A trained tpneuro network as a NIR graph (Pedersen et al. 2024, Nat. Commun. 15:8122) for snnTorch, Spyx,
Norse, Sinabs, Rockpool, Lava and the other tools that read NIR.

The graph is the inference path, ``input -> fc1 -> lif1 -> ... -> fcL -> output``: Affine and CubaLIF nodes
written by tpneuro.interchange.nir_mapping (time constants, threshold and dt of the engine that ran, or, for a
rate-engine run, of the brian2 engine that its soft_lif activation stands for). Feedback weights (Q_i, B_i) do
not take part in inference and are not written. ``graph.metadata`` holds flat keys (``producer``, ``dt``,
``steps``, ``readout_steps``, ``input_encoding``, ``readout``, ``note``) and ``tpneuro``, a JSON string with
the mapping, the engine and neuron model, the rule, and for a run trained on a chip its profile, its weight
format and each layer's grid step (the weights are written as the chip stores them).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..engines import engine_settings, get_engine_class
from ..engines.train_state import TrainState
from ..errors import ConfigError
from ..network.weights import bias_key, weight_key
from ..runs import LoadedRun, build_state, load_run
from ..runs.assembly import RNG_STREAMS
from ..runs.chip_setup import chip_instance, chip_seed
from .nir_import import TPNEURO_PRODUCER
from .nir_mapping import RATE_RUN_ENGINE, SpikingMapping, engine_differences

INPUT_ENCODING = ("regular: input j fires regularly at max(x_j, 0) / refractory_period Hz (v += x dt / "
                  "refractory_period, spike when v > 1, v -= 1; tpneuro.interchange.regular_spike_trains)")
READOUT = "argmax over classes of the mean output over the last readout_steps of steps"


def _check_exportable(state: TrainState, source: str) -> None:
    spec = state.spec
    if spec.n_layers > 1 and spec.hidden_activation != "soft_lif":
        raise ConfigError(source, "network.activation", f"{spec.hidden_activation!r} has no spiking LIF counterpart "
                          "to write as NIR neurons", "train with network.activation: soft_lif (the LIF rate curve)")
    if spec.output_activation != "linear":
        raise ConfigError(source, "network.output_activation", f"{spec.output_activation!r}: the NIR readout is "
                          "the output layer's synaptic current", "train with network.output_activation: linear")


def _chip_record(run: LoadedRun) -> dict | None:
    """Profile, weight format and per-layer grid steps of the chip a run trained on (None without one).

    The grid is the one the run was assembled with (tpneuro.runs.assembly.assemble): the chip of the plan's
    profile with the run's chip seed, calibrated to the initial weights drawn from the ``init`` stream."""
    cfg, profile = run.cfg, run.plan.profile
    if profile is None:
        return None
    init_rng = np.random.default_rng(np.random.SeedSequence(cfg.seed).spawn(len(RNG_STREAMS))[RNG_STREAMS.index("init")])
    initial = build_state(cfg, run.data.input_size, run.data.n_classes, init_rng, run.source)
    chip = chip_instance(profile, initial, chip_seed(cfg))
    record = {"hardware_profile": profile.name, "weight_format": None, "weight_steps": None}
    fmt = profile.weights
    if chip is None or fmt is None:
        return record
    record["weight_format"] = {name: getattr(fmt, name).value for name in ("bits", "sign", "rounding", "scale")}
    grids = [chip.weight_grid(i) for i in range(1, run.state.spec.n_layers + 1)]
    record["weight_steps"] = [None if g is None else g.step for g in grids]
    for i, g in enumerate(grids, start=1):
        if g is not None and not g.contains(run.state.forward_params[weight_key(i)]):
            raise ConfigError(run.source, "hardware", f"W{i} of the checkpoint is not on the {profile.name} grid of "
                              f"step {g.step:.6g} the run trained on", "export a run trained on that chip")
    return record


def nir_graph(state: TrainState, mapping: SpikingMapping, *, engine: str, neuron_model: str,
              chip_record: dict | None = None, source: str = "network"):
    """The NIR graph of ``state``'s inference path under ``mapping`` (see the module docstring)."""
    import nir

    _check_exportable(state, source)
    sizes, L = state.spec.layer_sizes, state.spec.n_layers
    nodes = {"input": nir.Input(input_type={"input": np.array([sizes[0]])})}
    edges, previous = [], "input"
    for i in range(1, L + 1):
        w_scale, b_scale = mapping.layer_scales(i, L)
        weight = np.asarray(state.forward_params[weight_key(i)], dtype=np.float64) * w_scale
        bias = np.asarray(state.forward_params[bias_key(i)], dtype=np.float64) * b_scale
        nodes[f"fc{i}"] = nir.Affine(weight=weight, bias=bias)
        edges.append((previous, f"fc{i}"))
        previous = f"fc{i}"
        if i < L:
            nodes[f"lif{i}"] = nir.CubaLIF(**mapping.neuron_parameters(sizes[i]))
            edges.append((previous, f"lif{i}"))
            previous = f"lif{i}"
    nodes["output"] = nir.Output(output_type={"output": np.array([sizes[L]])})
    edges.append((previous, "output"))
    feedback = sorted(k for k in state.feedback_params if k[0] in "QBR")
    notes = ["the graph has no refractory period (NIR neurons have none); the engine's is "
             f"{mapping.tau_ref} s", "hidden biases enter through the synapse (Affine bias), not as v_leak",
             engine_differences(mapping, neuron_model)]
    if engine == "rate":
        notes.append(f"rate-engine run: its soft_lif activation is written as the LIF neurons of the "
                     f"{RATE_RUN_ENGINE} engine (the spiking model whose rate curve it is)")
    if feedback:
        notes.append(f"inference path only: the feedback parameters {', '.join(feedback)} of rule "
                     f"{state.rule.name} are not written")
    record = {"producer": TPNEURO_PRODUCER, "engine": engine, "neuron_model": neuron_model,
              "mapping": mapping.metadata(), "rule": state.rule.name, "layer_sizes": list(sizes),
              "inference_path_only": bool(feedback), "feedback_not_exported": feedback,
              "input_encoding": INPUT_ENCODING, "readout": READOUT, "notes": notes, **(chip_record or {})}
    metadata = {"producer": TPNEURO_PRODUCER, "dt": mapping.dt, "steps": mapping.steps,
                "readout_steps": mapping.readout_steps, "input_encoding": INPUT_ENCODING, "readout": READOUT,
                "note": "; ".join(notes), TPNEURO_PRODUCER: json.dumps(record)}
    if chip_record:
        metadata["hardware_profile"] = chip_record["hardware_profile"]
        metadata["weight_format"] = json.dumps(chip_record["weight_format"])
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def neuron_model(engine: str, options, profile) -> str:
    """The spiking neuron model of a run: the brian2 engine's ``neuron_model`` option when set, else the
    profile's ``units.neuron_model`` (lif without a profile); the nengo engine runs nengo.LIF, i.e. lif. A
    rate-engine run stands for the brian2 engine with its defaults."""
    if engine == "nengo":
        return "lif"
    chosen = getattr(options, "neuron_model", "auto")
    if chosen != "auto":
        return chosen
    return profile.units.neuron_model.value if profile is not None else "lif"


def graph_of_run(run: LoadedRun, *, dt: float | None = None, settle: float | None = None,
                 average: float | None = None):
    """The NIR graph of a loaded run (see :func:`nir_graph`); ``dt``, ``settle`` and ``average`` (s) override
    the engine options' time step and free-phase durations."""
    mapping = SpikingMapping.from_options(run.plan.engine_options, dt=dt, settle=settle, average=average)
    model = neuron_model(run.cfg.engine, run.plan.engine_options, run.plan.profile)
    return nir_graph(run.state, mapping, engine=run.cfg.engine, neuron_model=model,
                     chip_record=_chip_record(run), source=run.source)


def export_nir(run_or_state, path: str | Path, *, engine: str = "rate", engine_options: dict | None = None,
               dt: float | None = None, settle: float | None = None, average: float | None = None) -> Path:
    """Write the NIR graph of a run (a run directory or a loaded run) or of a TrainState to ``path``.

    Parameters
    ----------
    run_or_state : str, Path, LoadedRun or TrainState
        The trained network. A TrainState is taken as trained by ``engine`` with ``engine_options`` (a config's
        ``engine_options`` mapping), without a chip.
    path : str or Path
        The .nir (HDF5) file to write.
    dt, settle, average : float, optional
        Time step and free-phase durations (s); default: those of the run's engine options.

    Returns
    -------
    Path
        ``path``.
    """
    import nir

    if isinstance(run_or_state, TrainState):
        options = engine_settings(get_engine_class(engine, "engine"), engine_options, "engine_options")
        mapping = SpikingMapping.from_options(options, dt=dt, settle=settle, average=average)
        graph = nir_graph(run_or_state, mapping, engine=engine, neuron_model=neuron_model(engine, options, None))
    else:
        run = run_or_state if isinstance(run_or_state, LoadedRun) else load_run(run_or_state)
        graph = graph_of_run(run, dt=dt, settle=settle, average=average)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nir.write(str(path), graph)
    return path


def export_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """``tpneuro export RUN_DIR --format nir``: write RUN_DIR/network.nir (or ``out``); returns the path."""
    return export_nir(run_dir, Path(out) if out is not None else Path(run_dir) / "network.nir")


__all__ = ["export_nir", "export_run", "graph_of_run", "nir_graph"]
