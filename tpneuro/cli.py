"""The ``tpneuro`` command line: a thin layer over the Python API (tpneuro.train, tpneuro.evaluate_run)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .errors import TpneuroError


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _pct(x) -> str:
    return "-" if x is None or x != x else f"{100 * x:.2f}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tpneuro")
def cli():
    """Target propagation on rate, spiking and modeled neuromorphic substrates.

    \b
    Quick start:
      tpneuro train models/digits_ddtp_linear.yaml --out runs/digits
      tpneuro evaluate runs/digits
      tpneuro rules
    """


@cli.command()
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
    from .config import load_config
    from .training import train as run_training
    from .training.results_files import CONFIG_FILE

    if resume is None and config is None:
        raise click.UsageError("give a CONFIG file, or --resume RUN_DIR")
    overrides = {"engine": engine, "training.epochs": epochs, "seed": seed, "diagnostics.enabled": diagnostics,
                 "hardware": hardware}
    if resume is not None:
        if seed is not None or engine is not None or hardware is not None:
            raise click.UsageError("--resume continues a run as it was configured: --seed, --engine and "
                                   "--hardware cannot change")
        cfg = load_config(Path(resume) / CONFIG_FILE, overrides)
        run_dir = Path(resume)
    else:
        cfg = load_config(config, overrides)
        run_dir = Path(out) if out else Path("runs") / f"{cfg.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    click.echo(f"training {cfg.rule.name} on {cfg.dataset.name} ({cfg.engine} engine), run directory {run_dir}")
    result = run_training(cfg, run_dir, progress=not quiet, resume=resume is not None)
    rows = [[r["epoch"], f"{r['train_loss']:.4f}", _pct(r["train_acc"]), _pct(r.get("val_acc")),
             _pct(r.get("test_acc")), f"{r['epoch_seconds']:.2f}"] for r in result.history]
    click.echo(_table(rows, ["epoch", "train loss", "train %", "val %", "test %", "seconds"]))
    s = result.summary
    click.echo(f"best validation epoch {s['best_epoch']}: test accuracy {_pct(s['test_acc_at_best_val'])} %"
               f"  (results in {run_dir})")
    if "joules_per_inference" in s and _joules(s, "inference") != "unknown":
        click.echo(f"on {s['hardware_profile']}: {_joules(s, 'inference')} per inference, "
                   f"{_joules(s, 'training_sample')} per training sample ({s['energy_convention']})")


def _joules(summary: dict, what: str) -> str:
    exact = summary.get(f"joules_per_{what}")
    if exact is not None:
        return f"{exact:.3g} J"
    bound = summary.get(f"joules_per_{what}_lower_bound")
    return f">= {bound:.3g} J" if bound else "unknown"


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--hardware", help="deploy the trained weights onto this profile (name or YAML path)")
@click.option("--chips", type=int, default=5, show_default=True, help="seeded chip instances to deploy onto")
@click.option("--passes", type=int, default=1, show_default=True,
              help="stochastic passes averaged per test input (stochastic units)")
@click.option("--report-only", is_flag=True, help="list design-rule violations instead of refusing the network")
def evaluate(run_dir, hardware, chips, passes, report_only):
    """Re-evaluate the checkpoint of RUN_DIR, or deploy it onto a modeled chip with --hardware."""
    if hardware is not None:
        from .deployment import RunDeployer

        dep = RunDeployer(run_dir).deploy(hardware, chips, report_only=report_only, passes=passes)
        click.echo(f"{run_dir} deployed on {dep.profile}, {chips} chip instances: test accuracy "
                   f"{100 * dep.mean:.2f} ± {100 * dep.std:.2f} % ("
                   + ", ".join(f"{100 * a:.2f}" for a in dep.accuracies) + ")")
        click.echo(f"synaptic ops per inference {dep.energy['synaptic_ops_per_inference']:.4g}; energy "
                   f"{_joules(dep.energy, 'inference')} per inference, {_joules(dep.energy, 'training_sample')} "
                   "per training sample")
        for v in dep.design_rule_violations:
            click.echo(f"design rule: {v}")
        return
    from .evaluation import evaluate_run

    res = evaluate_run(run_dir)
    rows = [[split, f"{res[f'{split}_loss']:.4f}", _pct(res[f"{split}_acc"])]
            for split in ("train", "val", "test") if f"{split}_loss" in res]
    click.echo(f"{run_dir} (after {res['epochs_done']} epochs)")
    click.echo(_table(rows, ["split", "loss", "accuracy %"]))


@cli.command()
def rules():
    """List the learning rules with their references and update equations."""
    from .rules import RULES

    for name, cls in RULES.items():
        local = "local" if cls.is_local else "non-local"
        click.echo(f"{name:12s} {cls.title} ({local})\n{'':12s} {cls.reference}\n{'':12s} {cls.equation}\n")


@cli.group(invoke_without_command=True)
@click.pass_context
def profiles(ctx):
    """List the hardware profiles (hardware_profiles/*.yaml); `profiles show NAME` prints one with sources."""
    if ctx.invoked_subcommand is None:
        from .hardware import list_profiles, load_profile

        names = list_profiles()
        width = max(map(len, names), default=0)
        for name in names:
            click.echo(f"{name:{width}s} {' '.join(load_profile(name).description.split())[:100]}")


@profiles.command("show")
@click.argument("name")
def profiles_show(name):
    """Print profile NAME (or a profile YAML path) with every value, its unit, source and confidence."""
    from .hardware import describe_profile, load_profile

    click.echo(describe_profile(load_profile(name)))


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--chips", type=int, default=3, show_default=True, help="chip instances per profile")
def chips(run_dir, chips):
    """Compare every hardware profile for the network trained in RUN_DIR: one table and one plot
    (deployed accuracy, energy per inference and per training sample), written to RUN_DIR/chips/."""
    from .chip_comparison import compare_chips

    table = compare_chips(run_dir, chips)
    rows = [[r["profile"], f"{100 * r['acc_mean']:.2f} ± {100 * r['acc_std']:.2f}", _joules(r, "inference"),
             _joules(r, "training_sample"), r["violations"]] for r in table]
    click.echo(_table(rows, ["profile", "test accuracy %", "energy / inference", "energy / training sample",
                             "design-rule violations"]))
    click.echo(">= : a lower bound, the profile has no sourced cost for some operations; unknown: no costs at all")
    click.echo(f"table and plot in {Path(run_dir) / 'chips'}")


from .sweeps.command import sweep as sweep_command  # noqa: E402  (tpneuro sweep, tpneuro/sweeps/command.py)

cli.add_command(sweep_command)

from .export_command import export as export_command  # noqa: E402  (tpneuro export, tpneuro/export_command.py)

cli.add_command(export_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors print one line and exit with status 2."""
    try:
        cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TpneuroError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
