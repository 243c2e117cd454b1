"""``tpneuro evaluate``: re-evaluate a run's checkpoint, or deploy it onto a modeled chip."""
from __future__ import annotations

import click

from ..formatting import percent, text_table
from .summary_lines import summary_joules


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--hardware", help="deploy the trained weights onto this profile (name or YAML path)")
@click.option("--chips", type=int, default=5, show_default=True, help="seeded chip instances to deploy onto")
@click.option("--passes", type=int, default=1, show_default=True,
              help="stochastic passes averaged per test input (stochastic units)")
@click.option("--report-only", is_flag=True, help="list design-rule violations instead of refusing the network")
def evaluate(run_dir, hardware, chips, passes, report_only):
    """Re-evaluate the checkpoint of RUN_DIR, or deploy it onto a modeled chip with --hardware."""
    if hardware is not None:
        from ..deployment import RunDeployer

        dep = RunDeployer(run_dir).deploy(hardware, chips, report_only=report_only, passes=passes)
        click.echo(f"{run_dir} deployed on {dep.profile}, {chips} chip instances: test accuracy "
                   f"{percent(dep.mean, dep.std)} % (" + ", ".join(percent(a) for a in dep.accuracies) + ")")
        click.echo(f"synaptic ops per inference {dep.energy['synaptic_ops_per_inference']:.4g}; energy "
                   f"{summary_joules(dep.energy, 'inference')} per inference, "
                   f"{summary_joules(dep.energy, 'training_sample')} per training sample")
        for v in dep.design_rule_violations:
            click.echo(f"design rule: {v}")
        return
    from ..runs import evaluate_run

    res = evaluate_run(run_dir)
    rows = [[split, f"{res[f'{split}_loss']:.4f}", percent(res[f"{split}_acc"])]
            for split in ("train", "val", "test") if f"{split}_loss" in res]
    click.echo(f"{run_dir} (after {res['epochs_done']} epochs)")
    click.echo(text_table(rows, ["split", "loss", "accuracy %"]))
