"""Compare learning rules on the same network and data, building configs in code (no YAML).

    python examples/compare_rules.py [--epochs N]
"""
import argparse

import tpneuro
from tpneuro.data import load_dataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=15)
args = parser.parse_args()

data = load_dataset("digits", seed=0)                 # load once, share between runs
rules = {
    "bp": {},
    "dfa": {},
    "dtp": {"beta": 0.2, "sigma": 0.1},
    "drl": {"beta": 0.1, "sigma": 0.1},
    "ddtp_linear": {"beta": 0.1, "sigma": 0.1},
}
print(f"{'rule':12s} {'test accuracy %':>16s}")
for name, hyper in rules.items():
    cfg = tpneuro.validate_config({
        "name": name, "seed": 0, "dataset": {"name": "digits"}, "network": {"hidden": [64, 64, 64]},
        "rule": {"name": name, **hyper}, "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
        "training": {"epochs": args.epochs, "batch_size": 32, "epochs_fb": 2, "extra_fb_epochs": 1},
    })
    result = tpneuro.train(cfg, progress=False, data=data)
    print(f"{name:12s} {100 * result.summary['test_acc_at_best_val']:16.2f}")
