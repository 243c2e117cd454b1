"""``tpneuro check``: the run preflight of a config, without reading data or training."""
from __future__ import annotations

import click


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
def check(config):
    """Check CONFIG as `tpneuro train` would before it reads any data (engine and options, hardware profile, rule,
    optimizers, evaluation passes, memory, design rules) and print what would run."""
    from ..config import load_config
    from ..runs import preflight
    from ..runs.preflight import memory_estimate

    plan = preflight(load_config(config), str(config))
    cfg, rule = plan.cfg, plan.rule
    if plan.shape is not None:
        spec = plan.network_spec(*plan.shape)
        network = "-".join(map(str, spec.layer_sizes)) + f" ({memory_estimate(cfg, rule, spec) / 2**20:.1f} MiB estimated)"
    else:
        network = f"input-{'-'.join(map(str, cfg.network.hidden))}-classes (sizes from the dataset files)"
    click.echo(f"{config}: ok")
    click.echo(f"  rule {rule.name} (feedback {rule.feedback_wiring}, {rule.feedback_training}) on the "
               f"{cfg.engine} engine; network {network}, {cfg.network.activation} hidden units")
    if plan.profile is not None:
        click.echo(f"  on {plan.profile.name}, {len(plan.design_rule_violations)} design-rule violation(s) reported")
    for v in plan.design_rule_violations:
        click.echo(f"  design rule: {v}")
    for note in plan.notes:
        click.echo(f"  note: {note}")
