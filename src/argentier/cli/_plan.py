"""``argentier plan``: Operational planning: staffing, shift schedules, supply-chain simulation, capital."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("plan", cls=ArgentierGroup)
def plan_group() -> None:
    """Operational planning: staffing, shift schedules, supply-chain simulation, capital."""
