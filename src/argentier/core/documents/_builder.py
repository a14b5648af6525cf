"""Accumulate blocks into one normalised text and the structure tree with exact offsets.

Every format parser feeds blocks (headings, paragraphs, tables) in reading order. The builder owns the
text: it normalises whitespace inside a block, separates blocks with a blank line and records the span of
every node as it writes, so ``text[node.start:node.end]`` is exact by construction rather than found again
by searching.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

from argentier.core.documents._model import Node, Page, ParsedDocument
from argentier.core.documents._sections import Heading, explicit_heading, match_clause, nest_sections
from argentier.core.documents._sentences import split_sentences
from argentier.errors import InputError

__all__ = ["DocumentBuilder", "normalize_inline", "table_lines", "BLOCK_SEPARATOR"]

BLOCK_SEPARATOR = "\n\n"

# Invisible characters are dropped, other control characters become spaces (then collapse), and the
# ligatures PDF producers emit are expanded so "ﬁnancial" matches a search for "financial".
_TRANSLATE = {code: " " for code in range(0x20) if chr(code) not in "\t\n\r"}
_TRANSLATE.update({0x7F: " ", 0x00AD: None, 0x2060: None, 0xFEFF: None})
_TRANSLATE.update({0x200B: None, 0x200C: None, 0x200D: None})
_TRANSLATE.update({0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl"})
_HYPHENATED_END = re.compile(r"[^\W\d_]-$")


def normalize_inline(text: str) -> str:
    """Collapse every run of whitespace to one space, drop invisible characters and strip.

    >>> normalize_inline("  Net\\u00a0income \\t rose\\n by 3.5%  ")
    'Net income rose by 3.5%'
    """
    return " ".join(unicodedata.normalize("NFC", text).translate(_TRANSLATE).split())


# A cell holding an amount: digits with optional currency, sign, parentheses, separators, percent or scale
# suffix. A bare four-digit year is not an amount: it labels a column ("2019"), even spaced out ("2 0 1 8").
_AMOUNT = re.compile(
    r"^[(\-−–]?\s*(?:[$€£¥]|US\$|USD|EUR|GBP|CHF|JPY|RMB|CAD|AUD)?\s*[(\-−–]?\s*"
    r"\d[\d,.\s]*\)?\s*(?:%|[km]|bn|m)?\)?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:FY\s*)?(?:19|20)\d\d$|^(?:1\s*9|2\s*0)\s*\d\s*\d$", re.IGNORECASE)
_UNIT = re.compile(
    r"\b(?:thousands?|millions?|billions?)\b|[$€£]\s?['’]?000"
    r"|\b(?:USD|EUR|GBP|RMB|[$€£])\s?(?:m|bn)\b|[$€£]m\b|\b(?:USD|EUR|GBP|RMB|US\$)\s?['’‘]?000",
    re.IGNORECASE,
)


def _is_unit(cell: str) -> bool:
    """A short cell naming the scale of the amounts: "(in millions)", "U.S. $ in thousands", "€m"."""
    return len(cell) <= 60 and bool(_UNIT.search(cell))


def _is_amount(cell: str) -> bool:
    return bool(cell) and not _YEAR.match(cell) and bool(_AMOUNT.match(cell))


def _header_depth(rows: list[list[str]], header: bool) -> int:
    """How many leading rows label the columns: 0, or 1 plus the continuation rows of a multi-row header.

    With ``header=False`` (the source marked none) a first row is still taken as the header when it holds no
    amount while a later row does. A following row continues the header while it holds no amount in the
    value columns (every column but the first, which labels rows) and either its first cell is empty, names a
    unit ("(in millions)") or the rest name a year; a row with only a first cell ("Assets:") is a section of the
    body.
    """
    value_rows = [index for index, row in enumerate(rows) if any(_is_amount(cell) for cell in row[1:])]
    if not value_rows:
        return 1 if header else 0
    first_values = value_rows[0]
    if first_values == 0:
        return 1 if header else 0
    depth = 1
    while depth < first_values:
        label, rest = rows[depth][0], [cell for cell in rows[depth][1:] if cell]
        if label and not _is_unit(label) and not any(_YEAR.match(cell) for cell in rest):
            break
        if not label and not rest:
            break
        depth += 1
    return depth


def _merged_names(rows: list[list[str]], depth: int) -> list[str]:
    """One name per column from ``depth`` header rows: upper rows' spanning labels prefix the lower ones.

    In an upper header row a single label over the value columns spans all of them, and so does a lone unit
    ("(in millions)") in any header row; evenly spaced labels each span the empty cells up to the next
    ("Domestic", "", "International", ""). A unit named in the first column ("($ in millions)") moves to the
    value columns, where it belongs.
    """
    width = max(len(row) for row in rows[:depth])
    columns: list[list[str]] = [[] for _ in range(width)]
    for level, row in enumerate(rows[:depth]):
        cells = row + [""] * (width - len(row))
        labelled = [index for index in range(1, width) if cells[index]]
        if len(labelled) == 1 and (level < depth - 1 or _is_unit(cells[labelled[0]])):
            cells = [cells[0]] + [cells[labelled[0]]] * (width - 1)
        elif len(labelled) > 1 and level < depth - 1:
            steps = {b - a for a, b in zip(labelled, labelled[1:])} | {width - labelled[-1]}
            if len(steps) == 1 and steps != {1}:
                for index in range(labelled[0] + 1, width):
                    cells[index] = cells[index] or cells[index - 1]
        for index, cell in enumerate(cells):
            if cell and (not columns[index] or columns[index][-1] != cell):
                columns[index].append(cell)
    unit = [part for part in columns[0] if _is_unit(part)]
    if unit:
        columns[0] = [part for part in columns[0] if part not in unit]
        for column in columns[1:]:
            column.extend(part for part in unit if part not in column)
    return [" ".join(parts) for parts in columns]


def table_lines(rows: Sequence[Sequence[str]], *, header: bool = True) -> list[str]:
    """Flatten table rows to lines in which every body cell carries its column header.

    The header line lists the column names; each body row follows as ``name: cell`` pairs. A multi-row
    header (see :func:`_header_depth`) is merged per column, so a value keeps its full label.

    >>> table_lines([["Item", "Amount"], ["Rent", "1,200"], ["", "300"]])
    ['Item | Amount', 'Item: Rent | Amount: 1,200', 'Amount: 300']
    >>> rows = [["", "Years ended June 30,", ""], ["", "2019", "2018"], ["Sales", "$1,496.5", "$1,202.9"]]
    >>> table_lines(rows)[0]
    'Years ended June 30, 2019 | Years ended June 30, 2018'
    >>> table_lines(rows)[1]
    'Sales | Years ended June 30, 2019: $1,496.5 | Years ended June 30, 2018: $1,202.9'
    """
    cleaned = [[normalize_inline(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    depth = _header_depth(cleaned, header)
    names = _merged_names(cleaned, depth) if depth else []
    lines = [" | ".join(cell for cell in names if cell)] if depth else []
    for row in cleaned[depth:]:
        cells = []
        for index, cell in enumerate(row):
            if not cell:
                continue
            name = names[index] if index < len(names) else ""
            cells.append(f"{name}: {cell}" if name else cell)
        lines.append(" | ".join(cells))
    return [line for line in lines if line]


@dataclass
class _Block:
    kind: Literal["paragraph", "table"]
    start: int
    end: int
    heading: Heading | None = None
    # (kind, start, end) of sentences or rows, absolute offsets.
    parts: list[tuple[Literal["sentence", "row"], int, int]] = field(default_factory=list)


class DocumentBuilder:
    """Write blocks into one text and build the :class:`ParsedDocument` tree over it.

    >>> builder = DocumentBuilder("txt")
    >>> builder.heading("Fees", level=1)
    >>> builder.paragraph("The fee is 3.5%. It is due monthly.")
    >>> doc = builder.build()
    >>> doc.text
    'Fees\\n\\nThe fee is 3.5%. It is due monthly.'
    >>> [(n.kind, doc.text[n.start:n.end]) for n in doc.nodes("sentence")]
    [('sentence', 'Fees'), ('sentence', 'The fee is 3.5%.'), ('sentence', 'It is due monthly.')]
    """

    def __init__(self, format: str, *, source: str | None = None) -> None:
        self.format = format
        self.source = source
        self._chunks: list[str] = []
        self._length = 0
        self._blocks: list[_Block] = []
        self._page_numbers: list[int] = []
        self._page_starts: list[int] = []
        self._page_ends: list[int] = []

    @property
    def is_empty(self) -> bool:
        """Whether no block with text has been added yet."""
        return not self._blocks

    def _open_block(self) -> int:
        if self._blocks:
            self._write(BLOCK_SEPARATOR)
        return self._length

    def _write(self, text: str, page: int | None = None) -> None:
        # Pages only move forward: text tagged with an earlier page number than the current one is
        # counted in the current page, so page spans stay ordered and disjoint.
        if page is not None and text and (not self._page_numbers or page > self._page_numbers[-1]):
            self._page_numbers.append(page)
            self._page_starts.append(self._length)
            self._page_ends.append(self._length)
        self._chunks.append(text)
        self._length += len(text)
        if page is not None and text:
            self._page_ends[-1] = self._length

    def _add_sentences(self, block: _Block, text: str) -> None:
        block.parts.extend(("sentence", block.start + s, block.start + e) for s, e in split_sentences(text))

    def heading(self, text: str, level: int, *, page: int | None = None) -> None:
        """Add a heading the source marks explicitly; it opens a section of depth ``level`` (1 = top)."""
        text = normalize_inline(text)
        if text:
            self._add_paragraph([(text, page)], explicit_heading(text, level))

    def paragraph(self, text: str, *, page: int | None = None, clause: bool = False) -> None:
        """Add a paragraph; with ``clause=True`` a leading clause number ("12.3 Terms") opens a section."""
        self.paragraph_lines([(text, page)], clause=clause)

    def paragraph_lines(self, lines: Iterable[tuple[str, int | None]], *, clause: bool = False) -> None:
        """Add a paragraph made of hard-wrapped ``(line, page)`` pieces, joined with spaces.

        A line ending in a hyphenated word fragment ("termi-") is joined to a next line starting in lower
        case without a space, keeping the hyphen. Page changes inside the paragraph are recorded where the
        new page's line starts, so a paragraph running across pages keeps exact page spans.
        """
        pieces: list[tuple[str, int | None]] = []
        for line, page in lines:
            line = normalize_inline(line)
            if not line:
                continue
            if pieces:
                previous = pieces[-1][0]
                glue = "" if _HYPHENATED_END.search(previous) and line[0].islower() else " "
                pieces.append((glue, None))
            pieces.append((line, page))
        if not pieces:
            return
        text = "".join(piece for piece, _ in pieces)
        self._add_paragraph(pieces, match_clause(text) if clause else None)

    def _add_paragraph(self, pieces: list[tuple[str, int | None]], heading: Heading | None) -> None:
        start = self._open_block()
        for piece, page in pieces:
            self._write(piece, page)
        block = _Block("paragraph", start, self._length, heading)
        self._add_sentences(block, "".join(piece for piece, _ in pieces))
        self._blocks.append(block)

    def table(
        self,
        rows: Sequence[Sequence[str]],
        *,
        header: bool = True,
        caption: str | None = None,
        page: int | None = None,
    ) -> None:
        """Add a table: an optional caption paragraph, then one line per row (see :func:`table_lines`)."""
        lines = table_lines(rows, header=header)
        if not lines:
            return
        if caption:
            self.paragraph(caption, page=page)
        start = self._open_block()
        block = _Block("table", start, start)
        for index, line in enumerate(lines):
            if index:
                self._write("\n")
            block.parts.append(("row", self._length, self._length + len(line)))
            self._write(line, page)
        block.end = self._length
        self._blocks.append(block)

    def build(self, *, title: str | None = None) -> ParsedDocument:
        """Finish the document; raises :class:`InputError` when no text was added."""
        if not self._blocks:
            raise InputError("no text could be extracted", source=self.source)
        text = "".join(self._chunks)
        pages = tuple(
            Page(number, start, end)
            for number, start, end in zip(self._page_numbers, self._page_starts, self._page_ends)
        )
        starts = self._page_starts

        def page_of(offset: int) -> int | None:
            if not starts:
                return None
            return self._page_numbers[max(bisect.bisect_right(starts, offset) - 1, 0)]

        blocks: list[tuple[Node, Heading | None]] = []
        for block in self._blocks:
            children = tuple(Node(kind, s, e, page=page_of(s)) for kind, s, e in block.parts)
            node = Node(block.kind, block.start, block.end, page=page_of(block.start), children=children)
            blocks.append((node, block.heading))
        title = normalize_inline(title) if title else None
        if not title:
            title = next((h.title for _, h in blocks if h is not None and h.scheme == "heading"), None)
        root = Node(
            kind="document",
            start=0,
            end=len(text),
            page=page_of(0),
            title=title,
            children=nest_sections(blocks, page_of),
        )
        return ParsedDocument(text=text, root=root, format=self.format, title=title, pages=pages)
