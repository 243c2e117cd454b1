"""NIR checks with snnTorch (needs torch, so it runs by name, not in the default tests).

    .venv/bin/python benchmarks/bench_nir.py [--out DIR] [--averages 0.02,0.1,0.2]

1. tpneuro side (.venv): trains the digits 64-64-10 soft_lif network (DDTP-linear, rate engine, 10 epochs,
   seed 0), exports it at brian2's dt = 0.1 ms (snnTorch's NIR import uses a fixed dt of 1e-4 s) for each
   readout window, and records the brian2 engine's predictions (tpneuro's spiking inference, 40 ms settle).
2. snnTorch side (its own venv, SNNTORCH_VENV, default .venv-snntorch, made with SNNTORCH_PYTHON, default
   python3.11 when found; `pip install torch snntorch nir nirtorch`): imports each graph with
   snntorch.import_nir.import_from_nir, runs it for the same steps on the same input spikes, and predicts by
   the mean output over the readout steps; then builds, trains (surrogate gradient, 25 steps) and exports
   with snntorch.export_nir.export_to_nir a 64-32-10 Leaky network of its own.
3. tpneuro side: agreement per window, and the snnTorch graph deployed by tpneuro on ideal and loihi1 against
   snnTorch's own accuracy. Prints a table and writes DIR/bench_nir.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SNN_STEPS = 25


def snntorch_worker(work: Path) -> None:
    """Runs in the snnTorch venv: import tpneuro's graphs, and export snnTorch's own network."""
    import nir
    import snntorch as snn
    import torch
    from snntorch import utils
    from snntorch.export_nir import export_to_nir
    from snntorch.import_nir import import_from_nir

    torch.manual_seed(0)
    task = json.loads((work / "task.json").read_text())
    out = {"torch": torch.__version__, "snntorch": snn.__version__, "nir": nir.__version__, "graphs": {}}
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
        out["graphs"][name] = np.concatenate(preds).tolist()

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
    out["snntorch_accuracy"] = own
    out["snntorch_reimported_accuracy"] = float((total.argmax(1) == yte).float().mean())
    (work / "snntorch_result.json").write_text(json.dumps(out))


def snntorch_python() -> Path:
    venv = Path(os.environ.get("SNNTORCH_VENV", ROOT / ".venv-snntorch"))
    if not (venv / "bin" / "python").exists():
        base = os.environ.get("SNNTORCH_PYTHON") or shutil.which("python3.11") or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "torch", "snntorch", "nir",
                        "nirtorch"], check=True)
    return venv / "bin" / "python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / ".benchmarks_out" / "nir"))
    parser.add_argument("--averages", default="0.02,0.1,0.2", help="readout windows (s) to export and compare")
    parser.add_argument("--snntorch-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.snntorch_worker:
        snntorch_worker(Path(args.snntorch_worker))
        return

    import tpneuro
    from tpneuro.engines.registry import get_engine
    from tpneuro.interchange import read_nir, regular_spike_trains
    from tpneuro.runs import load_run

    work = Path(args.out)
    work.mkdir(parents=True, exist_ok=True)
    cfg = tpneuro.load_config(ROOT / "models/digits_ddtp_linear_spiking.yaml", {"engine": "rate", "training.epochs": 10})
    shutil.rmtree(work / "run", ignore_errors=True)        # a fresh run each time
    tpneuro.train(cfg, work / "run", progress=False)
    run = load_run(work / "run")
    x, y = run.data.x_test, run.data.y_test
    np.savez(work / "digits.npz", x_train=run.data.x_train, y_train=run.data.y_train, x_test=x, y_test=y)
    graphs, reference = {}, {}
    for avg in (float(a) for a in args.averages.split(",")):
        name = f"average_{avg:g}"
        path = tpneuro.export_nir(run, work / f"{name}.nir", settle=0.04, average=avg)
        m = read_nir(path).mapping()
        np.savez_compressed(work / f"{name}_spikes.npz", spikes=regular_spike_trains(x, m.steps, m.dt).astype(bool))
        graphs[name] = {"path": str(path), "spikes": str(work / f"{name}_spikes.npz"), "readout_steps": m.readout_steps,
                        "steps": m.steps}
        engine = get_engine("brian2", run.source, {"settle": 0.04, "average": avg})
        reference[name] = engine.predict(run.state, x).argmax(axis=1)
    (work / "task.json").write_text(json.dumps({"graphs": graphs}))
    subprocess.run([str(snntorch_python()), __file__, "--snntorch-worker", str(work)], check=True)
    res = json.loads((work / "snntorch_result.json").read_text())

    rows = []
    for name, g in graphs.items():
        preds = np.asarray(res["graphs"][name])
        rows.append({"graph": name, "dt": 1e-4, "steps": g["steps"], "readout_steps": g["readout_steps"],
                     "agreement_with_brian2": float(np.mean(preds == reference[name])),
                     "snntorch_accuracy": float(np.mean(preds == y)),
                     "brian2_accuracy": float(np.mean(reference[name] == y))})
    deployed = {p: tpneuro.deploy_nir(work / "snntorch.nir", p, 3, steps=SNN_STEPS, input_encoding="current")
                for p in ("ideal", "loihi1")}
    summary = {"versions": {k: res[k] for k in ("torch", "snntorch", "nir")}, "export_checks": rows,
               "snntorch_graph": {"snntorch_accuracy": res["snntorch_accuracy"],
                                  "snntorch_reimported_accuracy": res["snntorch_reimported_accuracy"],
                                  **{f"tpneuro_{p}": d.accuracies for p, d in deployed.items()},
                                  "loihi1_energy": deployed["loihi1"].energy}}
    (work / "bench_nir.json").write_text(json.dumps(summary, indent=2))
    print(f"versions: {summary['versions']}")
    print(f"{'graph':>14} {'steps':>6} {'readout':>8} {'agree %':>8} {'snnTorch %':>11} {'brian2 %':>9}")
    for r in rows:
        print(f"{r['graph']:>14} {r['steps']:>6} {r['readout_steps']:>8} {100 * r['agreement_with_brian2']:8.2f} "
              f"{100 * r['snntorch_accuracy']:11.2f} {100 * r['brian2_accuracy']:9.2f}")
    s = summary["snntorch_graph"]
    print(f"snnTorch's own 64-32-10 Leaky network: {100 * s['snntorch_accuracy']:.2f} % (re-imported by snnTorch "
          f"{100 * s['snntorch_reimported_accuracy']:.2f} %); tpneuro ideal "
          + ", ".join(f"{100 * a:.2f}" for a in s["tpneuro_ideal"]) + " %, loihi1 "
          + ", ".join(f"{100 * a:.2f}" for a in s["tpneuro_loihi1"]) + " %")
    print(f"results in {work / 'bench_nir.json'}")


if __name__ == "__main__":
    main()
