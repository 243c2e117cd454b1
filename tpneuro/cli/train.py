"""``tpneuro train``: train a config into a run directory, or resume one."""
from __future__ import annotations

import time
from pathlib import Path

import click

from ..formatting import percent, text_table
from .boundary import fields_from_flags, sigterm_as_interrupt
from .summary_lines import energy_line

FLAG_FIELDS = {"engine": "--engine", "hardware": "--hardware", "training.epochs": "--epochs", "seed": "--seed",
               "diagnostics.enabled": "--diagnostics"}


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--engine", help="engine that runs the network: rate, jax, brian2 or nengo (default: the config's; with "
              "--resume, continue the run on another engine, e.g. rate <-> jax, whose checkpoints are the same)")
@click.option("--hardware", help="train on a modeled chip: a profile name (see `tpneuro profiles`) or a profile YAML path")
@click.option("--epochs", type=click.IntRange(min=1), help="number of training epochs (overrides training.epochs)")
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
    from ..runs.run_directory import require_run_directory
    from ..training import Trainer

    if resume is None and config is None:
        raise click.UsageError("give a CONFIG file, or --resume RUN_DIR")
    if resume is not None and (config is not None or out is not None):
        raise click.UsageError("--resume continues a run with the config saved in its directory: give either "
                               "CONFIG (and --out) for a new run, or --resume RUN_DIR alone")
    if resume is not None and (seed is not None or hardware is not None):
        raise click.UsageError("--resume continues a run as it was configured: --seed and --hardware cannot change")
    overrides = {"engine": engine, "training.epochs": epochs, "seed": seed, "diagnostics.enabled": diagnostics,
                 "hardware": hardware}
    flags = {field: FLAG_FIELDS[field] for field, value in overrides.items() if value is not None}
    if flags.get("hardware"):
        flags["hardware.profile"] = "--hardware"
    with fields_from_flags(flags):
        if resume is not None:
            run_dir = require_run_directory(resume, "resume")
            source = run_dir / CONFIG_FILE
        else:
            source = Path(config)
        cfg = load_config(source, overrides)
        plan = preflight(cfg, str(source))
    if resume is None:
        run_dir = Path(out) if out else Path("runs") / f"{cfg.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    with sigterm_as_interrupt():
        trainer = Trainer(cfg, run_dir, progress=not quiet, source=str(source), plan=plan)
        chip = f" on {cfg.hardware.profile}" if cfg.hardware is not None else ""
        click.echo(f"training {cfg.rule.name} on {cfg.dataset.name} ({cfg.engine} engine{chip}), run directory "
                   f"{run_dir}")
        for note in plan.notes:
            click.echo(f"note: {note}")
        result = trainer.run(resume=resume is not None)
    rows = [[r["epoch"], f"{r['train_loss']:.4f}", percent(r["train_acc"]), percent(r.get("val_acc")),
             percent(r.get("test_acc")), f"{r['epoch_seconds']:.2f}"] for r in result.history]
    click.echo(text_table(rows, ["epoch", "train loss", "train %", "val %", "test %", "seconds"]))
    s = result.summary
    click.echo(f"best validation epoch {s['best_epoch']}: test accuracy {percent(s['test_acc_at_best_val'])} %"
               f"  (results in {run_dir})")
    line = energy_line(s)
    if line:
        click.echo(f"on {s['hardware_profile']}: {line} ({s['energy_convention']})")
    if s.get("numeric_warnings"):
        click.echo(f"note: {s['numeric_warnings']} during training")
