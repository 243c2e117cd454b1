"""The brian2 spiking engine: accuracy against the rate engine, speed per code-generation target and against
the nengo engine, and an optional Fashion-MNIST run.

    python benchmarks/bench_brian2.py [--epochs 2] [--train-subset N] [--rule ddtp_linear | drl] [--hidden 64]
                                      [--skip-accuracy] [--skip-speed]
                                      [--speed-samples 64] [--targets cpp_standalone,cython,numpy]
                                      [--fashion-mnist N | --fashion-mnist epoch] [--fmnist-test 1000]
                                      [--fmnist-lr 0.005] [--fmnist-hidden-lr 0.2]
                                      [--fmnist-engines rate,brian2]

1. Accuracy (digits, sklearn 8x8, 64-64-10 soft_lif, DDTP-linear beta 0.1 sigma 0.1, batch 32, one feedback
   pre-training epoch, seed 0): the rate engine with the config's Adam optimizers against the brian2 engine
   (cpp_standalone, default Brian2Options: in-simulation plasticity, learning_rate 0.2 = SGD step per sample
   times beta), both through tpneuro.training's Trainer. The criterion: brian2 within 3 points of the rate
   engine. ``--rule drl --hidden 64,64`` runs the layer-wise mapping instead (DRL with linear feedback, the
   chain output -> layer 2 -> layer 1) on 64-64-64-10.
2. Speed (the same network; one warm-up call that builds/compiles, then a timed call of ``train_batch`` on
   ``--speed-samples`` samples, fewer on the slow targets): wall seconds per training sample and per simulated
   second, synaptic events (spikes x fan-out) per wall second, for cpp_standalone, cython and numpy and for
   the nengo engine (reference simulator, its own defaults: dt 1 ms) on the same network and samples.
3. ``--fashion-mnist N`` (or ``epoch`` for all 60000 - 500 validation samples): one epoch of
   models/fmnist_ddtp_linear_brian2.yaml (784-256-10 DDTP-linear, init_gain [3, 1]) on each of
   ``--fmnist-engines``: the rate engine (Adam minibatches) and the brian2 engine (cpp_standalone, online, the
   file's engine options: the FAST phases, readout step 0.005 and hidden step 0.2, or ``--fmnist-lr`` and
   ``--fmnist-hidden-lr``); test accuracy on ``--fmnist-test`` test samples, wall and CPU seconds (this process
   and its standalone binaries; a loaded machine inflates wall time more), the load average. Measured: the
   documentation's results page of this benchmark (from benchmarks/results/).
"""
from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from tpneuro.config import validate_config
from tpneuro.data import load_dataset
from tpneuro.engines.registry import get_engine
from tpneuro.runs import build_state
from tpneuro.training import Trainer
from tpneuro.yaml_files import read_yaml

from results_file import ResultsFile


def digits_config(engine: str, epochs: int, train_subset: int | None, engine_options: dict | None = None,
                  rule: str = "ddtp_linear", hidden: tuple[int, ...] = (64,)) -> dict:
    data = {"name": "digits", **({"train_subset": train_subset} if train_subset else {})}
    hyper = {"beta": 0.1, "sigma": 0.1} | ({"feedback_activation": "linear"} if rule == "drl" else {})
    return {"name": f"digits_{engine}", "seed": 0, "engine": engine, "dataset": data,
            "network": {"hidden": list(hidden), "activation": "soft_lif", "output_activation": "linear"},
            "rule": {"name": rule, **hyper},
            "optimizer": {"lr": 0.001}, "feedback_optimizer": {"lr": 0.001},
            "training": {"epochs": epochs, "batch_size": 32, "epochs_fb": 1, "extra_fb_epochs": 0},
            "diagnostics": {"enabled": False}, "engine_options": engine_options or {}}


