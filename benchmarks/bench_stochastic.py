"""Stochastic-bit and discrete networks (Lee et al. 2015, arXiv 1412.7525, Secs. 3.2-3.3): DTP against
backpropagation with the straight-through estimator, at equal epochs.

    python benchmarks/bench_stochastic.py [--epochs 10] [--dataset fashion_mnist]

Trains models/fmnist_{stochastic,discrete}_{dtp,bp_ste}.yaml and prints the test error at the
best-validation epoch and after the last epoch. Lee et al. trained on MNIST for 1000 epochs; Fashion-MNIST
is used here because it is the dataset this machine has (models/mnist_stochastic_dtp.yaml takes MNIST).
"""
from __future__ import annotations

import argparse
import time

from tpneuro.config import load_config
from tpneuro.training import train

PAIRS = {"stochastic (784-200-200-10, Bernoulli units)": ("fmnist_stochastic_dtp", "fmnist_stochastic_bp_ste"),
         "discrete (784-500-500-10, sign units)": ("fmnist_discrete_dtp", "fmnist_discrete_bp_ste")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    for network, configs in PAIRS.items():
        for name in configs:
            cfg = load_config(f"models/{name}.yaml", {"training.epochs": args.epochs})
            start = time.perf_counter()
            res = train(cfg, progress=False)
            rows.append([network, cfg.rule.name + (" (straight-through)" if cfg.rule.name == "bp" else ""),
                         f"{100 * (1 - res.summary['test_acc_at_best_val']):.2f}",
                         f"{100 * (1 - res.history[-1]['test_acc']):.2f}", f"{time.perf_counter() - start:.0f}"])
            print("done", name, rows[-1][2:], flush=True)
    head = ["network", "rule", "test error % (best val)", f"test error % (epoch {args.epochs})", "seconds"]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    for line in [head, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)))


if __name__ == "__main__":
    main()
