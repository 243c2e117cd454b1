"""Fashion-MNIST benchmark of the rate engine against Meulemans et al. 2020's reference points.

    python benchmarks/bench_rules.py [--epochs 2] [--rules bp,dtp,drl,ddtp_linear,ddtp_rhl] [--dtypes float64,float32]
                                     [--epochs-fb N]

``--epochs-fb 0`` skips the feedback pre-training: the per-epoch time is the same computation, so this
times the rules quickly, but the accuracy columns then no longer follow the paper's schedule.

Trains each rule with its paper config (models/fmnist_RULE.yaml, seed 42) in its own process and prints
one table: test accuracy after epoch 2 (and best-validation test accuracy at the last epoch), wall
seconds per epoch (training pass + the extra feedback epoch), speed-up over the original PyTorch code,
achieved matmul GFLOP/s against numpy's matmul throughput on this machine, and peak memory.
Reference points (DESIGN.md section 2, measured with the original code on a 2-core CPU, seed 42).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np


from results_file import ResultsFile

REF_ACC_2EP = {"bp": 84.8, "ddtp_linear": 84.5, "drl": 83.1, "dtp": 82.5, "ddtp_rhl": 83.7}
REF_SECONDS = {("bp", "float64"): 4.7, ("dtp", "float64"): 12.2, ("ddtp_linear", "float64"): 23.2,
               ("ddtp_linear", "float32"): 15.3, ("drl", "float64"): 43.5, ("ddtp_rhl", "float64"): 61.3}
TP_RULES = {"dtp", "drl", "ddtp_linear", "ddtp_rhl"}


def numpy_matmul_gflops(dtype: str) -> float:
    """Throughput of (128 x 256) @ (256 x 256) products, the dominant shape of these networks."""
    a = np.random.default_rng(0).random((128, 256)).astype(dtype)
    b = np.random.default_rng(1).random((256, 256)).astype(dtype)
    for _ in range(50):
        a @ b
    n, start = 2000, time.perf_counter()
    for _ in range(n):
        a @ b
    return 2 * 128 * 256 * 256 * n / (time.perf_counter() - start) / 1e9


def run_one(rule: str, dtype: str, epochs: int, epochs_fb: int | None, queue) -> None:
    from tpneuro.config import load_config
    from tpneuro.training import train

    overrides = {"training.epochs": epochs, "network.dtype": dtype}
    if epochs_fb is not None:
        overrides["training.epochs_fb"] = epochs_fb
    cfg = load_config(f"models/fmnist_{rule}.yaml", overrides)
    start = time.perf_counter()
    res = train(cfg, progress=False)
    total = time.perf_counter() - start
    hist = res.history
    macs = res.state.rule.training_macs(cfg.training.extra_fb_epochs)
    epoch_s = float(np.median([r["epoch_seconds"] for r in hist]))
    queue.put({
        "rule": rule, "dtype": dtype, "epochs": epochs,
        "acc_2ep": 100 * hist[min(1, len(hist) - 1)]["test_acc"],
        "acc_best_val": 100 * res.summary["test_acc_at_best_val"],
        "epoch_s": epoch_s, "total_s": total,
        "gflops": 2 * macs * 55000 / epoch_s / 1e9,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rules", default="bp,dtp,drl,ddtp_linear,ddtp_rhl")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--epochs-fb", type=int, default=None,
                        help="feedback pre-training epochs (default: the config's; 0 to time epochs only)")
    args = parser.parse_args()
    results = ResultsFile()
    ctx = mp.get_context("spawn")
    peak = {d: numpy_matmul_gflops(d) for d in args.dtypes.split(",")}
    rows = []
    for dtype in args.dtypes.split(","):
        for rule in args.rules.split(","):
            q = ctx.Queue()
            p = ctx.Process(target=run_one, args=(rule, dtype, args.epochs, args.epochs_fb, q))
            p.start()
            rows.append(q.get())
            p.join()
            r = rows[-1]
            print(f"done {rule} {dtype}: {r['acc_2ep']:.2f} % after 2 epochs, {r['epoch_s']:.2f} s/epoch", flush=True)
    schedule = "paper schedule" if args.epochs_fb is None else f"epochs_fb = {args.epochs_fb}"
    head = ["rule", "dtype", "test % ep2", "paper ep2", f"best-val test % ({args.epochs} ep)", "s/epoch",
            "original s", "speed-up", ">=4x", "GFLOP/s", "of matmul peak", "peak MiB"]
    table = []
    for r in rows:
        ref_s = REF_SECONDS.get((r["rule"], r["dtype"])) or REF_SECONDS.get((r["rule"], "float64"))
        speed = ref_s / r["epoch_s"] if ref_s else float("nan")
        table.append([r["rule"], r["dtype"], f"{r['acc_2ep']:.2f}", f"{REF_ACC_2EP.get(r['rule'], float('nan')):.1f}",
                      f"{r['acc_best_val']:.2f}", f"{r['epoch_s']:.2f}", f"{ref_s}", f"{speed:.2f}x",
                      ("yes" if speed >= 4 else "no") if r["rule"] in TP_RULES else "-",
                      f"{r['gflops']:.1f}", f"{100 * r['gflops'] / peak[r['dtype']]:.0f} %", f"{r['peak_mib']:.0f}"])
    results.table(f"Fashion-MNIST, 784-256x5-10, seed 42, {args.epochs} epochs ({schedule}); numpy matmul "
                  "(128x256 @ 256x256): " + ", ".join(f"{d} {g:.1f} GFLOP/s" for d, g in peak.items()), head, table)
    results.write()


if __name__ == "__main__":
    main()
