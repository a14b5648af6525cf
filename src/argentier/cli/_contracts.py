"""``argentier contracts``: Contract review: clauses with quotes, key terms, playbook checks."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("contracts", cls=ArgentierGroup)
def contracts_group() -> None:
    """Contract review: clauses with quotes, key terms, playbook checks."""
