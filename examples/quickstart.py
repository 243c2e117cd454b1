"""Train DDTP-linear on the embedded digits data from Python and read the metrics.

    python examples/quickstart.py [--epochs N]
"""
import argparse

import tpneuro

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=20)
args = parser.parse_args()

cfg = tpneuro.load_config("models/digits_ddtp_linear.yaml", {"training.epochs": args.epochs})
result = tpneuro.train(cfg, progress=False)           # no run directory: everything stays in memory
for row in result.history[-3:]:
    print(f"epoch {row['epoch']}: train loss {row['train_loss']:.3f}, test accuracy {100 * row['test_acc']:.1f} %")
print("test accuracy at the best validation epoch:", round(100 * result.summary["test_acc_at_best_val"], 2), "%")
