"""Tables that fit the terminal: the least important columns are hidden first, and the user is told which.

Used by the commands whose tables are wide (profitability's margins, drivers, what-ifs, prices).
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import console

__all__ = ["Column", "fit_table", "natural_width", "print_fitted", "wide_option"]


wide_option = click.option("--wide", is_flag=True, help="Show every column, however wide the terminal.")


@dataclass
class Column:
    """A table column: its cells, alignment and how early it is hidden on a narrow terminal (0 = never)."""

    name: str
    cells: list[str]
    left: bool = False
    drop: int = 0


def natural_width(columns: list[Column]) -> int:
    """The width rich's default box table needs for these columns without wrapping (padding 1 + borders)."""
    from rich.cells import cell_len
    from rich.text import Text

    def width(cell: str) -> int:
        return Text.from_markup(cell).cell_len if "[" in cell else cell_len(cell)

    return sum(max([cell_len(c.name), *map(width, c.cells)]) + 3 for c in columns) + 1


def fit_table(title: str, columns: list[Column], width: int, *, wide: bool = False) -> tuple[Table, int, list[str]]:
    """A rich table of ``columns`` no wider than ``width``: the columns with the highest ``drop`` go first.

    Returns the table, the width it needs and the names of the hidden columns. ``wide`` keeps every column.
    """
    shown, hidden = list(columns), []
    while not wide and natural_width(shown) > width and any(c.drop for c in shown):
        victim = max((c for c in shown if c.drop), key=lambda c: (c.drop, shown.index(c)))
        shown.remove(victim)
        hidden.append(victim.name)
    table = Table(title=title)
    for column in shown:
        table.add_column(column.name, justify="left" if column.left else "right")
    for cells in zip(*(c.cells for c in shown)):
        table.add_row(*cells)
    return table, natural_width(shown), hidden


def print_fitted(title: str, columns: list[Column], wide: bool, note: str = "", target=None) -> None:
    """Print the table fitted to the terminal, and say what was hidden and how to see it."""
    out = target or console
    table, needed, hidden = fit_table(title, columns, out.width, wide=wide)
    width = out.width
    if wide and needed > width:  # lines as long as the table needs: the terminal wraps them, a pipe keeps them
        out.width = needed
    try:
        out.print(table)
    finally:
        out.width = width
    parts = [note] if note else []
    if hidden:
        parts.append(f"hidden to fit {width} columns: {', '.join(hidden)}")
    if parts:
        out.print(f"[dim]{escape('; '.join(parts))}. --wide shows every column, --json every figure.[/]",
                  highlight=False)
