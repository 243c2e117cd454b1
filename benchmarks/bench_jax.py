"""Seconds per Fashion-MNIST epoch of the numpy rate engine and the JAX engine, measured in one command.

    python benchmarks/bench_jax.py [--rules bp,tp,dtp,drl,ddtp_linear,ddtp_rhl] [--dtypes float32,float64]
                                   [--repeats 2] [--device cpu|gpu] [--seeds N] [--cores N] [--skip-rate]

Each rule runs its paper config (models/fmnist_RULE.yaml, 784-256x5-10, batch 128, seed 42). An epoch is what the
trainer times: one pass of minibatches with a feedback step each, plus the config's extra feedback-only epochs
(one for DRL, DDTP-linear and DDTP-RHL), without evaluation. Both engines run in their own worker process, each
with its network built and (JAX) compiled once; the parent then asks them for epochs in turn, rate, jax, rate,
jax, ... (``--repeats`` each), so that a change in the machine's load hits both alike, and reports the median.
The JAX engine's first epoch, which includes XLA's compilation, is reported apart.

GFLOP/s counts the matrix products the rule declares (``LearningRule.training_macs``, 2 FLOPs per MAC, 55000
training samples); the peak is the best throughput numpy or XLA reached, over all workers of the dtype, on the
networks' dominant product, (128 x 256) @ (256 x 256), on this machine with the workers' cores (``--cores``).

``--seeds N`` also times N networks of DDTP-linear (seeds 42..) trained as one vmapped JAX program. ``--device
gpu`` runs the JAX worker on the GPU (the numpy engine stays on the CPU) and says whether the GPU targets are met
(DDTP-linear under 0.5 s and DRL under 1 s per epoch in float32, 32 DDTP-linear networks under 5 s). ``--skip-rate``
times the JAX engine alone. ``--cores N`` runs both workers on the machine's first N cores (the parent sets its
CPU affinity, which the workers inherit) with N OpenBLAS threads, so that neither engine uses more cores than
the other: XLA's CPU runtime starts threads of its own that thread flags alone do not stop (default: every core,
each library's own thread count). The table is printed and written (benchmarks/results_file.py), with the exact
command, the machine, the library versions and every measurement with the load average during it, to
benchmarks/results/bench_jax--ARGS.json.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
from pathlib import Path

import numpy as np

from results_file import ResultsFile

ROOT = Path(__file__).resolve().parent.parent
TP_RULES = ("tp", "dtp", "drl", "ddtp_linear", "ddtp_rhl")
GPU_TARGETS = (("ddtp_linear", "float32", 1, 0.5), ("drl", "float32", 1, 1.0), ("ddtp_linear", "float32", 32, 5.0))
PRODUCT = (128, 256, 256)            # the dominant matrix product of 784-256x5-10 at batch 128
SHARED_MACHINE_NOTE = ("The machine may be shared with other jobs: the load average (processes ready to run, on "
                       "{cores} cores) is recorded with every measurement; rate and jax epochs alternate so that "
                       "load changes hit both, but a loaded machine slows both and widens the spread.")


# -- the workers ---------------------------------------------------------------------------------------------
def _restrict_to_cores(cores: int | None) -> None:
    """Run this process, and the workers it spawns (which inherit both), on the first ``cores`` CPUs with as many
    OpenBLAS threads; XLA sizes its thread pool from the CPUs the process may use (None: leave all as they are)."""
    if cores is None:
        return
    available = sorted(os.sched_getaffinity(0))
    if not 1 <= cores <= len(available):
        raise SystemExit(f"--cores {cores}: this machine lets the benchmark use {len(available)} cores; "
                         f"give 1 to {len(available)}")
    os.sched_setaffinity(0, available[:cores])
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(cores)


def _peak_gflops(engine: str, dtype: str, device: str | None) -> float:
    m, k, n = PRODUCT
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k)).astype(dtype), rng.random((k, n)).astype(dtype)
    if engine == "jax":
        import jax

        dev = jax.devices(device)[0] if device else jax.devices()[0]
        a, b = jax.device_put(a, dev), jax.device_put(b, dev)

        @jax.jit
        def chain(a, b):                 # 20 dependent products in one program, scaled to stay finite
            for _ in range(20):
                a = (a @ b) * (1.0 / k)
            return a

        chain(a, b).block_until_ready()
        reps, start = 50, time.perf_counter()
        for _ in range(reps):
            chain(a, b).block_until_ready()
        return 2 * m * k * n * 20 * reps / (time.perf_counter() - start) / 1e9
    for _ in range(50):
        a @ b
    reps, start = 2000, time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * m * k * n * reps / (time.perf_counter() - start) / 1e9


def worker(engine: str, rule: str, dtype: str, seeds: int, device: str | None, conn) -> None:
    """Build the paper config's network(s) on ``engine`` and answer ``epoch`` requests with (seconds, mean loss)."""
    from tpneuro.config import load_config
    from tpneuro.engines.protocol import EpochWork
    from tpneuro.runs import assemble, load_data, preflight

    options = {"device": device} if engine == "jax" and device else {}
    cfgs = [load_config(ROOT / "models" / f"fmnist_{rule}.yaml",
                        {"engine": engine, "engine_options": options, "network.dtype": dtype, "seed": 42 + s})
            for s in range(seeds)]
    data = load_data(cfgs[0])
    runs = [assemble(preflight(cfg), data=data, progress=False) for cfg in cfgs]
    engine_obj = runs[0].engine
    extra = cfgs[0].training.extra_fb_epochs if runs[0].state.rule.has_trained_feedback else 0
    n, bs = len(data.y_train), cfgs[0].training.batch_size

    def works():
        out = []
        for run in runs:
            order = run.rngs["shuffle"].permutation(n)
            out.append(EpochWork(run.state, data.x_train, data.y_train, [order[s:s + bs] for s in range(0, n, bs)],
                                 run.rngs["noise"]))
        return out

    info = {"macs": runs[0].state.rule.training_macs(extra), "peak_gflops": _peak_gflops(engine, dtype, device),
            "n_train": n, "networks": seeds}
    if engine == "jax":
        import jax

        info["device"] = str(engine_obj.device.device_kind) + f" ({engine_obj.device.platform})"
        info["jax"] = jax.__version__
    conn.send(info)
    while conn.recv() == "epoch":
        load = os.getloadavg()[0]
        start = time.perf_counter()
        results = engine_obj.train_epochs(works(), cfgs[0].training.input_noise)
        for _ in range(extra):
            engine_obj.feedback_epochs(works())
        seconds = time.perf_counter() - start
        loss = float(np.mean([np.mean(r.losses) for r in results]))
        conn.send({"seconds": seconds, "loss": loss, "load": load})


