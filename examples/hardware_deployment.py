"""Train on the ideal substrate, then deploy the float weights on modeled chips; compare with training
on the chip in the loop (hardware-aware training).

    python examples/hardware_deployment.py [--epochs N]
"""
import argparse
import tempfile
from pathlib import Path

import tpneuro
from tpneuro.deployment import RunDeployer

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
args = parser.parse_args()

with tempfile.TemporaryDirectory() as tmp:
    run_dir = Path(tmp) / "float"
    cfg = tpneuro.load_config("models/digits_ddtp_linear.yaml", {"training.epochs": args.epochs})
    tpneuro.train(cfg, run_dir, progress=False)
    deployer = RunDeployer(run_dir)
    for profile in ("ideal", "loihi1", "dynapse2", "truenorth"):
        dep = deployer.deploy(profile, chips=3, report_only=True)
        print(f"float weights deployed on {profile:10s}: {100 * dep.mean:5.1f} ± {100 * dep.std:.1f} % test accuracy")
    aware = tpneuro.train(cfg.model_copy(update={"hardware": tpneuro.config.experiment.HardwareConfig(profile="loihi1")}),
                          progress=False)
    print(f"trained on loihi1 in the loop        : {100 * aware.history[-1]['test_acc']:5.1f} % test accuracy")
