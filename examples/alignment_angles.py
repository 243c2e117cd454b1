"""
Alignment with backpropagation and Gauss-Newton
===============================================

How close is each rule's weight update to the BP gradient and to the damped Gauss-Newton update?
Meulemans et al. 2020's diagnostics (:func:`tpneuro.training.theory_diagnostics.diagnose`) on one batch of 64
digits after a short training, for DDTP-linear, DTP and DFA. Angles are in degrees: 0 means the same
direction. Condition 2 is the distance of the feedback path's Jacobian from the forward Jacobian's
pseudo-inverse (rules with trained feedback only).

Run it from a shell with ``python examples/alignment_angles.py --epochs 5``.
"""
import argparse

import matplotlib.pyplot as plt
import numpy as np

import tpneuro
from tpneuro.data import load_dataset
from tpneuro.training.theory_diagnostics import diagnose

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
args = parser.parse_args()

data = load_dataset("digits", seed=0)
x, y = data.x_train[:64], data.y_train[:64]
angles = {}
for name, hyper in {"ddtp_linear": {"beta": 0.1, "sigma": 0.1}, "dtp": {"beta": 0.2, "sigma": 0.1},
                    "dfa": {}}.items():
    cfg = tpneuro.validate_config({
        "name": name, "dataset": {"name": "digits"}, "network": {"hidden": [64, 64, 64]},
        "rule": {"name": name, **hyper}, "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
        "training": {"epochs": args.epochs, "batch_size": 32, "epochs_fb": 2, "extra_fb_epochs": 1}})
    result = tpneuro.train(cfg, progress=False, data=data)
    state = result.state
    d = diagnose(state.rule, state.forward_params, state.feedback_params, x, y, damping=0.1)
    layers = range(1, result.state.spec.n_layers)
    angles[name] = [d[f"angle_bp/L{i}"] for i in layers]
    print(f"{name:12s} angle to BP: " + ", ".join(f"L{i} {d[f'angle_bp/L{i}']:5.1f}" for i in layers)
          + " | to GN: " + ", ".join(f"L{i} {d[f'angle_gn/L{i}']:5.1f}" for i in layers)
          + (" | Condition 2: " + ", ".join(f"L{i} {d[f'condition2/L{i}']:.2f}" for i in layers)
             if "condition2/L1" in d else ""))

# %%
fig, ax = plt.subplots(figsize=(6, 3))
width = 0.8 / len(angles)
for k, (name, values) in enumerate(angles.items()):
    ax.bar(np.arange(1, len(values) + 1) + (k - (len(angles) - 1) / 2) * width, values, width, label=name)
ax.set(xlabel="hidden layer", ylabel="angle to the BP update (degrees)", xticks=range(1, len(values) + 1))
ax.legend()
fig.tight_layout()
plt.show()
