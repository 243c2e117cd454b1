"""Accuracy and energy on modeled chips: hardware-aware training (the profile in the loop) against
post-training deployment of float weights, for DDTP-linear and DRL on Fashion-MNIST.

    python benchmarks/bench_hardware.py [--epochs 2] [--rules ddtp_linear,drl] [--profiles loihi2,...] [--chips 3]

Every run uses the paper config (models/fmnist_RULE.yaml, seed 42) with design rules reported, not
enforced, so that every profile gets a number. Prints one table per rule: test accuracy after
hardware-aware training, test accuracy of the float network deployed on `--chips` chip instances
(mean ± std), its difference to float, and joules per training sample and per inference (">=": a lower
bound, the profile lacks a sourced cost for some operation); then whether 8-bit weights with stochastic
rounding of updates (profile int8_stochastic) stay within 1 point of float.
"""
from __future__ import annotations

import argparse

from tpneuro.config import load_config
from tpneuro.deployment import RunDeployer
from tpneuro.hardware import list_profiles
from tpneuro.training import train

CRITERION_PROFILE = "int8_stochastic"     # issue 3: under 1 point of test accuracy lost against float


def joules(summary: dict, what: str) -> str:
    exact, bound = summary.get(f"joules_per_{what}"), summary.get(f"joules_per_{what}_lower_bound")
    return f"{exact:.3g}" if exact is not None else (f">={bound:.3g}" if bound else "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rules", default="ddtp_linear,drl")
    parser.add_argument("--profiles", default=",".join(p for p in list_profiles() if p not in ("sign_units",)))
    parser.add_argument("--chips", type=int, default=3)
    parser.add_argument("--out", default="runs/bench_hardware")
    args = parser.parse_args()
    for rule in args.rules.split(","):
        base = {"training.epochs": args.epochs}
        float_dir = f"{args.out}/{rule}-float"
        float_run = train(load_config(f"models/fmnist_{rule}.yaml", base), float_dir, progress=False)
        float_acc = float_run.history[-1]["test_acc"]
        deployer = RunDeployer(float_dir)
        rows, aware_acc = [], {}
        for profile in args.profiles.split(","):
            hw = {"profile": profile, "design_rules": "report"}
            aware = train(load_config(f"models/fmnist_{rule}.yaml", {**base, "hardware": hw}),
                          f"{args.out}/{rule}-{profile}", progress=False)
            dep = deployer.deploy(profile, args.chips, report_only=True)
            acc = aware_acc[profile] = aware.history[-1]["test_acc"]
            rows.append([profile, f"{100 * acc:.2f}", f"{100 * (acc - float_acc):+.2f}",
                         f"{100 * dep.mean:.2f} ± {100 * dep.std:.2f}", f"{100 * (dep.mean - float_acc):+.2f}",
                         joules(aware.summary, "training_sample"), joules(aware.summary, "inference"),
                         str(len(aware.summary["design_rule_violations"]))])
            print("done", rule, profile, rows[-1][1:5], flush=True)
        print(f"\n{rule}, Fashion-MNIST, {args.epochs} epochs, float test accuracy {100 * float_acc:.2f} %")
        head = ["profile", "hw-aware %", "vs float", f"deployed % ({args.chips} chips)", "vs float",
                "J / training sample", "J / inference", "design-rule violations"]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
        for line in [head, ["-" * w for w in widths], *rows]:
            print("  ".join(str(c).rjust(w) for c, w in zip(line, widths)))
        if CRITERION_PROFILE in aware_acc:
            loss = 100 * (float_acc - aware_acc[CRITERION_PROFILE])
            print(f"criterion: 8-bit weights with stochastic rounding ({CRITERION_PROFILE}) lose {loss:.2f} points "
                  f"of test accuracy against float (required: < 1): {'met' if loss < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
