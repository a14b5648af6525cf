"""``argentier fraud``: Fraud detection: simulate, train, score, evaluate, rules and alerts."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("fraud", cls=ArgentierGroup)
def fraud_group() -> None:
    """Fraud detection: simulate, train, score, evaluate, rules and alerts."""
