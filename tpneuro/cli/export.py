"""``tpneuro export RUN_DIR``: a trained run as an object of a simulator's own ecosystem (nengo: a pickled
nengo.Network, tpneuro.interchange.nengo_network)."""
from __future__ import annotations

from importlib import import_module

import click

EXPORTERS = {"nengo": "tpneuro.interchange.nengo_network:export_network"}   # engine -> exporter(run_dir, out)


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--engine", default="nengo", show_default=True, type=click.Choice(sorted(EXPORTERS)),
              help="whose network to write")
@click.option("--out", type=click.Path(dir_okay=False), help="file to write (default RUN_DIR/nengo_network.pkl)")
def export(run_dir, engine, out):
    """Write the network of RUN_DIR's checkpoint for ENGINE's own tools (nengo: a pickled nengo.Network with
    the trained weights and an output probe; load it with pickle and run it in nengo.Simulator)."""
    module, name = EXPORTERS[engine].split(":")
    path = getattr(import_module(module), name)(run_dir, out)
    click.echo(f"{engine} network of {run_dir} written to {path}")
