"""Rebuild table grids from a parsed document's table and row nodes, and read the numbers in their cells.

The document builder writes a table as a header line ("2019 | 2018") and one line per body row whose cells
carry their column names ("Revenue | 2019: $1,496.5 | 2018: $1,202.9"); see
:func:`argentier.core.documents._builder.table_lines`. Parsing that text back gives every cell its exact
``(start, end)`` span in the document, so an answer read from a table cites the very characters it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from argentier.core.documents import Node, ParsedDocument

__all__ = ["Cell", "Row", "Table", "find_tables", "parse_number", "detect_scale"]

SEPARATOR = " | "

_NUMBER = re.compile(
    r"^(?P<neg1>[(\-−–])?\s*(?:US\$|[$€£¥]|USD|EUR|GBP|RMB)?\s*(?P<neg2>[(\-−–])?\s*"
    r"(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<pct>%)?\s*(?P<close>\))?\s*(?P<pct2>%)?$",
    re.IGNORECASE,
)
_SCALES = (
    ("billion", re.compile(r"\bin\s+billions\b|\bbillions\b|[$€£]\s?bn\b|\b(?:usd|eur|gbp)\s?bn\b", re.I)),
    (
        "million",
        re.compile(
            r"\bin\s+millions\b|\bmillions\b|\$\s?million\b|[$€£]\s?m\b|\b(?:usd|eur|gbp|rmb)\s?['’]?m(?:illion)?\b"
            r"|[$€£]m\b",
            re.I,
        ),
    ),
    (
        "thousand",
        re.compile(
            r"\bin\s+thousands?\b|\bthousands\b|[$€£]\s?['’]?000s?\b|\b(?:usd|rmb)\s?['’]?000\b", re.I
        ),
    ),
)


def parse_number(text: str) -> float | None:
    """The number a financial cell holds: "$1,452.4" -> 1452.4, "(12.3)" -> -12.3, "5%" -> 5.0, "-" -> None.

    >>> [parse_number(t) for t in ("$ 1,452.4", "(12.3)", "$(39,950)", "5.6%", "-", "—", "2 0 1 8", "n/a")]
    [1452.4, -12.3, -39950.0, 5.6, None, None, 2018.0, None]
    """
    cleaned = text.strip().replace("\u2212", "-")
    if re.fullmatch(r"\d(?:\s\d){3}", cleaned):  # a spaced-out year: "2 0 1 8"
        cleaned = cleaned.replace(" ", "")
    match = _NUMBER.match(cleaned)
    if match is None:
        return None
    value = float(match["num"].replace(",", ""))
    negative = bool(match["neg1"] or match["neg2"])
    return -value if negative else value


def is_percent(text: str) -> bool:
    """Whether a cell or label speaks in percent ("5.6%", "% of Total", "Change (%)")."""
    return "%" in text or bool(re.search(r"\bpercent(age)?\b", text, re.I))


def detect_scale(text: str) -> str | None:
    """The scale a header or caption names: ``"thousand"``, ``"million"``, ``"billion"`` or ``None``.

    >>> detect_scale("Fiscal 2019 (in millions)"), detect_scale("2019 $'000"), detect_scale("Net sales")
    ('million', 'thousand', None)
    """
    for name, pattern in _SCALES:
        if pattern.search(text):
            return name
    return None


@dataclass(frozen=True)
class Cell:
    """One body cell: its column's label and text, its exact span in the document, and its number if any."""

    column: int
    column_label: str
    text: str
    start: int
    end: int
    value: float | None


@dataclass(frozen=True)
class Row:
    """A body row: its label (first cell), the section row above it ("Assets:") and its value cells."""

    label: str
    label_start: int
    label_end: int
    section: str
    cells: tuple[Cell, ...]
    start: int
    end: int

    def cell(self, column: int) -> Cell | None:
        return next((cell for cell in self.cells if cell.column == column), None)


