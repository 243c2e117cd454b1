"""``tpneuro profiles``: the hardware profiles, and one of them with every value's source."""
from __future__ import annotations

import click


@click.group(invoke_without_command=True)
@click.pass_context
def profiles(ctx):
    """List the hardware profiles (hardware_profiles/*.yaml); `profiles show NAME` prints one with sources."""
    if ctx.invoked_subcommand is None:
        from ..hardware import list_profiles, load_profile

        names = list_profiles()
        width = max(map(len, names), default=0)
        for name in names:
            click.echo(f"{name:{width}s} {' '.join(load_profile(name).description.split())[:100]}")


@profiles.command("show")
@click.argument("name")
def show(name):
    """Print profile NAME (or a profile YAML path) with every value, its unit, source and confidence."""
    from ..hardware import describe_profile, load_profile

    click.echo(describe_profile(load_profile(name)))
