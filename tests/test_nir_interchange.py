"""NIR export and import (tpneuro.interchange): round trip, agreement of Spyx (an independent simulator that
reads NIR) with tpneuro's spiking inference, refusal of what cannot be mapped, and deployment of imported
graphs on modeled chips. The snnTorch checks need torch and run by name: benchmarks/bench_nir.py."""
from __future__ import annotations

import json

import nir
import numpy as np
import pytest

import tpneuro
from tpneuro.cli import main
from tpneuro.deployment import RunDeployer
from tpneuro.engines.registry import get_engine
from tpneuro.errors import ConfigError
from tpneuro.runs import load_run
from tpneuro.hardware import ChipInstance, list_profiles, load_profile
from tpneuro.interchange import NirImportError, predict_nir, read_nir, regular_spike_trains
from tpneuro.interchange.nir_import import network_from_graph, tpneuro_weights
from tpneuro.interchange.nir_simulation import simulate
from tpneuro.network.lif_rate import TAU_REF

DIGITS_SPIKING = "models/digits_ddtp_linear_spiking.yaml"


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """A 64-64-10 soft_lif network trained with DDTP-linear on the rate engine (30 epochs, seed 0). Trained this far
    so that few test samples are near ties between two classes: a near tie flips with any change of spike timing,
    even between two integrations of one model (benchmarks/bench_nir.py measures it)."""
    run_dir = tmp_path_factory.mktemp("nir") / "run"
    cfg = tpneuro.load_config(DIGITS_SPIKING, {"engine": "rate", "training.epochs": 30})
    tpneuro.train(cfg, run_dir, progress=False)
    return run_dir


def test_round_trip_gives_the_same_weights_and_the_same_accuracy_on_every_profile(digits_run, tmp_path):
    path = tpneuro.export_nir(digits_run, tmp_path / "net.nir")
    net = read_nir(path)
    run = load_run(digits_run)
    weights = tpneuro_weights(net)
    assert set(weights) == {"W1", "b1", "W2", "b2"}
    for key, value in weights.items():
        np.testing.assert_allclose(value, run.state.forward_params[key], rtol=1e-12, atol=1e-15)
    deployer = RunDeployer(digits_run)
    for profile in list_profiles():
        direct = deployer.deploy(profile, 2, report_only=True).accuracies
        imported = tpneuro.deploy_nir(path, profile, 2, report_only=True).accuracies
        assert imported == direct, profile


def test_graph_states_its_time_step_neurons_and_what_it_leaves_out(digits_run, tmp_path):
    graph = nir.read(str(tpneuro.export_nir(digits_run, tmp_path / "net.nir")))
    assert sorted(graph.nodes) == ["fc1", "fc2", "input", "lif1", "output"]
    lif = graph.nodes["lif1"]
    assert isinstance(lif, nir.CubaLIF)
    dt = float(graph.metadata["dt"])
    assert dt == 1e-4                                     # brian2's default, the engine a rate run stands for
    np.testing.assert_allclose(lif.tau_mem, 0.02)
    np.testing.assert_allclose(lif.tau_syn, 0.005)
    np.testing.assert_allclose(lif.r, 0.02 / dt)          # snnTorch's convention r = tau_mem / dt
    np.testing.assert_allclose(lif.w_in, 0.005 / dt)
    np.testing.assert_allclose(lif.v_threshold, 1.0)
    record = json.loads(graph.metadata["tpneuro"])
    assert record["engine"] == "rate" and record["inference_path_only"] and record["feedback_not_exported"] == ["Q1"]
    assert record["neuron_model"] == "lif" and "exact decay of I and v" in graph.metadata["note"]
    assert "no refractory period" in graph.metadata["note"] and "soft_lif" in graph.metadata["note"]
    assert graph.metadata["steps"] == 600 and graph.metadata["readout_steps"] == 200


