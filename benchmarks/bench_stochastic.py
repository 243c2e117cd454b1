"""Stochastic-bit and discrete networks (Lee et al. 2015, arXiv 1412.7525, Secs. 3.2-3.3): DTP against
backpropagation with the straight-through estimator, at equal epochs, over several seeds.

    python benchmarks/bench_stochastic.py [--epochs 10] [--seeds 3] [--workers 1] [--networks stochastic,discrete]

Trains models/fmnist_{stochastic,discrete}_{dtp,bp_ste}.yaml with seeds 42, 43, ... and prints the test error
(mean ± std over seeds) at the best-validation epoch and after the last epoch, and DTP's margin over BP per
network. Lee et al. trained on MNIST for 1000 (stochastic) and 500 (discrete) epochs; Fashion-MNIST is used
here because it is the dataset this machine has (models/mnist_stochastic_dtp.yaml takes MNIST). With
``--workers`` > 1 the runs go to separate processes: set OMP_NUM_THREADS=1 so they do not oversubscribe the cores.
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from tpneuro.config import load_config
from tpneuro.training import train

NETWORKS = {"stochastic": ("784-200-200-10, Bernoulli units", "fmnist_stochastic_dtp", "fmnist_stochastic_bp_ste"),
            "discrete": ("784-500-500-10, sign units", "fmnist_discrete_dtp", "fmnist_discrete_bp_ste")}


def run(name: str, seed: int, epochs: int) -> tuple[str, int, float, float, float]:
    """(config name, seed, test error % at the best-validation epoch, after the last epoch, seconds)."""
    cfg = load_config(f"models/{name}.yaml", {"training.epochs": epochs, "seed": seed})
    start = time.perf_counter()
    res = train(cfg, progress=False)
    best, last = 100 * (1 - res.summary["test_acc_at_best_val"]), 100 * (1 - res.history[-1]["test_acc"])
    print(f"done {name} seed {seed}: {best:.2f} % (best val), {last:.2f} % (last)", flush=True)
    return name, seed, best, last, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--networks", default="stochastic,discrete")
    args = parser.parse_args()
    networks = args.networks.split(",")
    jobs = [(name, 42 + s, args.epochs) for net in networks for name in NETWORKS[net][1:] for s in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, *zip(*jobs)))
    rows, stats = [], {}
    for net in networks:
        for name in NETWORKS[net][1:]:
            mine = [r for r in results if r[0] == name]
            best, last = np.array([r[2] for r in mine]), np.array([r[3] for r in mine])
            stats[name] = best.mean()
            rule = "DTP" if name.endswith("dtp") else "BP (straight-through)"
            rows.append([f"{net} ({NETWORKS[net][0]})", rule, f"{best.mean():.2f} ± {best.std():.2f}",
                         f"{last.mean():.2f} ± {last.std():.2f}", f"{np.mean([r[4] for r in mine]):.0f}"])
    head = ["network", "rule", "test error % (best val)", f"test error % (epoch {args.epochs})", "s / run"]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    print(f"\nFashion-MNIST, {args.epochs} epochs, mean ± std over {args.seeds} seeds (42..{41 + args.seeds})")
    for line in [head, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)))
    for net in networks:
        dtp, bp = stats[NETWORKS[net][1]], stats[NETWORKS[net][2]]
        print(f"{net}: DTP {'beats' if dtp < bp else 'does not beat'} BP-STE (DTP's margin {bp - dtp:+.2f} points of "
              "best-val test error)")


if __name__ == "__main__":
    main()
