"""``argentier profit``: Product profitability: margins, variance, drivers, what-ifs, elasticity, prices."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("profit", cls=ArgentierGroup)
def profit_group() -> None:
    """Product profitability: margins, variance, drivers, what-ifs, elasticity, prices."""
