"""Stochastic-bit and discrete networks (Lee et al. 2015, arXiv 1412.7525, Secs. 3.2-3.3): DTP against
backpropagation with the straight-through estimator, at equal epochs, over several seeds.

    python benchmarks/bench_stochastic.py [--epochs 10] [--seeds 3] [--first-seed 42] [--workers 1]
        [--networks stochastic,discrete] [--rules dtp,bp] [--dtp-set KEY=VALUE ...] [--bp-set KEY=VALUE ...]
        [--eval-passes N]

Trains models/fmnist_{stochastic,discrete}_{dtp,bp_ste}.yaml with seeds 42, 43, ... and prints, per run and as
mean ± std over seeds, the best validation error, the test error at the best-validation epoch and after the last
epoch, and DTP's margin over BP per network. ``--dtp-set``/``--bp-set`` override config keys of one rule's
configs (dotted, YAML values, e.g. ``--bp-set optimizer.lr=0.00917``), so a hyper-parameter search gives both
rules the same number of trials; ``--eval-passes`` sets the stochastic test passes (100 in the configs; fewer
make screening runs faster, as evaluation of 15,000 images x 100 passes dominates an epoch's time). Lee et al.
trained on MNIST for 1000 (stochastic) and 500 (discrete) epochs; Fashion-MNIST is used here because it is the dataset this machine has (models/mnist_stochastic_dtp.yaml takes MNIST). With
``--workers`` > 1 the runs go to separate processes: set OMP_NUM_THREADS=1 so they do not oversubscribe the cores.
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import yaml

from tpneuro.config import load_config
from tpneuro.training import train

from results_file import ResultsFile

NETWORKS = {"stochastic": ("784-200-200-10, Bernoulli units", "fmnist_stochastic_dtp", "fmnist_stochastic_bp_ste"),
            "discrete": ("784-500-500-10, sign units", "fmnist_discrete_dtp", "fmnist_discrete_bp_ste")}


def parse_sets(items: list[str]) -> dict:
    """``KEY=VALUE`` strings to dotted config overrides, the values read as YAML (numbers, lists, ...)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"override {item!r} is not KEY=VALUE")
        out[key] = yaml.safe_load(value)
    return out


def run(name: str, seed: int, epochs: int, overrides: dict) -> tuple[str, int, float, float, float, float, int]:
    """(config name, seed, best validation error %, test error % at the best-validation epoch, after the last
    epoch, seconds, best epoch)."""
    cfg = load_config(f"models/{name}.yaml", {**overrides, "training.epochs": epochs, "seed": seed})
    start = time.perf_counter()
    res = train(cfg, progress=False)
    val, best = 100 * (1 - res.summary["best_val_acc"]), 100 * (1 - res.summary["test_acc_at_best_val"])
    last, seconds = 100 * (1 - res.history[-1]["test_acc"]), time.perf_counter() - start
    print(f"done {name} seed {seed} {overrides}: val {val:.2f} %, test {best:.2f} % (best val, epoch "
          f"{res.summary['best_epoch']}), {last:.2f} % (last), {seconds:.0f} s", flush=True)
    return name, seed, val, best, last, seconds, res.summary["best_epoch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=42)
    parser.add_argument("--networks", default="stochastic,discrete")
    parser.add_argument("--rules", default="dtp,bp", help="dtp, bp or both")
    parser.add_argument("--dtp-set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--bp-set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--eval-passes", type=int, default=None)
    args = parser.parse_args()
    results = ResultsFile()
    networks, rules = args.networks.split(","), args.rules.split(",")
    sets = {"dtp": parse_sets(args.dtp_set), "bp": parse_sets(args.bp_set)}
    if args.eval_passes is not None:
        for rule_sets in sets.values():
            rule_sets["training.eval_passes"] = args.eval_passes
    names = {net: [name for name, rule in zip(NETWORKS[net][1:], ("dtp", "bp")) if rule in rules] for net in networks}
    jobs = [(name, args.first_seed + s, args.epochs, sets["dtp" if name.endswith("dtp") else "bp"])
            for net in networks for name in names[net] for s in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(run, *zip(*jobs)))
    rows, stats = [], {}
    for net in networks:
        for name in names[net]:
            mine = [r for r in runs if r[0] == name]
            val, best, last = (np.array([r[k] for r in mine]) for k in (2, 3, 4))
            stats[name] = best.mean()
            rule = "DTP" if name.endswith("dtp") else "BP (straight-through)"
            rows.append([f"{net} ({NETWORKS[net][0]})", rule, f"{val.mean():.2f} ± {val.std():.2f}",
                         f"{best.mean():.2f} ± {best.std():.2f}", f"{last.mean():.2f} ± {last.std():.2f}",
                         f"{np.mean([r[5] for r in mine]):.0f}"])
    head = ["network", "rule", "best val error %", "test error % (best val)", f"test error % (epoch {args.epochs})",
            "s / run"]
    seeds = f"{args.first_seed}..{args.first_seed + args.seeds - 1}"
    results.table(f"Fashion-MNIST, {args.epochs} epochs, mean ± std over {args.seeds} seeds ({seeds}); "
                  f"DTP overrides {sets['dtp']}, BP overrides {sets['bp']}", head, rows)
    for net in networks:
        if len(names[net]) < 2:
            continue
        dtp, bp = stats[NETWORKS[net][1]], stats[NETWORKS[net][2]]
        results.note(f"{net}: DTP {'beats' if dtp < bp else 'does not beat'} BP-STE (DTP's margin {bp - dtp:+.2f} "
                     "points of best-val test error)")
    results.write()


if __name__ == "__main__":
    main()
