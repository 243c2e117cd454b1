"""Do the hidden layers of a spiking run learn? The spiking rule against the controls that say so.

    python benchmarks/bench_spiking_controls.py [--config models/FILE.yaml] [--engine brian2|nengo] [--epochs N]
                                                [--train-subset N] [--test-subset N] [--control spiking|rate]
                                                [--out DIR] [--set key=value ...]

One config (default models/digits_ddtp_linear_spiking.yaml; the engine, epochs and subsets may be overridden),
the same network, initial weights, data order (the config's seed) and number of training samples, run as

(a) the spiking rule: the config on the spiking engine, every layer learning inside the simulation;
(b) control, hidden layers frozen: the same, with ``engine_options.frozen_hidden: true`` (only the readout
    learns). ``--control rate`` runs it on the rate engine's model of the same spiking network instead (soft-LIF
    rates, the readout's online per-sample SGD step learning_rate / beta, tpneuro.optimizers.layer_sgd), for
    runs where a spiking control would not fit in the time, and then shows on fixed weights (its final ones)
    that the spiking engine agrees with that model: both engines' test accuracy and the share of test samples
    on which they pick the same class;
(c) the rate engine with the same online per-sample SGD: batch 1, each layer's step the spiking engine's
    ``learning_rate`` / beta (readout) and ``hidden_learning_rate`` / beta (hidden layers), the config's
    feedback optimizer per sample;
(d) logistic regression on the raw inputs (scikit-learn, lbfgs) on the same training samples.

The table prints test accuracy after the last epoch and at the best-validation epoch, wall seconds per epoch, and
the margin of (a) over (b). The spiking run's joules per training sample are priced from its own spike and event
counts with the loihi1 profile's costs (tpneuro.training.spiking_summary), next to the 0.59 mJ per sample that
Renner et al. 2024 measured for on-chip learning on Loihi. (b, rate), (c) and (d) do not depend on (a): they run
in a second process on the other core while (a) trains. ``--out DIR`` writes (a)'s run directory (plots,
checkpoints) to DIR/spiking and resumes it if it is there. The results file goes to benchmarks/results/.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import ResultsFile  # noqa: E402

from tpneuro.config import validate_config  # noqa: E402
from tpneuro.config.config_loading import apply_overrides  # noqa: E402
from tpneuro.engines.registry import get_engine  # noqa: E402
from tpneuro.hardware import load_profile  # noqa: E402
from tpneuro.optimizers.layer_sgd import LayerSGD, spiking_step_factors  # noqa: E402
from tpneuro.runs import load_data  # noqa: E402
from tpneuro.training import Trainer  # noqa: E402
from tpneuro.training.spiking_summary import spiking_summary  # noqa: E402
from tpneuro.yaml_files import read_yaml  # noqa: E402

RENNER_2024_JOULES = 0.59e-3      # on-chip learning on Loihi, per training sample (Renner et al. 2024)
COST_PROFILE = "loihi1"


def base_config(args) -> dict:
    cfg = read_yaml(args.config, "config", args.config)
    cfg["engine"] = args.engine or cfg["engine"]
    if args.epochs:
        cfg.setdefault("training", {})["epochs"] = args.epochs
    data = cfg["dataset"]
    data.update({k: v for k, v in (("train_subset", args.train_subset), ("test_subset", args.test_subset)) if v})
    overrides = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    return apply_overrides(cfg, overrides)


def spiking_config(cfg: dict, frozen: bool) -> dict:
    out = {**cfg, "name": f"{cfg.get('name', 'run')}_{'frozen' if frozen else 'spiking'}"}
    out["engine_options"] = {**cfg.get("engine_options", {}), **({"frozen_hidden": True} if frozen else {})}
    out["diagnostics"] = {**cfg.get("diagnostics", {}), "enabled": bool(cfg.get("diagnostics", {}).get("enabled"))}
    return out


def rate_config(cfg: dict, readout_lr: float, frozen: bool) -> dict:
    """The same network, seed and data on the rate engine, online (batch 1), plain SGD at the readout's step."""
    out = {k: v for k, v in cfg.items() if k != "engine_options"}
    out.update(name=f"{cfg.get('name', 'run')}_rate{'_frozen' if frozen else ''}", engine="rate")
    out["training"] = {**cfg["training"], "batch_size": 1}
    out["optimizer"] = {"kind": "sgd", "lr": readout_lr}
    out["diagnostics"] = {"enabled": False}
    return out


