"""The spiking feedback pathways on digits, per rule and engine: how one nudged phase agrees with the rate
engine's update, and what the pathway costs per training sample.

    python benchmarks/bench_feedback_populations.py [--engines nengo,brian2] [--samples N] [--hidden 32,32]

Network 64-32-32-10 (``--hidden``) soft-LIF, Xavier-normal weights times 8 for layer 1, 30 for the hidden layers
above it and 1 for the readout, zero biases (about 40 % of the hidden units fire, mean normalised rate 0.08 on
the test digits), seed 0, beta 0.1, sigma 0.1,
at each rule's own initialisation (no training); rules: DDTP-linear (direct linear feedback), DRL with linear
feedback (the layer-wise chain of difference coders), DTP and TP with soft_lif feedback (feedback populations
F+, F-). Engines at their default options; brian2 on its numpy target (no compile).

- Agreement: for each of the first N test digits, one free + nudged phase (``nudged_weight_change``) against
  the rate engine's -dL_i/dW_i of the rule (its LocalUpdate) on the same sample: per W_i the median over samples
  of the correlation and of the size ratio (in units of the layer's step learning_rate / beta), and the
  correlation and size of the changes summed over the N samples.
- Cost: one training call on the first 8 training digits with the noise phase on: per training sample the
  spikes and synaptic events (spikes x fan-out) of the feedback pathway (error and difference coders, feedback
  populations), of the forward pathway (input and hidden layers), the neurons of each, and wall seconds.

Prints both tables and writes them, with the command line and the machine, to its results file
(benchmarks/results_file.py).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import ResultsFile  # noqa: E402

from tpneuro.config import validate_config  # noqa: E402
from tpneuro.engines import get_engine  # noqa: E402
from tpneuro.network import forward  # noqa: E402
from tpneuro.network.loss import cross_entropy  # noqa: E402
from tpneuro.runs import build_state, load_data  # noqa: E402

RULES = {
    "ddtp_linear": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1},
    "drl": {"name": "drl", "beta": 0.1, "sigma": 0.1, "feedback_activation": "linear"},
    "dtp": {"name": "dtp", "beta": 0.1, "sigma": 0.1, "feedback_activation": "soft_lif"},
    "tp": {"name": "tp", "beta": 0.1, "sigma": 0.1, "feedback_activation": "soft_lif"},
}
ENGINE_OPTIONS = {"nengo": {}, "brian2": {"target": "numpy"}}


def make_state(rule: dict, hidden: list[int]):
    cfg = validate_config({"seed": 0, "dataset": {"name": "digits"},
                           "network": {"hidden": hidden, "activation": "soft_lif",
                                       "init_gain": [8.0] + [30.0] * (len(hidden) - 1) + [1.0]},
                           "rule": rule, "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3}},
                          "bench_feedback_populations")
    data = load_data(cfg)
    return build_state(cfg, data.input_size, data.n_classes, np.random.default_rng(0)), data


def rate_update(state, x, y) -> dict[int, np.ndarray]:
    """-dL_i/dW_i of the rule's LocalUpdate for one sample."""
    act = forward(state.spec, state.forward_params, x)
    updates = state.rule.forward_updates(state.forward_params, state.feedback_params, act,
                                         cross_entropy(act.output, y).grad_output)
    return {i: -u.weight_gradient() for i, u in enumerate(updates, start=1)}


def agreement(engine, state, x, y) -> dict:
    per, got_sum, want_sum = {}, {}, {}
    L = state.spec.n_layers
    for s in range(len(x)):
        change = engine.nudged_weight_change(state, x[s:s + 1], y[s:s + 1])
        want = rate_update(state, x[s:s + 1], y[s:s + 1])
        for i, w in want.items():
            g = change[f"W{i}"]
            step = engine.options.layer_learning_rate(i, L) / state.rule.output_step()
            per.setdefault(i, []).append((np.corrcoef(g.ravel(), w.ravel())[0, 1],
                                          np.linalg.norm(g) / (step * np.linalg.norm(w))))
            got_sum[i], want_sum[i] = got_sum.get(i, 0.0) + g, want_sum.get(i, 0.0) + step * w
    return {f"W{i}": {"median_corr": float(np.median([c for c, _ in rows])),
                      "median_size": float(np.median([r for _, r in rows])),
                      "summed_corr": float(np.corrcoef(got_sum[i].ravel(), want_sum[i].ravel())[0, 1]),
                      "summed_size": float(np.linalg.norm(got_sum[i]) / np.linalg.norm(want_sum[i]))}
            for i, rows in per.items()}


def cost(engine, state, x, y) -> dict:
    start = time.perf_counter()
    engine.train_batch(state, x, y, np.random.default_rng(0), train_feedback=True)
    wall = time.perf_counter() - start
    counts, n = engine.last_counts, len(x)
    feedback = [p for p in counts["spikes"] if p == "error" or p.startswith(("difference", "feedback"))]
    forward_pops = [p for p in counts["spikes"] if p not in feedback]
    total = lambda key, pops: sum(counts[key][p] for p in pops) / n  # noqa: E731
    return {"feedback_spikes": total("spikes", feedback), "feedback_events": total("synaptic_events", feedback),
            "forward_spikes": total("spikes", forward_pops), "forward_events": total("synaptic_events", forward_pops),
            "feedback_populations": sorted(feedback), "wall_s_per_sample": wall / n,
            "simulated_s_per_sample": counts["simulated_seconds"] / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="nengo,brian2")
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--hidden", default="32,32")
    args = parser.parse_args()
    results = ResultsFile()
    hidden = [int(h) for h in args.hidden.split(",")]
    rows = []
    for engine_name in args.engines.split(","):
        for rule_name, rule in RULES.items():
            state, data = make_state(rule, hidden)
            engine = get_engine(engine_name, "bench", ENGINE_OPTIONS[engine_name])
            agree = agreement(engine, state, data.x_test[:args.samples], data.y_test[:args.samples])
            spent = cost(get_engine(engine_name, "bench", ENGINE_OPTIONS[engine_name]), state,
                         data.x_train[:8], data.y_train[:8])
            rows.append((engine_name, rule_name, agree, spent))
            print(f"{engine_name} {rule_name} done", flush=True)
    network = "-".join(str(n) for n in [64, *hidden, 10])
    results.table(f"digits {network}, first {args.samples} test digits: one nudged phase against the rate engine's "
                  "update of the rule, per W_i: median over samples of the correlation and of the size ratio (units "
                  "of learning_rate / beta), and of the changes summed over the samples",
                  ["engine", "rule", "W", "median corr", "median size", "summed corr", "summed size"],
                  [[e, r, k, f"{v['median_corr']:.3f}", f"{v['median_size']:.2f}", f"{v['summed_corr']:.3f}",
                    f"{v['summed_size']:.2f}"] for e, r, agree, _ in rows for k, v in agree.items()])
    results.table("per training sample (first 8 training digits, noise phase on): spikes and synaptic events of "
                  "the feedback pathway (error and difference coders, feedback populations) and of the forward "
                  "pathway, wall seconds",
                  ["engine", "rule", "feedback spikes", "feedback events", "forward spikes", "forward events",
                   "wall s"],
                  [[e, r, f"{c['feedback_spikes']:.0f}", f"{c['feedback_events']:.0f}", f"{c['forward_spikes']:.0f}",
                    f"{c['forward_events']:.0f}", f"{c['wall_s_per_sample']:.3f}"] for e, r, _, c in rows])
    results.write()


if __name__ == "__main__":
    main()
