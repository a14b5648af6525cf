"""Candidate spans of a contract that the clause model scores: structure spans and short typed mentions.

Clauses are sentences, pairs of adjacent sentences, or whole paragraphs; key-term categories (names, parties,
dates) are short mentions inside them, so dates, company names, defined-term aliases and title lines are
candidates too. Every candidate is an exact span of ``ParsedDocument.text`` and carries the heading of its
section, which is a strong hint ("12. Governing Law").

>>> from argentier.core.documents import parse_text
>>> doc = parse_text('SUPPLY AGREEMENT\\n\\nThis Agreement is made on May 8, 2014 by Acme Inc. ("Seller").')
>>> sorted({(c.kind, doc.text[c.start:c.end]) for c in candidate_spans(doc) if c.kind != "paragraph"})[:4]
[('alias', 'Seller'), ('date', 'May 8, 2014'), ('entity', 'Acme Inc.'), ('sentence', 'SUPPLY AGREEMENT')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argentier.contracts._dates import find_dates
from argentier.core.documents import Node, ParsedDocument

__all__ = ["Candidate", "candidate_spans"]

_MAX_CLAUSE_CHARS = 3000
_TITLE_ZONE = 3000
_SUFFIX = (
    r"(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|Corp|Corporation|Company|Co|L\.P|LP|LLP|plc|PLC|GmbH|AG|S\.A"
    r"|N\.V|B\.V|SA|AB|Pty|Trust|Bank|Partners|Holdings|Group)\.?"
)
_ENTITY = re.compile(
    r"\b(?:[A-Z][A-Za-z0-9&'.\-]*,?\s+){0,7}?(?:[A-Z][A-Za-z0-9&'.\-]*)\s*,?\s+" + _SUFFIX + r"(?![A-Za-z])"
)
_ALIAS = re.compile(r"[\"“]([A-Z][^\"“”\n]{1,60}?)[\"”]")
_NAME_WORDS = r"(?:AGREEMENT|CONTRACT|LICENSE|LICENCE|LEASE|AMENDMENT|PLAN|Agreement|Contract|License)"
_DOCUMENT_NAME = re.compile(
    r"(?:\b[A-Z][A-Z0-9&\-/]*[,]?\s+){1,7}"
    + _NAME_WORDS
    + r"\b|(?:\b[A-Za-z]?[a-z]*-?[A-Z][a-z\-]+\s+){1,6}"
    + _NAME_WORDS
    + r"\b"
)
_AGREEMENT_WORD = re.compile(
    r"\b(?:agreement|contract|license|licence|lease|amendment|plan|terms)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Candidate:
    """A span ``[start, end)`` of the document text, how it was found, and its section heading."""

    start: int
    end: int
    kind: str
    heading: str


def _sections(node: Node, heading: str, out: list[tuple[Node, str]]) -> None:
    """Each paragraph with the title of its innermost titled section."""
    for child in node.children:
        if child.kind == "section":
            _sections(child, child.title or heading, out)
        elif child.kind in ("paragraph", "table"):
            out.append((child, heading))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def _mentions(text: str, base: int, heading: str, in_title_zone: bool) -> list[Candidate]:
    found = []
    for mention in find_dates(text):
        found.append(Candidate(base + mention.start, base + mention.end, "date", heading))
    for match in _ENTITY.finditer(text):
        start, end = _trim(text, *match.span())
        if end - start > 3:
            found.append(Candidate(base + start, base + end, "entity", heading))
    for match in _ALIAS.finditer(text):
        found.append(Candidate(base + match.start(1), base + match.end(1), "alias", heading))
    if in_title_zone:
        if _AGREEMENT_WORD.search(text) and len(text) < 200:
            found.append(Candidate(base, base + len(text), "title", heading))
        for match in _DOCUMENT_NAME.finditer(text):
            found.append(Candidate(base + match.start(), base + match.end(), "title", heading))
    return found


def candidate_spans(doc: ParsedDocument) -> list[Candidate]:
    """Every candidate span of ``doc`` in document order, each ``(start, end, kind)`` once (example above)."""
    text = doc.text
    paragraphs: list[tuple[Node, str]] = []
    _sections(doc.root, "", paragraphs)
    seen: set[tuple[int, int]] = set()
    candidates: list[Candidate] = []

    def add(start: int, end: int, kind: str, heading: str) -> None:
        if end > start and (start, end) not in seen:
            seen.add((start, end))
            candidates.append(Candidate(start, end, kind, heading))

    for paragraph, heading in paragraphs:
        sentences = [node for node in paragraph.walk() if node.kind == "sentence"] or [paragraph]
        for index, sentence in enumerate(sentences):
            add(sentence.start, min(sentence.end, sentence.start + _MAX_CLAUSE_CHARS), "sentence", heading)
            if index + 1 < len(sentences) and sentences[index + 1].end - sentence.start <= _MAX_CLAUSE_CHARS:
                add(sentence.start, sentences[index + 1].end, "pair", heading)
        if len(sentences) > 2 and paragraph.end - paragraph.start <= _MAX_CLAUSE_CHARS:
            add(paragraph.start, paragraph.end, "paragraph", heading)
        for mention in _mentions(
            text[paragraph.start : paragraph.end], paragraph.start, heading, paragraph.start < _TITLE_ZONE
        ):
            add(mention.start, mention.end, mention.kind, mention.heading)
    return candidates