@dataclass(frozen=True)
class Table:
    """A grid rebuilt from a table node: column labels, body rows, the scale its header or caption names."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    start: int
    end: int
    page: int | None = None
    caption: str = ""
    scale: str | None = None
    column_scales: tuple[str | None, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "rows": [
                {"label": row.label, "cells": {cell.column_label: cell.text for cell in row.cells}}
                for row in self.rows
            ],
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "scale": self.scale,
        }


def _segments(text: str, offset: int) -> list[tuple[str, int]]:
    out, position = [], 0
    for piece in text.split(SEPARATOR):
        out.append((piece, offset + position))
        position += len(piece) + len(SEPARATOR)
    return out


def _named(piece: str, names: tuple[str, ...], first: int) -> int | None:
    """The index (from ``first`` on) of the column whose name prefixes ``piece`` as ``name: ``."""
    for index in range(first, len(names)):
        if names[index] and piece.startswith(names[index] + ": "):
            return index
    return None


def _sums_rows_above(cells: list[Cell], rows: list[Row], section: str) -> bool:
    """Whether the row's first number equals the sum of the same column over the rows above it (in its section,
    back to the previous total), to the cent."""
    first = next((cell for cell in cells if cell.value is not None), None)
    if first is None:
        return False
    above = []
    for row in reversed(rows):
        if row.section != section or row.label.lower().startswith("total"):
            break
        cell = row.cell(first.column)
        if cell is not None and cell.value is not None:
            above.append(cell.value)
    return len(above) >= 2 and abs(sum(above) - first.value) < 0.011


def _table(doc: ParsedDocument, node: Node, caption: str) -> Table | None:
    lines = [
        (doc.text[row.start : row.end], row.start, row.end) for row in node.children if row.kind == "row"
    ]
    if len(lines) < 2:
        return None
    first = tuple(piece for piece, _ in _segments(lines[0][0], lines[0][1]))
    body = lines[1:]
    named = sum(
        1
        for text, start, _ in body
        if any(_named(p, first, 0) is not None for p, _ in _segments(text, start))
    )
    has_header = named * 2 >= len(body)
    names = first if has_header else ()
    if not has_header:
        body = lines
    rows: list[Row] = []
    section = ""
    stub_values = 0
    for text, start, end in body:
        pointer, label, label_span, cells = 0, "", (start, start), []
        for position, (piece, piece_start) in enumerate(_segments(text, start)):
            index = _named(piece, names, pointer)
            if index is None and position == 0 and parse_number(piece) is None:
                label, label_span = piece, (piece_start, piece_start + len(piece))
                continue
            if index is None:
                column, cell_text, cell_start = -1, piece, piece_start
            else:
                column, cell_text = index, piece[len(names[index]) + 2 :]
                cell_start = piece_start + len(names[index]) + 2
                pointer = index + 1
            if position == 0 and column == 0 and parse_number(cell_text) is None:
                stub_values += 1
                label, label_span = cell_text, (cell_start, cell_start + len(cell_text))
                continue
            label_name = names[column] if column >= 0 else ""
            cells.append(
                Cell(
                    column,
                    label_name,
                    cell_text,
                    cell_start,
                    cell_start + len(cell_text),
                    parse_number(cell_text),
                )
            )
        if label and not cells:
            section = label
            continue
        if not label and _sums_rows_above(cells, rows, section):
            label = "Total"  # an unlabelled row that adds up the rows above it is their total
        rows.append(Row(label, label_span[0], label_span[1], section, tuple(cells), start, end))
    if not rows:
        return None
    header_text = " ".join(names)
    scale = detect_scale(header_text) or detect_scale(caption)
    column_scales = tuple(detect_scale(name) or ("percent" if is_percent(name) else None) for name in names)
    return Table(
        columns=names,
        rows=tuple(rows),
        start=node.start,
        end=node.end,
        page=node.page,
        caption=caption,
        scale=scale,
        column_scales=column_scales,
    )


def find_tables(parsed: ParsedDocument) -> list[Table]:
    """Every table of the document as a grid whose cells know their ``(start, end)`` offsets in ``parsed.text``.

    >>> from argentier.core.documents import parse_text
    >>> doc = parse_text("| | 2019 | 2018 |\\n|---|---|---|\\n| Sales | $1,496.5 | $1,202.9 |", format="markdown")
    >>> table = find_tables(doc)[0]
    >>> cell = table.rows[0].cells[0]
    >>> table.rows[0].label, cell.column_label, cell.text, doc.text[cell.start:cell.end], cell.value
    ('Sales', '2019', '$1,496.5', '$1,496.5', 1496.5)
    """
    tables = []
    previous_paragraph = ""
    for node in parsed.root.walk():
        if node.kind == "paragraph":
            previous_paragraph = parsed.text[node.start : node.end]
        elif node.kind == "table":
            table = _table(parsed, node, previous_paragraph if len(previous_paragraph) < 300 else "")
            if table is not None:
                tables.append(table)
            previous_paragraph = ""
    return tables
