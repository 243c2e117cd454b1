"""Digits benchmark of the nengo spiking engine against the rate engine on the same config.

    python benchmarks/bench_nengo.py [--quick]

One config (validated with tpneuro.config.validate_config, trained with tpneuro.training's Trainer, which is
what tpneuro.training.train runs): digits, 64-64-10 with soft_lif hidden units, DDTP-linear (beta 0.1,
sigma 0.1), batch 32, one feedback pre-training epoch; --quick trains 2 epochs on the first 500 training
samples, the full run 5 epochs on all 1257. The rate engine uses the config's Adam optimizers; the nengo
engine replaces them by in-simulation plasticity at its default NengoOptions (learning_rate 0.2 = SGD step
per sample times beta, feedback_learning_rate 3 per second, normalised). Prints one table: test accuracy
after the last epoch and at the best validation epoch, wall seconds per training sample (training pass,
noise phases included), wall seconds per simulated second, simulated seconds, spikes and synaptic events
per training sample (nengo engine).
"""
from __future__ import annotations

import argparse
import time

from tpneuro.config import validate_config
from tpneuro.engines.registry import ENGINES
from tpneuro.training.trainer import Trainer

# Until the lead's registry lists the nengo engine (the path the spiking-engine contract names):
ENGINES.setdefault("nengo", "tpneuro.engines.nengo_engine:NengoEngine")


def config(engine: str, quick: bool) -> dict:
    return {"name": f"digits_{engine}", "seed": 0, "engine": engine,
            "dataset": {"name": "digits", **({"train_subset": 500} if quick else {})},
            "network": {"hidden": [64], "activation": "soft_lif", "output_activation": "linear"},
            "rule": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1},
            "optimizer": {"lr": 0.001}, "feedback_optimizer": {"lr": 0.001},
            "training": {"epochs": 2 if quick else 5, "batch_size": 32, "epochs_fb": 1, "extra_fb_epochs": 0}}


def run(engine: str, quick: bool) -> dict:
    cfg = validate_config(config(engine, quick), f"bench_nengo[{engine}]")
    trainer = Trainer(cfg, progress=False)
    start = time.perf_counter()
    result = trainer.run()
    wall = time.perf_counter() - start
    n_train = len(trainer.data.y_train) * len(result.history)
    row = {"engine": engine, "test_acc": 100 * result.history[-1]["test_acc"],
           "best_val_test_acc": 100 * result.summary["test_acc_at_best_val"], "wall_s": wall,
           "s_per_train_sample": sum(h["epoch_seconds"] for h in result.history) / n_train}
    totals = getattr(trainer.engine, "totals", None)
    if totals:
        simulated = sum(t["simulated_seconds"] for t in totals.values())
        train = totals["train"]
        row.update(simulated_s=simulated, s_per_simulated_s=wall / simulated,
                   spikes_per_sample=sum(train["spikes"].values()) / train["samples"],
                   events_per_sample=sum(train["synaptic_events"].values()) / train["samples"])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 epochs on 500 training samples")
    args = parser.parse_args()
    rows = [run(engine, args.quick) for engine in ("rate", "nengo")]
    n = "500 training samples, 2 epochs" if args.quick else "1257 training samples, 5 epochs"
    print(f"\ndigits, 64-64-10 soft_lif, DDTP-linear, seed 0, {n}; nengo {__import__('nengo').__version__} "
          "reference simulator, dt 1 ms")
    head = (f"{'engine':<7} {'test %':>7} {'test % @best val':>17} {'wall s':>8} {'wall s/train sample':>20} "
            f"{'wall s/sim s':>13} {'sim s':>8} {'spikes/sample':>14} {'syn. events/sample':>19}")
    print(head)
    print("-" * len(head))
    for r in rows:
        spiking = "s_per_simulated_s" in r
        print(f"{r['engine']:<7} {r['test_acc']:>7.2f} {r['best_val_test_acc']:>17.2f} {r['wall_s']:>8.1f} "
              f"{r['s_per_train_sample']:>20.5f} "
              + (f"{r['s_per_simulated_s']:>13.3f} {r['simulated_s']:>8.1f} {r['spikes_per_sample']:>14.0f} "
                 f"{r['events_per_sample']:>19.0f}" if spiking else f"{'-':>13} {'-':>8} {'-':>14} {'-':>19}"))


if __name__ == "__main__":
    main()