def accuracy(epochs: int, train_subset: int | None, rule: str, hidden: tuple[int, ...]) -> list[dict]:
    rows = []
    for engine in ("rate", "brian2"):
        cfg = digits_config(engine, epochs, train_subset, rule=rule, hidden=hidden)
        trainer = Trainer(validate_config(cfg, "bench_brian2"), progress=False)
        start = time.perf_counter()
        result = trainer.run()
        n_train = len(trainer.data.y_train) * len(result.history)
        rows.append({"engine": engine, "test": 100 * result.history[-1]["test_acc"],
                     "best_val_test": 100 * result.summary["test_acc_at_best_val"],
                     "wall": time.perf_counter() - start,
                     "per_sample": sum(h["epoch_seconds"] for h in result.history) / n_train,
                     "n_train": len(trainer.data.y_train), "n_test": len(trainer.data.y_test)})
        print(f"accuracy {engine}: {rows[-1]['test']:.2f} % in {rows[-1]['wall']:.0f} s", flush=True)
    return rows


def speed(engine_name: str, options: dict, n: int) -> dict:
    """Warm-up call (build, compile), then one timed train_batch on n digits samples."""
    cfg = validate_config(digits_config(engine_name, 1, None, options), "bench_brian2")
    data = load_dataset("digits", seed=0)
    rng = np.random.default_rng(0)
    state = build_state(cfg, data.input_size, data.n_classes, rng)
    engine = get_engine(engine_name, "bench_brian2", options)
    start = time.perf_counter()
    engine.train_batch(state, data.x_train[:2], data.y_train[:2], rng, True)
    build = time.perf_counter() - start
    start = time.perf_counter()
    engine.train_batch(state, data.x_train[2:2 + n], data.y_train[2:2 + n], rng, True)
    wall = time.perf_counter() - start
    c = engine.last_counts
    events = sum(c["synaptic_events"].values())
    return {"engine": engine_name + (f" {options['target']}" if "target" in options else ""), "samples": n,
            "first_call": build, "per_sample": wall / n, "per_sim_s": wall / c["simulated_seconds"],
            "events_per_s": events / wall, "events_per_sample": events / n,
            "sim_per_sample": c["simulated_seconds"] / n}


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the cpp_standalone binaries): a measure of the
    work that a loaded machine inflates less than wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


FASHION_CONFIG = "models/fmnist_ddtp_linear_brian2.yaml"


def fashion_config(engine: str, n_train: int | None, n_test: int, engine_options: dict | None = None) -> dict:
    """models/fmnist_ddtp_linear_brian2.yaml (784-256-10 soft_lif DDTP-linear, init_gain [3, 1], one epoch, no
    feedback pre-training) on ``engine``: the rate engine with its Adam minibatches and no engine options; brian2
    with the file's engine options updated by ``engine_options``. ``n_train`` training samples (None: all) and
    ``n_test`` test samples."""
    cfg = read_yaml(FASHION_CONFIG, "config", FASHION_CONFIG)
    cfg["dataset"].update({**({"train_subset": n_train} if n_train else {}), "test_subset": n_test})
    cfg.update(name=f"fmnist_{engine}", engine=engine,
               engine_options={**cfg["engine_options"], **(engine_options or {})} if engine == "brian2" else {})
    return cfg