def step_sizes(cfg: dict) -> tuple[float, float, int]:
    """(readout step, hidden step) per sample of the spiking engine's options, each / beta (the rate engine's lr
    on the rule's local-loss gradient), and the number of weight layers."""
    validated = validate_config(cfg, "bench_spiking_controls")
    engine = get_engine(validated.engine, "bench_spiking_controls", validated.engine_options)
    L = len(validated.network.hidden) + 1
    beta = validated.rule.hyperparams()["beta"]
    return engine.options.layer_learning_rate(L, L) / beta, engine.options.layer_learning_rate(1, L) / beta, L


def train(cfg: dict, hidden_factor: float | None = None, out: Path | None = None) -> dict:
    """Train ``cfg`` with the Trainer (same seed: same initial weights and data order); on the rate engine the
    forward optimizer becomes LayerSGD with ``hidden_factor`` on the hidden layers. Returns per-epoch rows, the
    summary, the final state and the engine's totals."""
    trainer = Trainer(validate_config(cfg, "bench_spiking_controls"), out, progress=False)
    if hidden_factor is not None:
        L = trainer.state.spec.n_layers
        trainer.state.forward_optimizer = LayerSGD(cfg["optimizer"]["lr"], factors=spiking_step_factors(L, hidden_factor))
    resume = out is not None and (out / "checkpoint.npz").exists()
    start = time.perf_counter()
    result = trainer.run(resume=resume)
    return {"history": result.history, "summary": result.summary, "wall": time.perf_counter() - start,
            "state": result.state, "totals": dict(getattr(trainer.engine, "totals", {})), "n_train": len(trainer.data.y_train),
            "n_test": len(trainer.data.y_test), "dt": getattr(trainer.engine.options, "dt", None) if trainer.engine.options else None}


def logistic_regression(cfg: dict) -> dict:
    from sklearn.linear_model import LogisticRegression

    data = load_data(validate_config(cfg, "bench_spiking_controls"))
    start = time.perf_counter()
    model = LogisticRegression(max_iter=2000).fit(data.x_train, data.y_train)
    return {"test": 100 * model.score(data.x_test, data.y_test), "wall": time.perf_counter() - start}


def references(cfg: dict, readout_lr: float, hidden_lr: float, rate_control: bool) -> dict:
    """(b) on the rate model if asked, (c) and (d): what does not depend on the spiking run."""
    out = {}
    if rate_control:
        out["b"] = train(rate_config(cfg, readout_lr, frozen=True), hidden_factor=0.0)
    out["c"] = train(rate_config(cfg, readout_lr, frozen=False), hidden_factor=hidden_lr / readout_lr)
    out["d"] = logistic_regression(cfg)
    for run in out.values():
        run.pop("totals", None)
    return out


def agreement(cfg: dict, state) -> dict:
    """The rate-model control's final weights on the spiking engine and on the rate engine: test accuracy of
    each and the share of test samples both assign the same class."""
    validated = validate_config(cfg, "bench_spiking_controls")
    data = load_data(validated)
    spiking = get_engine(validated.engine, "bench_spiking_controls", validated.engine_options)
    rate = get_engine("rate")
    ps, pr = spiking.predict(state, data.x_test), rate.predict(state, data.x_test)
    return {"spiking": 100 * np.mean(ps.argmax(1) == data.y_test), "rate": 100 * np.mean(pr.argmax(1) == data.y_test),
            "same_class": 100 * np.mean(ps.argmax(1) == pr.argmax(1))}


