"""``tpneuro train``: train a config into a run directory, or resume one."""
from __future__ import annotations

import time
from pathlib import Path

import click

from ..formatting import percent, text_table
from .summary_lines import energy_line


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--engine", help="engine that runs the network: rate, brian2 or nengo (default: the config's)")
@click.option("--hardware", help="train on a modeled chip: a profile name (see `tpneuro profiles`) or a profile YAML path")
@click.option("--epochs", type=int, help="number of training epochs (overrides training.epochs)")
@click.option("--seed", type=int, help="random seed (overrides seed)")
@click.option("--out", "out", type=click.Path(file_okay=False), help="run directory to write (default runs/NAME-TIME)")
@click.option("--resume", type=click.Path(file_okay=False, exists=True),
              help="continue the interrupted run in this directory (uses its config.yaml)")
@click.option("--diagnostics/--no-diagnostics", default=None, help="compute alignment angles and Condition 2 per epoch")
@click.option("--quiet", is_flag=True, help="no progress bars")
def train(config, engine, hardware, epochs, seed, out, resume, diagnostics, quiet):
    """Train the network described by CONFIG (a models/*.yaml file) and write a run directory."""
    from ..config import load_config
    from ..runs import CONFIG_FILE, preflight
    from ..training import Trainer

    if resume is None and config is None:
        raise click.UsageError("give a CONFIG file, or --resume RUN_DIR")
    overrides = {"engine": engine, "training.epochs": epochs, "seed": seed, "diagnostics.enabled": diagnostics,
                 "hardware": hardware}
    if resume is not None:
        if seed is not None or engine is not None or hardware is not None:
            raise click.UsageError("--resume continues a run as it was configured: --seed, --engine and "
                                   "--hardware cannot change")
        source = Path(resume) / CONFIG_FILE
        run_dir = Path(resume)
    else:
        source = Path(config)
    cfg = load_config(source, overrides)
    if resume is None:
        run_dir = Path(out) if out else Path("runs") / f"{cfg.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    plan = preflight(cfg, str(source))
    chip = f" on {cfg.hardware.profile}" if cfg.hardware is not None else ""
    click.echo(f"training {cfg.rule.name} on {cfg.dataset.name} ({cfg.engine} engine{chip}), run directory {run_dir}")
    for note in plan.notes:
        click.echo(f"note: {note}")
    result = Trainer(cfg, run_dir, progress=not quiet, source=str(source), plan=plan).run(resume=resume is not None)
    rows = [[r["epoch"], f"{r['train_loss']:.4f}", percent(r["train_acc"]), percent(r.get("val_acc")),
             percent(r.get("test_acc")), f"{r['epoch_seconds']:.2f}"] for r in result.history]
    click.echo(text_table(rows, ["epoch", "train loss", "train %", "val %", "test %", "seconds"]))
    s = result.summary
    click.echo(f"best validation epoch {s['best_epoch']}: test accuracy {percent(s['test_acc_at_best_val'])} %"
               f"  (results in {run_dir})")
    line = energy_line(s)
    if line:
        click.echo(f"on {s['hardware_profile']}: {line} ({s['energy_convention']})")
