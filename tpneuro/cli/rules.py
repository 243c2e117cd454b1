"""``tpneuro rules``: the learning rules with their references, equations and declarations."""
from __future__ import annotations

import click


@click.command()
def rules():
    """List the learning rules with their references, update equations and feedback pathways."""
    from ..rules import RULES

    for name, cls in RULES.items():
        local = "local" if cls.is_local() else "non-local"
        click.echo(f"{name:12s} {cls.title} ({local}; feedback: {cls.feedback_wiring}, {cls.feedback_training})\n"
                   f"{'':12s} {cls.reference}\n{'':12s} {cls.equation}\n")
