"""NIR checks with tools nobody here wrote, snnTorch and Rockpool (torch in its own venv, so this runs by name, not
in the default tests; the Spyx check is in tests/test_nir_interchange.py).

    .venv/bin/python benchmarks/bench_nir.py [--epochs 10,30,60] [--averages 0.2] [--work DIR]

1. tpneuro side (.venv): for each epoch count, trains the digits 64-64-10 soft_lif network (DDTP-linear, rate
   engine, models/digits_ddtp_linear_spiking.yaml, seed 0) and exports it at brian2's dt = 0.1 ms (snnTorch's NIR
   import uses a fixed dt of 1e-4 s) for each readout window after a 40 ms settle. It records the predictions of

   - the brian2 engine, tpneuro's spiking inference of a rate run (neuron_model lif: exact integration, 2 ms
     refractory period, readout = the output layer's synaptic current);
   - the brian2 engine with neuron_model loihi_cuba (forward Euler of the same equations): not a reference,
     a yardstick of how many predictions of this network a change of integration alone flips;
   - tpneuro's own step-by-step simulation of the graph (tpneuro.interchange.predict_nir): the network as the
     NIR graph states it (forward Euler, no refractory period, readout = the Affine output).

2. torch venv (SNNTORCH_VENV, default .venv-snntorch, made with SNNTORCH_PYTHON, default python3.11 when found;
   `pip install torch snntorch nir nirtorch rockpool`): snnTorch imports each graph with
   snntorch.import_nir.import_from_nir and runs it for the same steps on the same input spikes (prediction: the
   mean output over the readout steps); snnTorch builds, trains (surrogate gradient, 25 steps) and exports a
   64-32-10 Leaky network of its own. Rockpool (3.1) imports graphs with rockpool.nn.modules.torch.nir.from_nir:
   it runs the digits graph of the last network on the test set, and three graphs for its Xylo checks: one inside
   the `xylo` profile's limits (16-32-8, untrained), the digits network over them (64 inputs, 10 outputs) and a
   16-1200-8 network over the hidden-neuron limit only. Its Xylo design rules and mapper
   (rockpool/devices/xylo/syns61201/xylo_mapper.py, loaded from its file: the package imports samna, which cannot
   be installed here) check each graph as exported and in the shape Xylo needs (no biases, a spiking output
   layer), and its quantizer (rockpool.transform.quantize_methods.global_quantize) gives the integer weights that
   are compared with the `xylo` profile's grid.

3. tpneuro side: agreements per network and window, the snnTorch network deployed by tpneuro on ideal and loihi1,
   the design-rule comparison. Prints tables and writes benchmarks/results/bench_nir.json (benchmarks/results_file.py) with the
   command, the versions and the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import ResultsFile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SNN_STEPS = 25
SNN_DT = 1e-4                      # snnTorch's NIR import steps every neuron with this dt (snntorch/import_nir.py)
XYLO_INSIDE = (16, 32, 8)          # within the xylo profile's 16 inputs, 1000 hidden and 8 output neurons
XYLO_OVER_HIDDEN = (16, 1200, 8)   # over its hidden-neuron limit only


# -- torch venv ---------------------------------------------------------------------------------------------------
def snntorch_predictions(task: dict) -> dict:
    """snnTorch's import of each tpneuro graph, run on the graph's input spikes: predicted class per sample."""
    import nir
    import torch
    from snntorch import utils
    from snntorch.import_nir import import_from_nir

    out = {}
    for name, g in task["graphs"].items():
        net = import_from_nir(nir.read(g["path"]))
        spikes = np.load(g["spikes"])["spikes"]
        preds = []
        with torch.no_grad():
            for s in range(0, spikes.shape[1], 120):
                utils.reset(net)
                total, state = 0.0, None
                for t in range(spikes.shape[0]):
                    y, state = net(torch.from_numpy(spikes[t, s:s + 120].astype(np.float32)), state)
                    if t >= spikes.shape[0] - g["readout_steps"]:
                        total = total + y
                preds.append(total.argmax(dim=1).numpy())
        out[name] = np.concatenate(preds).tolist()
    return out


def snntorch_network(work: Path) -> dict:
    """snnTorch's own 64-32-10 Leaky network: trained, exported to work/snntorch.nir, re-imported by snnTorch."""
    import nir
    import snntorch as snn
    import torch
    from snntorch import utils
    from snntorch.export_nir import export_to_nir
    from snntorch.import_nir import import_from_nir

    torch.manual_seed(0)
    data = np.load(work / "digits.npz")
    xtr, ytr = torch.tensor(data["x_train"], dtype=torch.float32), torch.tensor(data["y_train"])
    xte, yte = torch.tensor(data["x_test"], dtype=torch.float32), torch.tensor(data["y_test"])
    grad = snn.surrogate.fast_sigmoid()

    def leaky(n):   # per-neuron beta and threshold: snnTorch's exporter writes a scalar one as shape (1,), which
                    # nir's type check refuses; reset to zero at once, as snnTorch's importer reads a NIR LIF
        return snn.Leaky(beta=torch.full((n,), 0.9), threshold=torch.ones(n), init_hidden=True, spike_grad=grad,
                         reset_mechanism="zero", reset_delay=False)

    model = torch.nn.Sequential(torch.nn.Linear(64, 32), leaky(32), torch.nn.Linear(32, 10), leaky(10))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)

    def counts(x):
        utils.reset(model)
        return sum(model(x) for _ in range(SNN_STEPS))        # current input every step; output spike counts

    for _ in range(30):
        order = torch.randperm(len(xtr))
        for s in range(0, len(xtr), 64):
            idx = order[s:s + 64]
            loss = torch.nn.functional.cross_entropy(counts(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        own = float((counts(xte).argmax(1) == yte).float().mean())
    graph = export_to_nir(model, xte[:1], ignore_dims=[0])   # NIR types carry no batch axis
    nir.write(str(work / "snntorch.nir"), graph)
    reimported = import_from_nir(nir.read(str(work / "snntorch.nir")))
    with torch.no_grad():
        utils.reset(reimported)
        total, state = 0.0, None
        for _ in range(SNN_STEPS):
            y, state = reimported(xte, state)
            total = total + y
    return {"snntorch_accuracy": own, "snntorch_reimported_accuracy": float((total.argmax(1) == yte).float().mean())}


def xylo_mapper_module():
    """rockpool.devices.xylo.syns61201.xylo_mapper without its package's __init__ files (they import samna): the
    packages are registered empty, with their paths, and the mapper and its graph modules load from their files."""
    import importlib
    import types

    import rockpool

    base = Path(rockpool.__file__).parent / "devices"
    for name, path in (("rockpool.devices", base), ("rockpool.devices.xylo", base / "xylo"),
                       ("rockpool.devices.xylo.syns61201", base / "xylo" / "syns61201")):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    return importlib.import_module("rockpool.devices.xylo.syns61201.xylo_mapper")


def _drc_outcomes(mapper_module, graph) -> dict:
    """Each Xylo design rule on ``graph``: "pass", "warning: ..." or "error: ..." (first line of the message)."""
    import warnings

    outcomes = {}
    for rule in mapper_module.xylo_drc:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                rule(graph)
            except mapper_module.DRCError as exc:
                outcomes[rule.__name__] = "error: " + str(exc).splitlines()[0]
                continue
        warned = [w for w in caught if issubclass(w.category, mapper_module.DRCWarning)]
        outcomes[rule.__name__] = "warning: " + str(warned[0].message).splitlines()[0] if warned else "pass"
    return outcomes


def _try_mapper(mapper_module, graph) -> dict:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec = mapper_module.mapper(graph)
        except mapper_module.DRCError as exc:
            cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
            return {"mapped": False, "error": str(exc).splitlines()[0] + cause}
    return {"mapped": True, "hidden_neurons": int(spec["weights_in"].shape[1]),
            "output_neurons": int(spec["weights_out"].shape[1]), "input_channels": int(spec["weights_in"].shape[0])}


def xylo_shaped(graph):
    """The graph as Xylo takes it: Linear nodes (Xylo has no biases) and a CubaLIF output layer (Xylo's outputs
    are neurons), the hidden neurons as written."""
    import nir

    nodes = {k: (nir.Linear(weight=n.weight) if isinstance(n, nir.Affine) else n) for k, n in graph.nodes.items()}
    hidden = next(n for n in graph.nodes.values() if isinstance(n, nir.CubaLIF))
    n_out = graph.nodes["output"].output_type["output"][0]
    nodes["lif_out"] = nir.CubaLIF(**{k: np.full(n_out, np.ravel(getattr(hidden, k))[0]) for k in
                                      ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in")})
    last = next(a for a, b in graph.edges if b == "output")
    edges = [(a, b) for a, b in graph.edges if b != "output"] + [(last, "lif_out"), ("lif_out", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={})


def rockpool_checks(task: dict) -> dict:
    """Rockpool's NIR import, its Xylo design rules and mapper, and its weight quantizer on each xylo graph."""
    import warnings

    import nir
    import rockpool
    import torch
    from rockpool.nn.modules.torch.nir import from_nir
    from rockpool.transform.quantize_methods import global_quantize

    mapper_module = xylo_mapper_module()
    out = {"rockpool": rockpool.__version__, "graphs": {}}
    for name, g in task["xylo_graphs"].items():
        graph = nir.read(g["path"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = from_nir(graph)
            with torch.no_grad():
                response = net(torch.zeros((1, 5, g["sizes"][0])))
        response = response[0] if isinstance(response, tuple) else response
        record = {"imported": type(net).__name__, "runs": list(response.shape),
                  "drc_as_exported": _drc_outcomes(mapper_module, net.as_graph()),
                  "mapper_as_exported": _try_mapper(mapper_module, net.as_graph())}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shaped = from_nir(xylo_shaped(graph))
        record["drc_xylo_shaped"] = _drc_outcomes(mapper_module, shaped.as_graph())
        record["mapper_xylo_shaped"] = _try_mapper(mapper_module, shaped.as_graph())
        w1, w2 = (graph.nodes[k].weight for k in ("fc1", "fc2"))
        n_hidden = w1.shape[0]
        quantized = global_quantize(weights_in=w1.T[:, :, None], weights_rec=np.zeros((n_hidden, n_hidden, 1)),
                                    weights_out=w2.T, threshold=np.ones(n_hidden), threshold_out=np.ones(w2.shape[0]),
                                    dash_mem=0, dash_mem_out=0, dash_syn=0, dash_syn_2=0, dash_syn_out=0)
        tp = np.load(g["tpneuro_levels"])
        record["weight_levels_equal"] = {
            "W1": float(np.mean(quantized["weights_in"][:, :, 0] == tp["W1"].T)),
            "W2": float(np.mean(quantized["weights_out"] == tp["W2"].T))}
        # global_quantize scales the hidden threshold (1.0) with W1's weights and, when it exceeds 16 bits, scales
        # threshold and W1 down together: the levels W1 keeps
        record["hidden_threshold_level"] = int(np.max(quantized["threshold"]))
        record["hidden_threshold_level_before_16_bit_limit"] = float(127 / np.max(np.abs(w1)))
        record["W1_max_abs_level"] = int(np.max(np.abs(quantized["weights_in"])))
        out["graphs"][name] = record
    if "digits_graph" in task:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = from_nir(nir.read(task["digits_graph"]["path"]))
        spikes = np.load(task["digits_graph"]["spikes"])["spikes"]
        with torch.no_grad():
            rates = net(torch.from_numpy(spikes.transpose(1, 0, 2).astype(np.float32)))
        rates = rates[0] if isinstance(rates, tuple) else rates
        out["digits_predictions"] = rates[:, -task["digits_graph"]["readout_steps"]:].mean(1).argmax(1).tolist()
    return out


def torch_worker(work: Path) -> None:
    """Runs in the torch venv: everything snnTorch and Rockpool do, results to work/torch_result.json."""
    import nir
    import nirtorch
    import snntorch
    import torch

    task = json.loads((work / "task.json").read_text())
    out = {"versions": {"python": platform.python_version(), "torch": torch.__version__,
                        "snntorch": snntorch.__version__, "nir": nir.__version__, "nirtorch": nirtorch.__version__},
           "graphs": snntorch_predictions(task), **snntorch_network(work)}
    out["rockpool"] = rockpool_checks(task)
    out["versions"]["rockpool"] = out["rockpool"].pop("rockpool")
    (work / "torch_result.json").write_text(json.dumps(out))


def torch_python() -> Path:
    venv = Path(os.environ.get("SNNTORCH_VENV", ROOT / ".venv-snntorch"))
    if not (venv / "bin" / "python").exists():
        base = os.environ.get("SNNTORCH_PYTHON") or shutil.which("python3.11") or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "torch", "snntorch", "nir",
                        "nirtorch", "rockpool"], check=True)
    return venv / "bin" / "python"


# -- tpneuro side -------------------------------------------------------------------------------------------------
def xylo_graphs(work: Path, digits_graph: Path, digits_run) -> dict:
    """The xylo checks' graphs (inside the limits: an untrained 16-32-8 soft_lif network; over them: the digits
    network, and an untrained 16-1200-8 network over the hidden-neuron limit only) with their sizes, tpneuro's
    design-rule violations and the integer weight levels of tpneuro's xylo grid (chip seed 0, per-layer range
    calibrated to the weights, nearest rounding)."""
    import tpneuro
    from tpneuro.hardware import ChipInstance, calibrated_to, check_design_rules, load_profile, place_on_grid
    from tpneuro.interchange import read_nir
    from tpneuro.runs import build_state

    profile = load_profile("xylo")
    cfg = digits_run.cfg
    paths = {}
    for name, sizes in (("inside_16_32_8", XYLO_INSIDE), ("over_hidden_16_1200_8", XYLO_OVER_HIDDEN)):
        shaped = cfg.model_copy(update={"network": cfg.network.model_copy(update={"hidden": [sizes[1]]})})
        state = build_state(shaped, sizes[0], sizes[2], np.random.default_rng(0), "bench_nir")
        paths[name] = tpneuro.export_nir(state, work / f"xylo_{name}.nir", dt=SNN_DT, settle=0.04, average=0.2)
    paths["over_64_64_10"] = digits_graph
    out = {}
    for name, path in paths.items():
        net = read_nir(path)
        sizes = net.layer_sizes
        weights = {f"W{i}": d.weight.copy() for i, d in enumerate(net.dense, start=1)}
        layers = {f"W{i}": i for i in range(1, len(net.dense) + 1)}
        chip = calibrated_to(ChipInstance(profile, sizes, 0), weights, layers, "forward")
        place_on_grid(chip, weights, layers, "forward", np.random.default_rng(0))
        levels = {k: np.rint(w / chip.weight_grid(layers[k]).step).astype(int) for k, w in weights.items()}
        np.savez(work / f"{name}_levels.npz", **levels)
        out[name] = {"path": str(path), "sizes": list(sizes), "tpneuro_levels": str(work / f"{name}_levels.npz"),
                     "tpneuro_violations": [f"{v.rule}: {v.required:g} > {v.limit:g}"
                                                for v in check_design_rules(profile, sizes, report_only=True)]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", default="10,30,60", help="training epochs of the digits networks to export")
    parser.add_argument("--averages", default="0.2", help="readout windows (s) to export and compare")
    parser.add_argument("--work", help="folder for runs, graphs and spike trains (default: a temporary one)")
    parser.add_argument("--torch-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        torch_worker(Path(args.torch_worker))
        return

    import nir

    import tpneuro
    from tpneuro.engines.registry import get_engine
    from tpneuro.formatting import percent
    from tpneuro.interchange import predict_nir, read_nir, regular_spike_trains
    from tpneuro.runs import load_run

    results = ResultsFile()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench_nir_"))
    work.mkdir(parents=True, exist_ok=True)
    graphs, reference, runs = {}, {}, {}
    for epochs in (int(e) for e in args.epochs.split(",")):
        cfg = tpneuro.load_config(ROOT / "models/digits_ddtp_linear_spiking.yaml",
                                  {"engine": "rate", "training.epochs": epochs})
        run_dir = work / f"run_{epochs}"
        shutil.rmtree(run_dir, ignore_errors=True)        # a fresh run each time
        tpneuro.train(cfg, run_dir, progress=False)
        run = runs[epochs] = load_run(run_dir)
        x = run.data.x_test
        for avg in (float(a) for a in args.averages.split(",")):
            name = f"epochs_{epochs}_average_{avg:g}"
            path = tpneuro.export_nir(run, work / f"{name}.nir", dt=SNN_DT, settle=0.04, average=avg)
            net = read_nir(path)
            m = net.mapping()
            np.savez_compressed(work / f"{name}_spikes.npz", spikes=regular_spike_trains(x, m.steps, m.dt).astype(bool))
            graphs[name] = {"path": str(path), "spikes": str(work / f"{name}_spikes.npz"),
                            "readout_steps": m.readout_steps, "steps": m.steps, "epochs": epochs, "average": avg}
            options = {"dt": SNN_DT, "settle": 0.04, "average": avg}
            reference[name] = {
                "brian2_lif": get_engine("brian2", run.source, {**options, "neuron_model": "lif"}).predict(run.state, x),
                "brian2_loihi_cuba": get_engine("brian2", run.source, {**options, "neuron_model": "loihi_cuba"}).predict(
                    run.state, x),
                "graph_stepped_by_tpneuro": predict_nir(net, x).output}
    first = runs[min(runs)]
    np.savez(work / "digits.npz", x_train=first.data.x_train, y_train=first.data.y_train, x_test=first.data.x_test,
             y_test=first.data.y_test)
    last_name = max(graphs, key=lambda n: (graphs[n]["epochs"], graphs[n]["average"]))
    task = {"graphs": graphs,
            "xylo_graphs": xylo_graphs(work, Path(graphs[last_name]["path"]), runs[graphs[last_name]["epochs"]]),
            "digits_graph": graphs[last_name]}
    (work / "task.json").write_text(json.dumps(task))
    subprocess.run([str(torch_python()), __file__, "--torch-worker", str(work)], check=True)
    res = json.loads((work / "torch_result.json").read_text())

    y = first.data.y_test
    rows = []
    for name, g in graphs.items():
        snn = np.asarray(res["graphs"][name])
        ref = {k: v.argmax(axis=1) for k, v in reference[name].items()}
        rows.append({"graph": name, "epochs": g["epochs"], "average": g["average"], "dt": SNN_DT, "steps": g["steps"],
                     "readout_steps": g["readout_steps"], "test_samples": int(len(y)),
                     "agreement_snntorch_vs_brian2": float(np.mean(snn == ref["brian2_lif"])),
                     "disagreements_snntorch_vs_brian2": int(np.sum(snn != ref["brian2_lif"])),
                     "agreement_snntorch_vs_graph_stepped_by_tpneuro": float(np.mean(snn == ref["graph_stepped_by_tpneuro"])),
                     "agreement_graph_stepped_by_tpneuro_vs_brian2": float(np.mean(ref["graph_stepped_by_tpneuro"]
                                                                                   == ref["brian2_lif"])),
                     "agreement_brian2_lif_vs_loihi_cuba": float(np.mean(ref["brian2_lif"] == ref["brian2_loihi_cuba"])),
                     "snntorch_accuracy": float(np.mean(snn == y)),
                     "brian2_accuracy": float(np.mean(ref["brian2_lif"] == y)),
                     "rate_engine_accuracy": float(np.mean(
                         get_engine("rate").predict(runs[g["epochs"]].state, first.data.x_test).argmax(axis=1) == y))})
    rockpool = res["rockpool"]
    digits_name = task["digits_graph"]["path"]
    rp_pred = np.asarray(rockpool.pop("digits_predictions"))
    rockpool["digits_import"] = {"graph": Path(digits_name).stem,
                                 "rockpool_accuracy": float(np.mean(rp_pred == y)),
                                 "agreement_rockpool_vs_brian2": float(np.mean(
                                     rp_pred == reference[last_name]["brian2_lif"].argmax(axis=1)))}
    for name, g in task["xylo_graphs"].items():
        rockpool["graphs"][name]["tpneuro_xylo_design_rules"] = g["tpneuro_violations"] or ["pass"]
        rockpool["graphs"][name]["sizes"] = g["sizes"]
    deployed = {p: tpneuro.deploy_nir(work / "snntorch.nir", p, 3, steps=SNN_STEPS, input_encoding="current")
                for p in ("ideal", "loihi1")}
    results.table("Versions", ["environment", "library", "version"],
                  [["tpneuro", "nir", nir.__version__]]
                  + [["torch (Python 3.11)", k, v] for k, v in res["versions"].items()])
    results.table("Exported digits graphs run by snnTorch's NIR import, against tpneuro's engines (agreement: % "
                  "of test samples with the same predicted class)",
                  ["graph", "samples", "snnTorch~brian2 %", "disagree", "snnTorch~graph %", "graph~brian2 %",
                   "lif~loihi_cuba %", "snnTorch acc %", "brian2 acc %", "rate acc %"],
                  [[r["graph"], r["test_samples"], percent(r["agreement_snntorch_vs_brian2"]),
                    r["disagreements_snntorch_vs_brian2"], percent(r["agreement_snntorch_vs_graph_stepped_by_tpneuro"]),
                    percent(r["agreement_graph_stepped_by_tpneuro_vs_brian2"]), percent(r["agreement_brian2_lif_vs_loihi_cuba"]),
                    percent(r["snntorch_accuracy"]), percent(r["brian2_accuracy"]), percent(r["rate_engine_accuracy"])]
                   for r in rows])
    results.table("A 64-32-10 Leaky network built, trained and exported by snnTorch, deployed by tpneuro",
                  ["where", "chip instances", "test accuracy %"],
                  [["snnTorch", "-", percent(res["snntorch_accuracy"])],
                   ["snnTorch, re-imported", "-", percent(res["snntorch_reimported_accuracy"])]]
                  + [[f"tpneuro {p}", len(d.accuracies), " ".join(percent(a) for a in d.accuracies)]
                     for p, d in deployed.items()])
    energy = deployed["loihi1"].energy
    results.note(f"loihi1 energy of the snnTorch network: {energy['synaptic_ops_per_inference']:.0f} synaptic ops "
                 f"per inference, >= {energy['joules_per_inference_lower_bound']:.3g} J per inference (missing "
                 f"costs: {', '.join(energy['energy_missing_costs']) or 'none'})")
    d = rockpool["digits_import"]
    results.note(f"Rockpool's NIR import of {d['graph']}: {percent(d['rockpool_accuracy'])} % test accuracy, "
                 f"{percent(d['agreement_rockpool_vs_brian2'])} % agreement with brian2")
    xylo_rows = []
    for name, g in rockpool["graphs"].items():
        for kind in ("as_exported", "xylo_shaped"):
            broken = [f"{rule} ({verdict.split(':')[0]})" for rule, verdict in g[f"drc_{kind}"].items()
                      if verdict != "pass"]
            mapper = g[f"mapper_{kind}"]
            xylo_rows.append([name, "-".join(map(str, g["sizes"])), "; ".join(g["tpneuro_xylo_design_rules"]), kind,
                              "; ".join(broken) or "pass",
                              "mapped" if mapper.get("mapped") else f"refused: {mapper.get('error', '')[:90]}"])
    results.table("Xylo: tpneuro's xylo design rules against Rockpool's design rules and mapper, on the graph as "
                  "exported and in the shape Xylo needs (no biases, a spiking output layer)",
                  ["graph", "sizes", "tpneuro design rules", "graph form", "Rockpool design rules not passed",
                   "Rockpool mapper"], xylo_rows)
    results.table("Xylo weights: Rockpool's quantizer (global_quantize) against the xylo profile's grid",
                  ["graph", "share of levels equal", "max |W1 level|", "hidden threshold level",
                   "before the 16-bit limit"],
                  [[name, json.dumps(g["weight_levels_equal"]), g["W1_max_abs_level"], g["hidden_threshold_level"],
                    round(g["hidden_threshold_level_before_16_bit_limit"])] for name, g in rockpool["graphs"].items()])
    results.write()

if __name__ == "__main__":
    main()
