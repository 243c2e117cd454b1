"""
Quick start: train DDTP-linear from Python
==========================================

Load a shipped config, train it on the embedded 8x8 digits, and read the metrics of every epoch. No run
directory is written: the result stays in memory (pass a directory as the second argument of
:func:`tpneuro.train` to keep the checkpoint, metrics and plots).

Run it from a shell with ``python examples/quickstart.py --epochs 20``.
"""
import argparse

import matplotlib.pyplot as plt

import tpneuro

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=20)
args = parser.parse_args()

# %%
# ``digits_ddtp_linear`` is a config shipped with tpneuro (``models/digits_ddtp_linear.yaml`` in the
# repository); dotted overrides change any field.
cfg = tpneuro.load_config("digits_ddtp_linear", {"training.epochs": args.epochs})
result = tpneuro.train(cfg, progress=False)           # no run directory: everything stays in memory
for row in result.history[-3:]:
    print(f"epoch {row['epoch']}: train loss {row['train_loss']:.3f}, test accuracy {100 * row['test_acc']:.1f} %")
print("test accuracy at the best validation epoch:", round(100 * result.summary["test_acc_at_best_val"], 2), "%")

# %%
# The history holds one row per epoch.
epochs = [row["epoch"] for row in result.history]
fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(8, 3))
loss_ax.plot(epochs, [row["train_loss"] for row in result.history], marker="o")
loss_ax.set(xlabel="epoch", ylabel="training loss")
acc_ax.plot(epochs, [100 * row["val_acc"] for row in result.history], marker="o", label="validation")
acc_ax.plot(epochs, [100 * row["test_acc"] for row in result.history], marker="o", label="test")
acc_ax.set(xlabel="epoch", ylabel="accuracy %")
acc_ax.legend()
fig.tight_layout()
plt.show()
