"""``argentier ask``, ``argentier chat`` and ``argentier assistant eval``: the finance assistant in the terminal."""

from __future__ import annotations

import click

from argentier.cli._common import ArgentierGroup


@click.group("assistant", cls=ArgentierGroup)
def assistant_group() -> None:
    """The finance assistant: evaluate it on question-answer sets."""


ASSISTANT_COMMANDS: tuple[click.Command, ...] = ()