class Worker:
    def __init__(self, ctx, *args):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker, args=(*args, child))
        self.process.start()
        self.info = self.conn.recv()

    def epoch(self) -> dict:
        self.conn.send("epoch")
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send("stop")
        self.process.join()


# -- the measurement -----------------------------------------------------------------------------------------
def measure(ctx, rule: str, dtype: str, args, seeds: int = 1, engines=("rate", "jax")) -> dict:
    """Interleaved epochs of the engines on one rule and dtype; their medians and what they are worth."""
    workers = {e: Worker(ctx, e, rule, dtype, seeds if e == "jax" else 1, args.device)
               for e in engines}
    try:
        first = {e: workers[e].epoch() for e in engines if e == "jax"}     # includes compilation
        epochs = {e: [] for e in engines}
        for _ in range(args.repeats):
            for e in engines:
                epochs[e].append(workers[e].epoch())
    finally:
        for w in workers.values():
            w.close()
    out = {"rule": rule, "dtype": dtype, "seeds": seeds}
    for e in engines:
        info, secs = workers[e].info, [r["seconds"] for r in epochs[e]]
        median = float(np.median(secs))
        gflops = 2 * info["macs"] * info["n_train"] * info["networks"] / median / 1e9
        out[e] = {"seconds": secs, "median": median, "gflops": gflops, "peak": info["peak_gflops"],
                  "loads": [r["load"] for r in epochs[e]], "losses": [r["loss"] for r in epochs[e]],
                  **({"first_epoch": first[e]["seconds"]} if e in first else {}),
                  **{k: info[k] for k in ("device", "jax") if k in info}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default="bp,tp,dtp,drl,ddtp_linear,ddtp_rhl")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--repeats", type=int, default=2, help="timed epochs per engine (after JAX's first)")
    parser.add_argument("--device", choices=("cpu", "gpu"), default=None, help="the JAX engine's device")
    parser.add_argument("--seeds", type=int, default=0, help="also time N DDTP-linear networks as one vmapped job")
    parser.add_argument("--cores", type=int, default=None, help="run both engines on N cores (CPU affinity)")
    parser.add_argument("--skip-rate", action="store_true",
                        help="time the JAX engine only (no numpy engine, no speed-up), e.g. on a GPU machine")
    args = parser.parse_args()
    _restrict_to_cores(args.cores)
    results = ResultsFile()
    ctx = mp.get_context("spawn")
    engines = ("jax",) if args.skip_rate else ("rate", "jax")
    raw = []
    for dtype in args.dtypes.split(","):
        for rule in args.rules.split(","):
            m = measure(ctx, rule, dtype, args, engines=engines)
            raw.append(m)
            print(f"done {rule} {dtype}: " + ", ".join(f"{e} {m[e]['median']:.2f} s" for e in engines), flush=True)
    for dtype in (args.dtypes.split(",") if args.seeds else []):
        m = measure(ctx, "ddtp_linear", dtype, args, seeds=args.seeds, engines=("jax",))
        raw.append(m)
    jax_info = raw[0]["jax"]
    dtype_peaks = {d: {e: max(m[e]["peak"] for m in raw if m["dtype"] == d and e in m) for e in engines}
                   for d in args.dtypes.split(",")}
    rows = [_row(m["rule"] if m["seeds"] == 1 else f"{m['rule']} x{m['seeds']} vmapped", m,
                 max(dtype_peaks[m["dtype"]].values())) for m in raw]
    head = ["rule", "dtype", "rate s/epoch", "jax s/epoch", "jax 1st epoch s", "speed-up", "rate GFLOP/s",
            "jax GFLOP/s", "rate of peak", "jax of peak", "peak GFLOP/s", "load avg"]
    results.table(f"Fashion-MNIST, 784-256x5-10, batch 128, paper configs; s/epoch = training pass + extra feedback "
                  f"epochs, median of {args.repeats}; jax on {jax_info.get('device')}, jax {jax_info.get('jax')}; "
                  f"peak = the best numpy or XLA GFLOP/s of (128x256)@(256x256) in the dtype over all "
                  f"workers; x N vmapped: N networks per epoch",
                  head, rows)
    results.note(SHARED_MACHINE_NOTE.format(cores=os.cpu_count()))
    results.note(f"Both engines ran on {len(os.sched_getaffinity(0))} of the {os.cpu_count()} cores (CPU affinity), "
                 f"numpy with as many OpenBLAS threads.")
    for dtype, peaks in dtype_peaks.items():
        results.note(f"{dtype} matrix-multiply peak, (128x256)@(256x256), best of the workers: "
                     + ", ".join(f"{'numpy (OpenBLAS)' if e == 'rate' else 'XLA'} {v:.1f} GFLOP/s"
                                 for e, v in peaks.items()))
    for dtype in args.dtypes.split(","):
        ratios = {m["rule"]: m["rate"]["median"] / m["jax"]["median"] for m in raw
                  if m["dtype"] == dtype and "rate" in m and m["rule"] in TP_RULES and m["seeds"] == 1}
        if ratios:
            target = 2.5 if dtype == "float32" else 1.0
            met = all(v >= target for v in ratios.values())
            results.note(f"{dtype}: jax/rate speed-up on the TP rules " + ", ".join(f"{k} {v:.2f}x" for k, v in
                         ratios.items()) + f"; target >= {target}x on every TP rule: {'met' if met else 'NOT met'}")
    if args.device == "gpu":
        for rule, dtype, seeds, limit in GPU_TARGETS:
            found = [m["jax"]["median"] for m in raw if (m["rule"], m["dtype"], m["seeds"]) == (rule, dtype, seeds)]
            if found:
                results.note(f"GPU target {rule} x{seeds} {dtype} under {limit} s per epoch: {found[0]:.2f} s, "
                             f"{'met' if found[0] < limit else 'NOT met'}")
    results.write(measurements=raw)


def _row(name: str, m: dict, peak: float) -> list:
    """One table row: per engine seconds per epoch (median), GFLOP/s and fraction of the peak."""
    r, j = m.get("rate"), m["jax"]
    dash = "-"
    return [name, m["dtype"], f"{r['median']:.2f}" if r else dash, f"{j['median']:.2f}", f"{j['first_epoch']:.1f}",
            f"{r['median'] / j['median']:.2f}x" if r else dash, f"{r['gflops']:.1f}" if r else dash,
            f"{j['gflops']:.1f}", f"{100 * r['gflops'] / peak:.0f} %" if r else dash,
            f"{100 * j['gflops'] / peak:.0f} %", f"{peak:.1f}", f"{np.mean((r['loads'] if r else []) + j['loads']):.1f}"]

if __name__ == "__main__":
    main()
