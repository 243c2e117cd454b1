"""``tpneuro chips``: every hardware profile for one trained network."""
from __future__ import annotations

from pathlib import Path

import click

from ..formatting import percent, text_table
from .summary_lines import summary_joules


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--chips", type=click.IntRange(min=1), default=3, show_default=True, help="chip instances per profile")
def chips(run_dir, chips):
    """Compare every hardware profile for the network trained in RUN_DIR: one table and one plot
    (deployed accuracy, energy per inference and per training sample), written to RUN_DIR/chips/."""
    from ..deployment import compare_chips

    table = compare_chips(run_dir, chips)
    rows = [[r["profile"], percent(r["acc_mean"], r["acc_std"]), summary_joules(r, "inference"),
             summary_joules(r, "training_sample"), r["violations"]] for r in table]
    click.echo(text_table(rows, ["profile", "test accuracy %", "energy / inference", "energy / training sample",
                                 "design-rule violations"]))
    click.echo(">= : a lower bound, the profile has no sourced cost for some operations; unknown: no costs at all")
    click.echo(f"table and plot in {Path(run_dir) / 'chips'}")
