"""
Deploying on modeled chips, and training on one
===============================================

Train on the ideal substrate, then deploy the float weights onto three seeded instances of each of
several modeled chips (their weight grids, units, mismatch and noise, from the shipped hardware
profiles); then train with a chip in the loop (hardware-aware training) and compare.

Run it from a shell with ``python examples/hardware_deployment.py --epochs 10``.
"""
import argparse
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import tpneuro
from tpneuro.deployment import RunDeployer

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
args = parser.parse_args()

deployed = {}
with tempfile.TemporaryDirectory() as tmp:
    run_dir = Path(tmp) / "float"
    cfg = tpneuro.load_config("digits_ddtp_linear", {"training.epochs": args.epochs})
    tpneuro.train(cfg, run_dir, progress=False)
    deployer = RunDeployer(run_dir)
    for profile in ("ideal", "loihi1", "dynapse2", "truenorth"):
        dep = deployer.deploy(profile, chips=3, report_only=True)
        deployed[profile] = (100 * dep.mean, 100 * dep.std)
        print(f"float weights deployed on {profile:10s}: {100 * dep.mean:5.1f} ± {100 * dep.std:.1f} % test accuracy")

# %%
# Hardware-aware training: every layer's activity goes through the chip's units and every weight is
# stored as the chip stores it, after every optimizer step.
aware_cfg = tpneuro.load_config("digits_ddtp_linear", {"training.epochs": args.epochs, "hardware": "loihi1"})
aware = tpneuro.train(aware_cfg, progress=False)
aware_acc = 100 * aware.history[-1]["test_acc"]
print(f"trained on loihi1 in the loop        : {aware_acc:5.1f} % test accuracy")

fig, ax = plt.subplots(figsize=(6, 3))
names = [f"{p}\n(deployed)" for p in deployed] + ["loihi1\n(trained on it)"]
ax.bar(names, [m for m, _ in deployed.values()] + [aware_acc],
       yerr=[s for _, s in deployed.values()] + [0], capsize=3)
ax.set(ylabel="test accuracy %", title=f"digits DDTP-linear, {args.epochs} epochs")
fig.tight_layout()
plt.show()
