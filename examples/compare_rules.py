"""
Compare learning rules on one network
=====================================

Build configs in code (no YAML) with :func:`tpneuro.validate_config` and train backpropagation, direct
feedback alignment, difference target propagation, DRL and DDTP-linear on the same 64-64-64-64-10
network and the same digits, loaded once.

Run it from a shell with ``python examples/compare_rules.py --epochs 15``.
"""
import argparse

import matplotlib.pyplot as plt

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
accuracy = {}
for name, hyper in rules.items():
    cfg = tpneuro.validate_config({
        "name": name, "seed": 0, "dataset": {"name": "digits"}, "network": {"hidden": [64, 64, 64]},
        "rule": {"name": name, **hyper}, "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
        "training": {"epochs": args.epochs, "batch_size": 32, "epochs_fb": 2, "extra_fb_epochs": 1},
    })
    result = tpneuro.train(cfg, progress=False, data=data)
    accuracy[name] = 100 * result.summary["test_acc_at_best_val"]
    print(f"{name:12s} {accuracy[name]:6.2f} % test accuracy at the best validation epoch")

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(list(accuracy), list(accuracy.values()))
ax.set(ylabel="test accuracy % (best validation epoch)", title=f"digits, {args.epochs} epochs, seed 0")
fig.tight_layout()
plt.show()