def test_graph_fires_where_tpneuro_lif_fires_and_reads_out_w_h_plus_b(digits_run, tmp_path):
    """The graph's weight scales, biases and thresholds against tpneuro's model, exactly. Driven by the constant
    current that carries the input coders' mean (x dt / tau_ref per step), a hidden neuron's v rises monotonically
    towards its tpneuro current J = W1 x + b1 (in units of the threshold), so it fires iff J > 1 (neurons less than
    1 % above threshold may need more than the steps simulated and are left out); and the mean of the last Affine
    over all steps is W2 h + b2, h the hidden spike rate times tau_ref (tpneuro.network.lif_rate)."""
    run = load_run(digits_run)
    x, p = np.clip(run.data.x_test, 0.0, None), run.state.forward_params
    dt, steps = 1e-3, 400
    net = read_nir(tpneuro.export_nir(run, tmp_path / "net.nir", dt=dt))
    result = simulate(net, np.broadcast_to(x * dt / TAU_REF, (steps,) + x.shape), dt, readout_steps=steps)
    current = x @ p["W1"].T + p["b1"]
    fired, decided = result.spikes[0] > 0, (current <= 1.0) | (current > 1.01)
    wrong = int(np.sum(fired[decided] != (current > 1.0)[decided]))
    assert wrong == 0, (f"{wrong} of {int(decided.sum())} hidden neurons fire where tpneuro's LIF does not, or not "
                        "where it does")
    assert 0.2 < fired.mean() < 0.9                       # the check has neurons on both sides of the threshold
    rates = result.spikes[0] * TAU_REF / (steps * dt)
    np.testing.assert_allclose(result.output, rates @ p["W2"].T + p["b2"], rtol=1e-9, atol=1e-9)


def test_spyx_runs_the_exported_graph_as_tpneuro_spiking_inference(digits_run, tmp_path):
    """Spyx (spyx.nir.from_nir) against tpneuro's nengo engine at dt = 1 ms, 40 ms settle (the engines' default)
    + 100 ms readout: at least 99 % of the 360 digits test samples predicted alike."""
    import jax.numpy as jnp
    import spyx.nir

    run = load_run(digits_run)
    x, y = run.data.x_test, run.data.y_test
    assert len(x) == 360
    path = tpneuro.export_nir(run, tmp_path / "net.nir", dt=1e-3, settle=0.04, average=0.1)
    graph = nir.read(str(path))
    steps, readout = int(graph.metadata["steps"]), int(graph.metadata["readout_steps"])
    assert (steps, readout) == (140, 100)
    spikes = regular_spike_trains(x, steps, 1e-3)
    _, out = spyx.nir.from_nir(graph, jnp.asarray(spikes), dt=1e-3)
    spyx_pred = np.asarray(out)[-readout:].mean(axis=0).argmax(axis=1)
    engine = get_engine("nengo", run.source, {"settle": 0.04, "average": 0.1})
    engine_pred = engine.predict(run.state, x).argmax(axis=1)
    agreement = np.mean(spyx_pred == engine_pred)
    assert agreement >= 0.99, agreement
    assert np.mean(spyx_pred == y) > 0.9


def _graph(nodes: dict, edges: list):
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={}, type_check=False)


def test_unsupported_node_types_are_refused_in_one_line_naming_node_and_type():
    n = 4
    nodes = {"input": nir.Input(input_type={"input": np.array([n])}),
             "fc": nir.Affine(weight=np.eye(n), bias=np.zeros(n)),
             "leaky": nir.LI(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n)),
             "output": nir.Output(output_type={"output": np.array([n])})}
    with pytest.raises(NirImportError, match=r"net\.nir: node 'leaky': has type LI, which tpneuro cannot map") as err:
        network_from_graph(_graph(nodes, [("input", "fc"), ("fc", "leaky"), ("leaky", "output")]), "net.nir")
    assert "\n" not in str(err.value)
    lif = nir.LIF(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n))
    cyclic = {**nodes, "leaky": lif, "rec": nir.Linear(weight=np.eye(n))}
    with pytest.raises(NirImportError, match=r"node 'leaky': \(LIF\) has 2 outgoing edges"):
        network_from_graph(_graph(cyclic, [("input", "fc"), ("fc", "leaky"), ("leaky", "rec"), ("rec", "leaky"),
                                           ("leaky", "output")]), "net.nir")


def _foreign_copy(graph, dt: float):
    """The graph as another tool writes it: the same nodes, no tpneuro metadata (dt only through r = tau / dt)."""
    return network_from_graph(nir.NIRGraph(nodes=graph.nodes, edges=graph.edges, metadata={}), "foreign.nir")


