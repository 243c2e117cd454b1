"""``tpneuro export RUN_DIR``: a trained run as an object of a simulator's own ecosystem (nengo: a pickled
nengo.Network, tpneuro.interchange.nengo_network; nir: a NIR graph, tpneuro.interchange.nir_export)."""
from __future__ import annotations

from importlib import import_module

import click

EXPORTERS = {"nengo": "tpneuro.interchange.nengo_network:export_network",     # format -> exporter(run_dir, out)
             "nir": "tpneuro.interchange.nir_export:export_run"}


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--engine", "--format", "engine", default="nengo", show_default=True, type=click.Choice(sorted(EXPORTERS)),
              help="what to write: nengo (a pickled nengo.Network) or nir (a NIR graph)")
@click.option("--out", type=click.Path(dir_okay=False),
              help="file to write (default RUN_DIR/nengo_network.pkl or RUN_DIR/network.nir)")
def export(run_dir, engine, out):
    """Write the network of RUN_DIR's checkpoint for other tools (nengo: a pickled nengo.Network with the
    trained weights and an output probe; nir: its inference path as a NIR graph for snnTorch, Spyx, Rockpool,
    Lava and the other NIR tools, needs `pip install tpneuro[nir]`)."""
    module, name = EXPORTERS[engine].split(":")
    path = getattr(import_module(module), name)(run_dir, out)
    click.echo(f"{engine} network of {run_dir} written to {path}")
