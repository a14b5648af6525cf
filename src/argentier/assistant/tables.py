"""Answer numeric questions from document tables: a cell, a change, a percentage change, an average, a ratio.

:func:`find_tables` rebuilds the grids of a parsed document (row label, column label, cell text with its exact
offsets); :func:`answer_from_tables` matches the question's row words and years to the grid, reads the cells,
does the arithmetic and shows it, keeping the scale the table names ("in millions"). It returns ``None``
rather than guess: below :data:`MIN_CONFIDENCE` the assistant falls back to passages or refuses.

>>> from argentier.core.documents import parse_text
>>> doc = parse_text(
...     "<table><tr><td></td><td>Years Ended September 30,</td><td></td></tr>"
...     "<tr><td></td><td>2019</td><td>2018</td></tr>"
...     "<tr><td>Total sales</td><td>$1,496.5</td><td>$1,202.9</td></tr></table>"
...     "<p>Amounts in millions.</p>", format="html")
>>> found = answer_from_tables("What was the percentage change in total sales from 2018 to 2019?", find_tables(doc))
>>> found.answer, found.arithmetic
('24.41%', '(1,496.5 - 1,202.9) / 1,202.9 * 100 = 24.41%')
>>> found.cells[0].row_label, found.cells[0].column_label, found.cells[0].text
('Total sales', 'Years Ended September 30, 2019', '$1,496.5')
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from argentier.assistant._tables_compute import compute
from argentier.assistant._tables_grid import Cell, Row, Table, detect_scale, find_tables, parse_number
from argentier.assistant._tables_match import read_intent

__all__ = [
    "MIN_CONFIDENCE",
    "Cell",
    "CellRef",
    "Row",
    "Table",
    "TableAnswer",
    "answer_from_tables",
    "find_tables",
    "parse_number",
    "detect_scale",
]

MIN_CONFIDENCE = 0.5
# Questions about reasons, methods or meanings ("Why did revenue rise?", "How is X derived?", "What does X
# refer to?") are for the text around a table, whatever numbers the table holds.
_NOT_A_TABLE_QUESTION = re.compile(
    r"^\s*(?:why\b|how (?:is|are|was|were|do|does|did|should|can|could)\b(?!.*\b(?:much|many)\b)|"
    r"what (?:does|do|did) .*\b(?:mean|refer|represent|comprise|include|consist)|what (?:is|are|was|were) the "
    r"(?:reason|reasons|cause|causes|purpose|definition|basis|method)\b|explain\b|describe\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CellRef:
    """A cell an answer used: its row and column labels, its text and its span in the document text."""

    row_label: str
    column_label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class TableAnswer:
    """An answer read from table cells.

    ``value`` is the number (or the label, for "which year" questions); ``scale`` is ``"thousand"``,
    ``"million"``, ``"billion"``, ``"percent"`` or ``None``; ``arithmetic`` shows the computation over the
    cells' numbers, ``None`` for a plain lookup.
    """

    answer: str
    value: float | str | None
    scale: str | None
    arithmetic: str | None
    cells: tuple[CellRef, ...]
    confidence: float
    operation: str = "lookup"
    items: tuple[str, ...] = ()  # the answer's parts when it has several: cell texts, or years

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cells"] = [asdict(cell) for cell in self.cells]
        return data


def answer_from_tables(question: str, tables: Sequence[Table], *, context: str = "") -> TableAnswer | None:
    """The most confident answer any of ``tables`` gives to ``question``, or ``None`` when unsure.

    ``context`` is text around the tables (a title, paragraphs) used for the scale when the table names none.
    """
    if not question.strip() or not tables or _NOT_A_TABLE_QUESTION.search(question):
        return None
    intent = read_intent(question)
    best: TableAnswer | None = None
    for table in tables:
        found = compute(question, intent, table, context)
        if found is None:
            continue
        answer = TableAnswer(
            answer=found.answer,
            value=found.value,
            scale=found.scale,
            arithmetic=found.arithmetic,
            cells=tuple(
                CellRef(row.label, cell.column_label, cell.text, cell.start, cell.end)
                for row, cell in found.cells
            ),
            confidence=round(found.confidence, 4),
            operation=found.operation,
            items=found.items,
        )
        if best is None or answer.confidence > best.confidence:
            best = answer
    if best is None or best.confidence < MIN_CONFIDENCE:
        return None
    return best
