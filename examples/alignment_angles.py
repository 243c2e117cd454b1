"""How close is each rule's update to the BP gradient and to the Gauss-Newton update?
Meulemans et al. 2020's diagnostics on one batch of a freshly initialised network, then after training.

    python examples/alignment_angles.py [--epochs N]
"""
import argparse

import tpneuro
from tpneuro.data import load_dataset
from tpneuro.training.theory_diagnostics import diagnose

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
args = parser.parse_args()

data = load_dataset("digits", seed=0)
x, y = data.x_train[:128], data.y_train[:128]
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
    print(f"{name:12s} angle to BP: " + ", ".join(f"L{i} {d[f'angle_bp/L{i}']:5.1f}" for i in layers)
          + " | to GN: " + ", ".join(f"L{i} {d[f'angle_gn/L{i}']:5.1f}" for i in layers)
          + (" | Condition 2: " + ", ".join(f"L{i} {d[f'condition2/L{i}']:.2f}" for i in layers)
             if "condition2/L1" in d else ""))
print("(degrees; 0 = same direction. DDTP-linear's feedback approaches the pseudo-inverse: small Condition 2 distance)")
