"""Deterministic, regex-based sentence splitting that returns character offsets.

Legal and financial prose is full of periods that do not end sentences: abbreviations ("Inc.", "No. 5",
"e.g."), initials ("J. Smith"), decimals ("3.5") and clause numbers ("12.3 Termination"). A statistical
splitter would need a model download and would not be reproducible across versions, so this one uses a
fixed list of rules instead.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# Lower-cased, without the final period. "etc" is deliberately absent: it ends sentences more often than not.
_ABBREVIATIONS = frozenset(
    """
    a.g al approx apr art arts aug ave blvd ch cf cl co corp dec dept dr e.g e.u est feb fig figs govt
    i.e inc int'l jan jr jul jun l.l.c l.p ltd mar messrs mr mrs ms mt n.a no nos nov oct p pp para paras
    plc prof pty reg regs rev rd s.a sec secs sect sep sept sr st subsec u.k u.s u.s.a v viz vol vs
    """.split()
)

# A terminator run, optional closing quotes/brackets, then whitespace and something that can open a sentence.
_CANDIDATE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LETTER_DOTS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_CLAUSE_NUMBER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7}|[A-Za-z])")


def _is_false_stop(text: str, sentence_start: int, period: int) -> bool:
    """Whether the period at ``period`` belongs to an abbreviation, an initial or a leading clause number."""
    token_start = period
    while token_start > sentence_start and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start:period].lstrip("\"'“‘([")
    if not token:
        return False
    if token.lower() in _ABBREVIATIONS or _LETTER_DOTS.fullmatch(token):
        return True
    if len(token) == 1 and token.isalpha():
        return True  # an initial such as "J. Smith", or a list marker such as "a."
    # "12.3." or "IV." opening a sentence is a clause number, not a sentence of its own.
    return token_start == sentence_start and _CLAUSE_NUMBER.fullmatch(token) is not None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences and return their ``(start, end)`` offsets.

    Spans never start or end with whitespace, are in order and do not overlap; an empty or blank text has
    no sentences. A text without any sentence break is one sentence.

    >>> text = "See Sec. 4 of the Agreement, e.g. the fee of 3.5 percent. Payment is due in 30 days."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['See Sec. 4 of the Agreement, e.g. the fee of 3.5 percent.', 'Payment is due in 30 days.']
    >>> clause = "12.3 Termination. Either party may end it."
    >>> [clause[s:e] for s, e in split_sentences(clause)]
    ['12.3 Termination.', 'Either party may end it.']
    """
    spans: list[tuple[int, int]] = []
    end_of_text = len(text.rstrip())
    start = len(text) - len(text.lstrip())
    if start >= end_of_text:
        return spans
    for match in _CANDIDATE.finditer(text, start, end_of_text):
        if match.start() < start:
            continue
        if text[match.start()] == "." and _is_false_stop(text, start, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < end_of_text and text[start].isspace():
            start += 1
    if start < end_of_text:
        spans.append((start, end_of_text))
    return spans