def fashion_mnist(engine: str, n_train: int | None, n_test: int, engine_options: dict | None = None) -> dict:
    """One epoch of fashion_config on ``engine``: test accuracy, wall time, wall seconds per training sample
    and, on brian2, wall seconds per simulated second of the training calls."""
    cfg = validate_config(fashion_config(engine, n_train, n_test, engine_options), "bench_brian2")
    trainer = Trainer(cfg, progress=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    result = trainer.run()
    row = {"engine": engine, "n_train": len(trainer.data.y_train), "n_test": len(trainer.data.y_test),
           "test": 100 * result.history[-1]["test_acc"], "wall": time.perf_counter() - start,
           "cpu": cpu_seconds() - cpu, "per_sample": result.history[-1]["epoch_seconds"] / len(trainer.data.y_train),
           "load": os.getloadavg()[0]}
    totals = getattr(trainer.engine, "totals", {}).get("train")
    if totals:
        row["per_sim_s"] = totals["wall_seconds"] / totals["simulated_seconds"]
    print(f"Fashion-MNIST {engine}: test {row['test']:.2f} % in {row['wall']:.0f} s", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-subset", type=int)
    parser.add_argument("--rule", default="ddtp_linear", choices=("ddtp_linear", "drl"),
                        help="digits accuracy: direct (ddtp_linear) or layer-wise (drl, linear feedback) mapping")
    parser.add_argument("--hidden", default="64", help="digits accuracy: hidden layer sizes, e.g. 64,64")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-samples", type=int, default=64, help="timed samples on cpp_standalone and nengo")
    parser.add_argument("--targets", default="cpp_standalone,cython,numpy")
    parser.add_argument("--fashion-mnist", help="N training samples, or 'epoch'")
    parser.add_argument("--fmnist-test", type=int, default=1000)
    parser.add_argument("--fmnist-engines", default="rate,brian2")
    parser.add_argument("--fmnist-lr", type=float, help="brian2 learning_rate (default: the config file's)")
    parser.add_argument("--fmnist-hidden-lr", type=float, help="brian2 hidden_learning_rate (default: the file's)")
    args = parser.parse_args()
    results = ResultsFile()

    if not args.skip_accuracy:
        hidden = tuple(int(n) for n in args.hidden.split(","))
        rows = accuracy(args.epochs, args.train_subset, args.rule, hidden)
        sizes = "-".join(str(n) for n in (64, *hidden, 10))
        results.table(f"digits {sizes} soft_lif {args.rule}, seed 0, {rows[0]['n_train']} training / "
                      f"{rows[0]['n_test']} test samples, {args.epochs} epochs (+1 feedback pre-training epoch)",
                      ["engine", "test %", "test % @best val", "wall s", "wall s/train sample"],
                      [[r["engine"], f"{r['test']:.2f}", f"{r['best_val_test']:.2f}", f"{r['wall']:.1f}",
                        f"{r['per_sample']:.4f}"] for r in rows])
        results.note(f"brian2 - rate: {rows[1]['test'] - rows[0]['test']:+.2f} points")

    if not args.skip_speed:
        n = args.speed_samples
        runs = [("brian2", {"target": t}, n if t == "cpp_standalone" else max(2, n // (4 if t == "cython" else 16)))
                for t in args.targets.split(",")] + [("nengo", {}, n)]
        rows = []
        for name, options, count in runs:
            rows.append(speed(name, options, count))
            print(f"speed {rows[-1]['engine']}: {rows[-1]['per_sample']:.3f} s/sample", flush=True)
        results.table("speed, digits 64-64-10 DDTP-linear training samples (free + noise + nudged phases); brian2 "
                      "dt 0.1 ms, nengo dt 1 ms; first call = build/compile + 2 samples",
                      ["engine", "samples", "first call s", "wall s/sample", "wall s/sim s", "sim s/sample",
                       "syn. events/sample", "syn. events/wall s"],
                      [[r["engine"], r["samples"], f"{r['first_call']:.1f}", f"{r['per_sample']:.4f}",
                        f"{r['per_sim_s']:.3f}", f"{r['sim_per_sample']:.3f}", f"{r['events_per_sample']:.0f}",
                        f"{r['events_per_s']:.3g}"] for r in rows])

    if args.fashion_mnist:
        n = None if args.fashion_mnist == "epoch" else int(args.fashion_mnist)
        options = {k: v for k, v in (("learning_rate", args.fmnist_lr), ("hidden_learning_rate", args.fmnist_hidden_lr))
                   if v is not None}
        rows = [fashion_mnist(engine, n, args.fmnist_test, options if engine == "brian2" else None)
                for engine in args.fmnist_engines.split(",")]
        used = fashion_config("brian2", n, args.fmnist_test, options)["engine_options"]
        results.table(f"Fashion-MNIST 784-256-10 DDTP-linear ({FASHION_CONFIG}), one epoch online on "
                      f"{rows[0]['n_train']} training samples, test on {rows[0]['n_test']}; brian2 cpp_standalone, "
                      f"learning_rate {used['learning_rate']}, hidden_learning_rate {used.get('hidden_learning_rate')} "
                      "(published spiking: desire backpropagation 87.56 %)",
                      ["engine", "test %", "wall s", "CPU s", "wall s/train sample", "wall s/sim s", "load"],
                      [[r["engine"], f"{r['test']:.2f}", f"{r['wall']:.0f}", f"{r['cpu']:.0f}",
                        f"{r['per_sample']:.4f}", f"{r['per_sim_s']:.3f}" if "per_sim_s" in r else "-",
                        f"{r['load']:.1f}"] for r in rows])
    results.write()


if __name__ == "__main__":
    main()