def test_graph_from_elsewhere_is_simulated_as_spyx_does_and_deployed_on_ideal_and_loihi1(digits_run, tmp_path):
    """A graph without tpneuro's metadata goes through the step-by-step path: its dt comes from tau / r, its
    ideal accuracy is Spyx's own, and on loihi1 every weight is on the chip's grid."""
    import jax.numpy as jnp
    import spyx.nir

    run = load_run(digits_run)
    graph = nir.read(str(tpneuro.export_nir(run, tmp_path / "net.nir", dt=1e-3, settle=0.04, average=0.06)))
    foreign = _foreign_copy(graph, 1e-3)
    assert foreign.mapping() is None and foreign.dt() == pytest.approx(1e-3)
    settings = {"steps": 100, "input_encoding": "regular"}
    ideal = tpneuro.deploy_nir(foreign, "ideal", 1, **settings)
    _, out = spyx.nir.from_nir(graph, jnp.asarray(regular_spike_trains(run.data.x_test, 100, 1e-3)), dt=1e-3)
    spyx_acc = np.mean(np.asarray(out).mean(axis=0).argmax(axis=1) == run.data.y_test)
    assert abs(ideal.accuracies[0] - spyx_acc) <= 0.01
    loihi = tpneuro.deploy_nir(foreign, "loihi1", 2, **settings)
    assert all(abs(a - ideal.accuracies[0]) <= 0.05 for a in loihi.accuracies)
    assert loihi.energy["synaptic_ops_per_inference"] > 0 and loihi.energy["joules_per_inference_lower_bound"] > 0
    chip = ChipInstance(load_profile("loihi1"), foreign.layer_sizes, 0).calibrated([d.weight for d in foreign.dense])
    stored = chip.quantize_weights(foreign.dense[0].weight, 1, None)
    assert chip.weight_grid(1).contains(stored) and not np.allclose(stored, foreign.dense[0].weight)
    with pytest.raises(ConfigError, match=r"units\.kind: 'stochastic_binary' units cannot replace"):
        tpneuro.deploy_nir(foreign, "stochastic_binary", 1, **settings)


def test_chip_trained_run_exports_its_weights_on_the_grid_with_profile_and_format(tmp_path):
    cfg = tpneuro.load_config(DIGITS_SPIKING, {"engine": "rate", "training.epochs": 2, "hardware": "loihi1"})
    tpneuro.train(cfg, tmp_path / "run", progress=False)
    graph = nir.read(str(tpneuro.export_nir(tmp_path / "run", tmp_path / "net.nir")))
    record = json.loads(graph.metadata["tpneuro"])
    assert graph.metadata["hardware_profile"] == "loihi1" and record["weight_format"]["bits"] == 8
    assert record["neuron_model"] == "loihi_cuba"         # the profile's units.neuron_model: NIR's CubaLIF, stepped
    assert "integrate the hidden layers with forward Euler" in graph.metadata["note"]   # as the importers step it
    weights = tpneuro_weights(network_from_graph(graph))
    for i, step in enumerate(record["weight_steps"], start=1):
        levels = weights[f"W{i}"] / step
        np.testing.assert_allclose(levels, np.rint(levels), atol=1e-6)
        assert np.abs(levels).max() <= 127


def test_export_refuses_a_network_without_a_spiking_counterpart(tmp_path):
    cfg = tpneuro.load_config("models/digits_ddtp_linear.yaml", {"training.epochs": 1})
    tpneuro.train(cfg, tmp_path / "run", progress=False)
    with pytest.raises(ConfigError, match=r"network\.activation: 'tanh' has no spiking LIF counterpart"):
        tpneuro.export_nir(tmp_path / "run", tmp_path / "net.nir")


def test_cli_exports_and_deploys_a_graph(digits_run, tmp_path, capsys):
    out = tmp_path / "net.nir"
    main(["export", str(digits_run), "--format", "nir", "--out", str(out)])
    assert out.is_file()
    main(["evaluate", "--nir", str(out), "--hardware", "loihi1", "--chips", "1"])
    text = capsys.readouterr().out
    expected = RunDeployer(digits_run).deploy("loihi1", 1).accuracies[0]
    assert f"{out}: the trained weights put on loihi1, 1 chip instances: test accuracy {100 * expected:.2f}" in text


def test_cli_refuses_a_graph_without_a_profile_and_a_graph_with_a_run_in_one_line(digits_run, tmp_path, capsys):
    out = tpneuro.export_nir(digits_run, tmp_path / "net.nir")
    for argv, says in ((["evaluate", "--nir", str(out)], "--hardware"),
                       (["evaluate", str(digits_run), "--nir", str(out), "--hardware", "ideal"], "either"),
                       (["evaluate", str(digits_run), "--steps", "10"], "go with --nir")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and says in err and err.count("\n") == 1, err