def row(name: str, run: dict) -> list:
    hist, summ = run["history"], run["summary"]
    per_epoch = sum(h["epoch_seconds"] for h in hist) / len(hist)
    return [name, f"{100 * hist[-1]['test_acc']:.2f}", f"{100 * summ['test_acc_at_best_val']:.2f}", len(hist),
            f"{per_epoch:.0f}", f"{run['wall']:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="models/digits_ddtp_linear_spiking.yaml")
    parser.add_argument("--engine", choices=("brian2", "nengo"), help="spiking engine (default: the config's)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--train-subset", type=int)
    parser.add_argument("--test-subset", type=int)
    parser.add_argument("--control", choices=("spiking", "rate"), default="spiking",
                        help="run control (b) on the spiking engine or on the rate engine's model of it")
    parser.add_argument("--out", type=Path, help="write (and resume) the spiking run's directory under OUT")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config field, e.g. engine_options.learning_rate=0.01")
    args = parser.parse_args()
    results = ResultsFile()
    cfg = base_config(args)
    readout_lr, hidden_lr, L = step_sizes(cfg)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        refs = pool.submit(references, cfg, readout_lr, hidden_lr, args.control == "rate")
        runs = {"a": train(spiking_config(cfg, frozen=False), out=args.out / "spiking" if args.out else None)}
        print(f"(a) done in {runs['a']['wall']:.0f} s", flush=True)
        if args.control == "spiking":
            runs["b"] = train(spiking_config(cfg, frozen=True))
        runs.update(refs.result())
    a, b = runs["a"], runs["b"]
    engine, epochs = cfg["engine"], len(a["history"])
    names = {"a": f"(a) {engine}, spiking rule", "b": f"(b) {engine if args.control == 'spiking' else 'rate model'}, "
             "hidden frozen", "c": "(c) rate engine, same online SGD"}
    title = (f"{args.config}: {cfg['rule']['name']} {'-'.join(str(n) for n in a['state'].spec.layer_sizes)}, seed "
             f"{cfg.get('seed', 0)}, {a['n_train']} training / {a['n_test']} test samples, {epochs} epochs online; "
             f"steps per sample / beta: readout {readout_lr:g}, hidden {hidden_lr:g}; load average "
             f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    rows = [row(names[k], runs[k]) for k in ("a", "b", "c")]
    rows.append(["(d) logistic regression, raw inputs", f"{runs['d']['test']:.2f}", "-", "-", "-", f"{runs['d']['wall']:.0f}"])
    results.table(title, ["run", "test %", "test % @best val", "epochs", "wall s/epoch", "wall s"], rows)
    per_epoch = [[h["epoch"]] + [f"{100 * runs[k]['history'][h['epoch'] - 1]['test_acc']:.2f}" for k in "abc"]
                 for h in a["history"]]
    results.table("test % per epoch", ["epoch", "(a)", "(b)", "(c)"], per_epoch)
    margin = 100 * (a["history"][-1]["test_acc"] - b["history"][-1]["test_acc"])
    results.note(f"margin of (a) over (b) after {epochs} epochs: {margin:+.2f} points")
    angles = [[h["epoch"]] + [f"{h[k]:.1f}" for k in sorted(h) if k.startswith("angle_spiking")]
              for h in a["history"] if any(k.startswith("angle_spiking") for k in h)]
    if angles:
        keys = sorted(k for k in a["history"][0] if k.startswith("angle_spiking"))
        results.table("(a): angle (degrees) of the spiking weight change with the BP gradient and with the rate rule's "
                      "update, per layer, on the diagnostics batch", ["epoch"] + keys, angles)
    if args.control == "rate":
        agree = agreement(spiking_config(cfg, frozen=True), b["state"])
        results.table("(b)'s final weights (rate model of the frozen control) on both engines: test %",
                      [f"{engine}", "rate", "same class %"],
                      [[f"{agree['spiking']:.2f}", f"{agree['rate']:.2f}", f"{agree['same_class']:.2f}"]])
    validated = validate_config(spiking_config(cfg, frozen=False), "bench_spiking_controls")
    energy = spiking_summary(a["totals"], validated, a["state"], a["dt"], load_profile(COST_PROFILE))
    joules = energy.get("spiking_joules_per_training_sample")
    bound = energy.get("spiking_joules_per_training_sample_lower_bound")
    if joules is not None or bound is not None:
        priced = f"{1e3 * joules:.3f} mJ" if joules is not None else f">= {1e3 * bound:.3f} mJ (costs missing)"
        results.note(f"(a) on {COST_PROFILE}'s costs: {priced} per training sample "
                     f"({energy['synaptic_events_per_training_sample']:.3g} synaptic events, "
                     f"{energy['spikes_per_training_sample']:.3g} spikes); Renner et al. 2024, on-chip learning on "
                     f"Loihi: {1e3 * RENNER_2024_JOULES:.2f} mJ")
    results.write()


if __name__ == "__main__":
    main()
