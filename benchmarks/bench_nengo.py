"""The spiking engines against the rate engine on the same config: accuracy, speed and spikes.

    python benchmarks/bench_nengo.py [--quick] [--dataset digits|fashion_mnist] [--engines rate,nengo,brian2]
                                     [--hidden N] [--epochs E] [--train-subset N] [--test-subset N] [--out DIR]

One config per engine (validated with tpneuro.config.validate_config, trained with tpneuro.training's Trainer,
which is what tpneuro.training.train runs): N soft_lif hidden units, DDTP-linear (beta 0.1, sigma 0.1), batch
32, one feedback pre-training epoch, seed 0.

- digits (default): 64-64-10; --quick trains 2 epochs on the first 500 training samples, the full run 5
  epochs on all 1257 (180 validation, 360 test).
- fashion_mnist: 784-N-10 (N = 100 unless --hidden) on a subset, ``dataset: {name: fashion_mnist,
  train_subset, test_subset, validation_size: 500}`` (defaults 2000 / 1000, 3 epochs; --quick 500 / 500, 1 epoch).

The rate engine uses the config's Adam optimizers; the spiking engines replace them by in-simulation
plasticity at their default options (nengo: SGD step per sample times beta 0.05 for the readout
(learning_rate) and 0.4 for the hidden layer (hidden_learning_rate), feedback_learning_rate 3 per second,
normalised). Prints one table: test accuracy after the last epoch and at
the best validation epoch, wall seconds in total and per training sample (training pass, noise phases
included), and from the spiking engine's own totals (schema: tpneuro/training/spiking_summary.py) its wall
seconds per simulated second (build included), simulated seconds, spikes and synaptic events per training
sample. An engine that is not registered (e.g. brian2 before it lands) is reported and skipped.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from tpneuro.config import validate_config
from tpneuro.engines.registry import ENGINES
from tpneuro.training import Trainer

from results_file import ResultsFile

SETUPS = {  # dataset -> (hidden, epochs, train_subset, test_subset) for the full and the --quick run
    "digits": {"full": (64, 5, None, None), "quick": (64, 2, 500, None)},
    "fashion_mnist": {"full": (100, 3, 2000, 1000), "quick": (100, 1, 500, 500)},
}


def config(engine: str, dataset: str, hidden: int, epochs: int, train_subset: int | None,
           test_subset: int | None) -> dict:
    data = {"name": dataset, **({"validation_size": 500} if dataset == "fashion_mnist" else {})}
    data.update({k: v for k, v in (("train_subset", train_subset), ("test_subset", test_subset)) if v})
    return {"name": f"{dataset}_{engine}", "seed": 0, "engine": engine, "dataset": data,
            "network": {"hidden": [hidden], "activation": "soft_lif", "output_activation": "linear"},
            "rule": {"name": "ddtp_linear", "beta": 0.1, "sigma": 0.1},
            "optimizer": {"lr": 0.001}, "feedback_optimizer": {"lr": 0.001},
            "training": {"epochs": epochs, "batch_size": 32, "epochs_fb": 1, "extra_fb_epochs": 0}}


def run(engine: str, cfg_dict: dict, out: Path | None = None) -> dict:
    cfg = validate_config(cfg_dict, f"bench_nengo[{engine}]")
    trainer = Trainer(cfg, out / cfg.name if out is not None else None, progress=False)
    start = time.perf_counter()
    result = trainer.run()
    wall = time.perf_counter() - start
    n_train = len(trainer.data.y_train) * len(result.history)
    row = {"engine": engine, "test_acc": 100 * result.history[-1]["test_acc"],
           "best_val_test_acc": 100 * result.summary["test_acc_at_best_val"], "wall_s": wall,
           "s_per_train_sample": sum(h["epoch_seconds"] for h in result.history) / n_train,
           "n_train": len(trainer.data.y_train), "n_test": len(trainer.data.y_test)}
    totals = getattr(trainer.engine, "totals", None)
    if totals:
        simulated = sum(t["simulated_seconds"] for t in totals.values())
        engine_wall = sum(t["wall_seconds"] for t in totals.values())
        train = totals["train"]
        row.update(simulated_s=simulated, s_per_simulated_s=engine_wall / simulated,
                   spikes_per_sample=sum(train["spikes"].values()) / train["samples"],
                   events_per_sample=sum(train["synaptic_events"].values()) / train["samples"])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short run of the dataset (see the docstring)")
    parser.add_argument("--dataset", choices=sorted(SETUPS), default="digits")
    parser.add_argument("--engines", default="rate,nengo", help="comma-separated, e.g. rate,nengo,brian2")
    parser.add_argument("--hidden", type=int, help="hidden units (default: 64 digits, 100 fashion_mnist)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--train-subset", type=int)
    parser.add_argument("--test-subset", type=int)
    parser.add_argument("--out", type=Path, help="write each engine's run directory under OUT (metrics per epoch)")
    args = parser.parse_args()
    results = ResultsFile()
    hidden, epochs, train_subset, test_subset = SETUPS[args.dataset]["quick" if args.quick else "full"]
    hidden, epochs = args.hidden or hidden, args.epochs or epochs
    train_subset, test_subset = args.train_subset or train_subset, args.test_subset or test_subset
    rows = []
    for engine in args.engines.split(","):
        if engine not in ENGINES:
            print(f"engine {engine!r} is not registered (registered: {', '.join(ENGINES)}); skipped")
            continue
        rows.append(run(engine, config(engine, args.dataset, hidden, epochs, train_subset, test_subset), args.out))
        print(f"{engine}: done in {rows[-1]['wall_s']:.0f} s", flush=True)
    if not rows:
        return
    size = {"digits": 64, "fashion_mnist": 784}[args.dataset]
    title = (f"{args.dataset}, {size}-{hidden}-10 soft_lif, DDTP-linear, seed 0, {rows[0]['n_train']} training "
             f"samples, {rows[0]['n_test']} test samples, {epochs} epochs; nengo {__import__('nengo').__version__} "
             "reference simulator, dt 1 ms")
    head = ["engine", "test %", "test % @best val", "wall s", "wall s/train sample", "wall s/sim s", "sim s",
            "spikes/sample", "syn. events/sample"]
    table = [[r["engine"], f"{r['test_acc']:.2f}", f"{r['best_val_test_acc']:.2f}", f"{r['wall_s']:.1f}",
              f"{r['s_per_train_sample']:.5f}"]
             + ([f"{r['s_per_simulated_s']:.3f}", f"{r['simulated_s']:.1f}", f"{r['spikes_per_sample']:.0f}",
                 f"{r['events_per_sample']:.0f}"] if "s_per_simulated_s" in r else ["-"] * 4) for r in rows]
    results.table(title, head, table)
    results.write()


if __name__ == "__main__":
    main()
