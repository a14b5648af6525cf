"""``argentier forecast``: Revenue forecasts by hierarchy, backtests, anomalies and scenarios."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("forecast", cls=ArgentierGroup)
def forecast_group() -> None:
    """Revenue forecasts by hierarchy, backtests, anomalies and scenarios."""
