"""Section detection: explicit headings and numbered clauses, and their nesting into a tree.

Contracts rarely use real heading styles; their structure lives in the clause numbers ("ARTICLE 12",
"12.3 Termination", "Section 1.1"). The depth of a numbered clause is the number of components of its
number, so "12.3" sits under "12" whatever the fonts say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

from argentier.core.documents._model import Node

__all__ = ["Heading", "match_clause", "explicit_heading", "nest_sections", "TITLE_MAX_CHARS"]

Scheme = Literal["heading", "article", "roman", "section", "number"]

TITLE_MAX_CHARS = 80

_ROMAN = r"(?:C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ARTICLE_RE = re.compile(
    rf"(?:ARTICLE|Article)\s+(?P<num>\d{{1,3}}|(?=[IVXLC]){_ROMAN})(?P<dot>\.?)(?=$|[\s:\-–—])"
)
_SECTION_RE = re.compile(
    r"(?:SECTION|Section|Sec\.|§)\s*(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<dot>\.?)(?=$|[\s:\-–—])"
)
_NUMBER_RE = re.compile(r"(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<dot>\.?)(?=\s)")
_ROMAN_RE = re.compile(rf"(?P<num>(?=[IVX]|[LC][IVXLC]){_ROMAN})\.(?=\s)")
_PHRASE_END = re.compile(r"[.:](?=\s|$)")
_OPENS_CLAUSE_BODY = re.compile(r"[A-Z\"“‘']")
_CAPS_WORD = re.compile(r"[A-Z][A-Z&'’-]+\b")


@dataclass(frozen=True)
class Heading:
    """What makes a block start a section: its depth, title, clause number and numbering scheme."""

    level: int
    title: str
    number: str | None
    scheme: Scheme


def _short_title(text: str, prefix_end: int) -> str:
    """The clause number plus the block's first phrase when it is short enough to be a heading
    ("12.3 Termination"), else the clause number alone ("3.2"), so prose clauses give clean section paths."""
    stop = _PHRASE_END.search(text, prefix_end)
    if stop is not None and stop.start() <= TITLE_MAX_CHARS and text[prefix_end : stop.start()].strip():
        return text[: stop.start()].rstrip(" -–—")
    if len(text) <= TITLE_MAX_CHARS:
        return text.rstrip(" .:;,-–—")
    return text[:prefix_end].strip().rstrip(".:")


def _number_match(text: str) -> tuple[re.Match[str], Scheme, int] | None:
    """Match a clause number at the start of ``text``; returns the match, its scheme and its depth."""
    match = _ARTICLE_RE.match(text)
    if match is not None:
        return match, "article", 1
    match = _SECTION_RE.match(text)
    if match is not None:
        return match, "section", match.group("num").count(".") + 1
    match = _NUMBER_RE.match(text)
    if match is not None:
        number = match.group("num")
        # A bare "12" without a dot is too often a quantity ("30 Days") to be a clause number.
        if "." in number or match.group("dot"):
            return match, "number", number.count(".") + 1
        return None
    match = _ROMAN_RE.match(text)
    if match is not None:
        return match, "roman", 1
    return None


def match_clause(text: str) -> Heading | None:
    """The section heading a numbered paragraph opens, or ``None`` if ``text`` is not a numbered clause.

    >>> match_clause("12.3 Termination. Either party may terminate on notice.")
    Heading(level=2, title='12.3 Termination', number='12.3', scheme='number')
    >>> match_clause("ARTICLE IV").number, match_clause("Section 5. Fees").level
    ('IV', 1)
    >>> match_clause("(a) the Supplier shall deliver"), match_clause("30 days after notice")
    (None, None)
    """
    found = _number_match(text)
    if found is None:
        return None
    match, scheme, level = found
    rest = text[match.end() :].lstrip(" .:-–—")
    if scheme in ("article", "section"):
        # "Article 5 of the Regulation" or "Section 13 of the Act" is a cross-reference, not a heading.
        if rest[:1].islower():
            return None
    elif scheme == "number":
        if _OPENS_CLAUSE_BODY.match(rest) is None:
            return None
    elif _CAPS_WORD.match(rest) is None:
        # "I. ENGAGEMENT" is a heading; "V. Smith agrees" is an initial.
        return None
    title = _short_title(text, match.end())
    return Heading(level=level, title=title, number=match.group("num"), scheme=scheme)


def explicit_heading(text: str, level: int) -> Heading:
    """A heading the source marks as such (a heading style, ``<h2>``, ``##``); its clause number if any."""
    found = _number_match(text)
    number = found[0].group("num") if found is not None else None
    return Heading(level=max(level, 1), title=text, number=number, scheme="heading")


@dataclass
class _OpenSection:
    heading: Heading
    level: int
    start: int
    children: list[Node] = field(default_factory=list)


def _effective_level(heading: Heading, stack: Sequence[_OpenSection]) -> int:
    # "Section 5." or "1." directly under "ARTICLE IV" is a sub-clause of the article, not its sibling;
    # deeper numbers ("12.3") already have the right depth from their dots.
    if heading.scheme in ("section", "number"):
        for frame in reversed(stack):
            if frame.heading.scheme in ("article", "roman"):
                return max(heading.level, frame.level + 1)
    return heading.level


def nest_sections(
    blocks: Sequence[tuple[Node, Heading | None]], page_of: Callable[[int], int | None]
) -> tuple[Node, ...]:
    """Turn a flat run of blocks into the document's top-level children, wrapping headed runs in sections.

    A section holds its heading block and every following block until a heading of the same or a higher
    level (a smaller ``level`` number); it spans from its heading's start to its last block's end.
    """
    top: list[Node] = []
    stack: list[_OpenSection] = []

    def close() -> None:
        frame = stack.pop()
        section = Node(
            kind="section",
            start=frame.start,
            end=frame.children[-1].end,
            page=page_of(frame.start),
            title=frame.heading.title,
            number=frame.heading.number,
            level=frame.level,
            children=tuple(frame.children),
        )
        (stack[-1].children if stack else top).append(section)

    for node, heading in blocks:
        if heading is not None:
            level = _effective_level(heading, stack)
            while stack and stack[-1].level >= level:
                close()
            stack.append(_OpenSection(heading=heading, level=level, start=node.start))
        (stack[-1].children if stack else top).append(node)
    while stack:
        close()
    return tuple(top)
