"""The ``tpneuro`` command line: a thin layer over the Python API, one module per command.

Every command runs the run preflight (tpneuro.runs.preflight) before it reads data; every error ends in one line
on stderr (tpneuro.cli.boundary).
"""
from __future__ import annotations

import sys

import click

from . import check, chips, evaluate, export, profiles, rules, sweep, train
from .boundary import report

COMMAND_MODULES = (train, check, evaluate, rules, profiles, chips, sweep, export)   # each defines the command of its name


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


for module in COMMAND_MODULES:
    cli.add_command(getattr(module, module.__name__.rpartition(".")[2]))


def main(argv: list[str] | None = None) -> None:
    """Entry point: every error is one line on stderr (tpneuro.cli.boundary.report) and an exit status."""
    try:
        cli.main(args=argv, prog_name="tpneuro", standalone_mode=False)
    except Exception as exc:    # noqa: BLE001 - the one place where every error becomes one line
        line, status = report(exc)
    except KeyboardInterrupt as exc:
        line, status = report(exc)
    else:
        return
    click.echo(line, err=True)
    sys.exit(status)
