"""The ``tpneuro`` command line: a thin layer over the Python API, one module per command.

Every command runs the run preflight (tpneuro.runs.preflight) before it reads data; a user error ends in one line
on stderr and exit status 2 (:func:`main`).
"""
from __future__ import annotations

import sys

import click

from ..errors import TpneuroError
from .chips import chips
from .evaluate import evaluate
from .export import export
from .profiles import profiles
from .rules import rules
from .sweep import sweep
from .train import train


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


for command in (train, evaluate, rules, profiles, chips, sweep, export):
    cli.add_command(command)


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
