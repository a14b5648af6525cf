"""Rebuild paragraphs from hard-wrapped lines (PDF text, plain-text files).

PDF text extraction yields one string per printed line and rarely a blank line between paragraphs, so
paragraph breaks are inferred from what a reader sees: a blank line, a line opening a numbered clause or
list item after a finished sentence, a short last line followed by a capitalised line, a first-line
indent, or a short all-caps heading line. Running headers, footers and page numbers are dropped first so
they do not split or pollute the paragraphs around a page break or a printed-page seam.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal, Sequence

from argentier.core.documents._builder import normalize_inline
from argentier.core.documents._sections import match_clause

__all__ = ["Line", "split_lines", "strip_page_furniture", "group_lines", "GroupMode"]

GroupMode = Literal["layout", "blank", "lines"]

_EDGE_LINES = 3
_MAX_FURNITURE_CHARS = 100
_MIN_LINES_FOR_WIDTH = 5
_SHORT_LINE_RATIO = 0.75
_CLAUSE_HEADING_CHARS = 60
_PAGE_NUMBER = re.compile(r"[-–—\s]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*", re.IGNORECASE)
_LIST_MARKER = re.compile(r"(?:\(?[A-Za-z0-9]{1,4}\)|[A-Za-z]\.|[ivxIVX]{1,5}\.|[•●▪◦∙·*–-])\s")
_ALNUM = re.compile(r"[^\W_]")
_CLOSERS = "\"'”’)]"


@dataclass(frozen=True)
class Line:
    """A non-blank printed line: its stripped ``text``, leading ``indent``, visual ``width`` and ``page``."""

    text: str
    indent: int
    width: int
    page: int | None


def split_lines(raw: str, page: int | None = None) -> list[Line | None]:
    """Split extracted text into lines; blank lines become ``None``.

    Lines without a letter or digit (underline rules such as "-----" under a word) are dropped outright:
    they are drawing artefacts, and treating them as blank lines would cut paragraphs in two.
    """
    lines: list[Line | None] = []
    for line in raw.replace("\u00a0", " ").expandtabs(4).splitlines():
        text = line.strip()
        if not text:
            lines.append(None)
        elif _ALNUM.search(text):
            lines.append(Line(text, len(line) - len(line.lstrip()), len(line.rstrip()), page))
    return lines


def _trim(lines: list[Line | None]) -> list[Line | None]:
    start, end = 0, len(lines)
    while start < end and lines[start] is None:
        start += 1
    while end > start and lines[end - 1] is None:
        end -= 1
    return lines[start:end]


def _edge_indices(lines: Sequence[Line | None]) -> list[int]:
    """Indices of the first and last few lines of a page that are short enough to be a header or footer."""
    filled = [
        index
        for index, line in enumerate(lines)
        if line is not None and len(line.text) <= _MAX_FURNITURE_CHARS
    ]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", normalize_inline(text))


def _without(lines: list[Line | None], furniture: set[int]) -> list[Line | None]:
    """Remove the ``furniture`` lines together with the blank lines around them.

    A running header printed in the middle of a paragraph (documents assembled from several printed
    pages) must not leave a blank line behind, or the paragraph would be cut in two.
    """
    kept: list[Line | None] = []
    skip_blanks = False
    for index, line in enumerate(lines):
        if index in furniture:
            while kept and kept[-1] is None:
                kept.pop()
            skip_blanks = True
        elif line is None:
            if not skip_blanks:
                kept.append(None)
        else:
            kept.append(line)
            skip_blanks = False
    return _trim(kept)


def strip_page_furniture(pages: Sequence[list[Line | None]]) -> list[list[Line | None]]:
    """Drop page numbers, running headers and footers; trim blank lines at the page edges.

    A line is furniture when it is a bare page number at a page edge, when the same line (digits ignored)
    sits at an edge of at least half the pages, or when a short line recurs anywhere on at least three
    pages and half of them; in both repeated cases only if it appears about once per page.
    """
    at_edges: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for lines in pages:
        keys = [_furniture_key(line.text) for line in lines if line is not None and len(line.text) <= 80]
        total.update(keys)
        anywhere.update(set(keys))
        at_edges.update(
            {_furniture_key(lines[i].text) for i in _edge_indices(lines)}  # type: ignore[union-attr]
        )
    half = math.ceil(len(pages) / 2)

    def once_a_page(key: str) -> bool:
        # Headers appear about once per page; a signature line ("By: /s/ ...") repeats within pages.
        return total[key] <= 1.5 * anywhere[key]

    repeated_edges = {
        key for key, count in at_edges.items() if count >= max(2, half) and once_a_page(key)
    } if len(pages) >= 2 else set()
    repeated = {key for key, count in anywhere.items() if count >= max(3, half) and once_a_page(key)}
    cleaned = []
    for lines in pages:
        furniture = {
            index
            for index in _edge_indices(lines)
            if _PAGE_NUMBER.fullmatch(lines[index].text)  # type: ignore[union-attr]
            or _furniture_key(lines[index].text) in repeated_edges  # type: ignore[union-attr]
        }
        furniture.update(
            index
            for index, line in enumerate(lines)
            if line is not None and _furniture_key(line.text) in repeated
        )
        cleaned.append(_without(lines, furniture))
    return cleaned


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "?", ":", ";")


def _starts_item(text: str) -> bool:
    return _LIST_MARKER.match(text) is not None or match_clause(normalize_inline(text)) is not None


def _is_clause_heading(text: str) -> bool:
    """A short numbered line with no sentence punctuation at its end: "2. Covenants", "ARTICLE 12"."""
    return len(text) <= _CLAUSE_HEADING_CHARS and not _ends_sentence(text) and not text.endswith(",") and (
        match_clause(normalize_inline(text)) is not None
    )


def _starts_capital(text: str) -> bool:
    first = text.lstrip("\"'“‘([")[:1]
    return first.isupper() or first.isdigit()


def _percentile(values: Sequence[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[int(fraction * (len(ordered) - 1))]


class _Grouper:
    def __init__(self, lines: Sequence[Line | None], mode: GroupMode) -> None:
        self.mode = mode
        widths: dict[int | None, list[int]] = {}
        for line in lines:
            if line is not None:
                widths.setdefault(line.page, []).append(line.width)
        everything = [width for page_widths in widths.values() for width in page_widths]
        # A high percentile rather than the maximum: one over-long extracted line must not make every
        # ordinary line look short. A page with a handful of lines says little about the line width, so
        # it is measured against the whole document.
        self.full_width = {
            page: _percentile(page_widths if len(page_widths) >= _MIN_LINES_FOR_WIDTH else everything, 0.9)
            for page, page_widths in widths.items()
        }

    def is_short(self, line: Line) -> bool:
        return line.width < _SHORT_LINE_RATIO * self.full_width[line.page]

    def is_heading(self, line: Line) -> bool:
        letters = [char for char in line.text if char.isalpha()]
        if len(letters) < 3 or line.text.endswith(",") or not self.is_short(line):
            return False
        return sum(char.isupper() for char in letters) >= 0.8 * len(letters)

    def breaks(self, previous: Line, line: Line) -> bool:
        # A page boundary gets no rule of its own: the last line of a page is judged like any other line
        # (against its own page's width), so paragraphs running across pages stay whole.
        if self.mode == "lines":
            return True
        ended = _ends_sentence(previous.text)
        if _starts_item(line.text) and (ended or self.is_short(previous)):
            return True
        if _is_clause_heading(previous.text) and _starts_capital(line.text):
            return True  # "2. Covenants" on a line of its own heads the clause, it does not start its text
        if self.mode == "blank":
            return False
        if self.is_heading(previous) or (self.is_heading(line) and (ended or self.is_short(previous))):
            return True
        indented = line.indent > previous.indent + 1
        return ended and _starts_capital(line.text) and (self.is_short(previous) or indented)


def group_lines(lines: Sequence[Line | None], *, mode: GroupMode = "layout") -> list[list[Line]]:
    """Group lines into paragraphs. ``None`` entries are blank lines and always end a paragraph.

    ``mode`` is ``"layout"`` for hard-wrapped text without reliable blank lines (PDF), ``"blank"`` when
    blank lines separate paragraphs (clause openings still split), ``"lines"`` for one paragraph per line.

    >>> text = "1. Term. The term is one year\\nand renews.\\n2. Fees. Fees are due\\nmonthly."
    >>> [" ".join(line.text for line in group) for group in group_lines(split_lines(text))]
    ['1. Term. The term is one year and renews.', '2. Fees. Fees are due monthly.']
    """
    grouper = _Grouper(lines, mode)
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line is None or (current and grouper.breaks(current[-1], line)):
            if current:
                groups.append(current)
            current = []
        if line is not None:
            current.append(line)
    if current:
        groups.append(current)
    return groups
