"""``tpneuro evaluate``: re-evaluate a run's checkpoint, or deploy it onto a modeled chip."""
from __future__ import annotations

import click

from ..formatting import percent, text_table
from .boundary import fields_from_flags
from .summary_lines import summary_joules


@click.command()
@click.argument("run_dir", required=False, type=click.Path(file_okay=False, exists=True))
@click.option("--hardware", help="deploy the trained weights onto this profile (name or YAML path)")
@click.option("--chips", type=click.IntRange(min=1), help="seeded chip instances to deploy onto (default 5)")
@click.option("--passes", type=click.IntRange(min=1),
              help="stochastic passes averaged per test input (stochastic units or activity noise; default 1)")
@click.option("--report-only", is_flag=True, help="list design-rule violations instead of refusing the network")
@click.option("--nir", "nir_file", type=click.Path(dir_okay=False, exists=True),
              help="deploy this NIR graph instead of a run (with --hardware; tpneuro.interchange.deploy_nir)")
@click.option("--dataset", help="test set for --nir (default by input size: 64 digits, 784 fashion_mnist)")
@click.option("--steps", type=click.IntRange(min=1), help="--nir graphs from other tools: time steps per input")
@click.option("--dt", type=click.FloatRange(min=0.0, min_open=True),
              help="--nir graphs from other tools: time step in s (default: tau / r of its neurons)")
@click.option("--input-encoding", type=click.Choice(["current", "regular"]),
              help="--nir graphs from other tools: input every step as a current (default) or regular spikes")
def evaluate(run_dir, hardware, chips, passes, report_only, nir_file, dataset, steps, dt, input_encoding):
    """Re-evaluate the checkpoint of RUN_DIR, or deploy it (or a NIR graph, --nir FILE) onto a modeled chip with
    --hardware."""
    if (nir_file is None) == (run_dir is None):
        raise click.UsageError("give either a RUN_DIR or --nir FILE")
    if nir_file is not None and hardware is None:
        raise click.UsageError("--nir FILE deploys a graph onto a chip: give --hardware NAME too")
    if nir_file is None and any(v is not None for v in (dataset, steps, dt, input_encoding)):
        raise click.UsageError("--dataset, --steps, --dt and --input-encoding go with --nir FILE")
    if hardware is not None:
        chips, passes = chips or 5, passes or 1
        from ..deployment import RunDeployer
        from ..engines.rate_engine import RateEngine
        from ..hardware import load_profile

        with fields_from_flags({"profile": "--hardware"}):
            RateEngine.check_passes(passes, load_profile(hardware))
            if nir_file is not None:
                from ..interchange import deploy_nir

                dep = deploy_nir(nir_file, hardware, chips, dataset=dataset, steps=steps, dt=dt,
                                 input_encoding=input_encoding, report_only=report_only, passes=passes)
            else:
                dep = RunDeployer(run_dir).deploy(hardware, chips, report_only=report_only, passes=passes)
        click.echo(f"{nir_file or run_dir}: the trained weights put on {dep.profile}, {chips} chip instances: "
                   "test accuracy "
                   f"{percent(dep.mean, dep.std)} % (" + ", ".join(percent(a) for a in dep.accuracies) + "); "
                   f"without a chip {percent(dep.baseline_accuracy)} %")
        for change in dep.changes:
            click.echo(f"on {dep.profile}, {change}")
        click.echo(f"synaptic ops per inference {dep.energy['synaptic_ops_per_inference']:.4g}; energy "
                   f"{summary_joules(dep.energy, 'inference')} per inference, "
                   f"{summary_joules(dep.energy, 'training_sample')} per training sample")
        for v in dep.design_rule_violations:
            click.echo(f"design rule: {v}")
        return
    if passes is not None or chips is not None or report_only:
        raise click.UsageError("--chips, --passes and --report-only deploy onto a chip: give --hardware NAME too")
    from ..runs import evaluate_run

    res = evaluate_run(run_dir)
    rows = [[split, f"{res[f'{split}_loss']:.4f}", percent(res[f"{split}_acc"])]
            for split in ("train", "val", "test") if f"{split}_loss" in res]
    click.echo(f"{run_dir} (after {res['epochs_done']} epochs)")
    click.echo(text_table(rows, ["split", "loss", "accuracy %"]))
