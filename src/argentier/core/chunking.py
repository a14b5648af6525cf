"""Hierarchical chunking of a :class:`ParsedDocument` along its section tree.

Chunks are exact slices of the document text, so a retrieved chunk can be highlighted in the source and
cited with its page and section path. They pack whole paragraphs and tables of one section; only blocks
too long for a chunk are cut, at sentence (or table row) boundaries first.

Tiny-section rule: a chunk never spans two sibling sections. A chunk still shorter than ``min_chars``
that lies in a section (typically just the heading, "ARTICLE 12 TERMINATION") is allowed to continue into
that section's own subsections, so a bare heading is not indexed alone; its section path is then the
enclosing section's. Anything else that is short (a one-line clause followed by a sibling clause, the end
of a section, a preamble before the first section) stays a short chunk of its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterator

from argentier.core.documents import Node, ParsedDocument

__all__ = ["Chunk", "chunk_document"]

SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    """A retrievable slice of a document: ``text == doc.text[start:end]``.

    ``section`` is the path of titles of the sections holding the whole chunk, joined with ``" > "``
    (``"Article 12 > 12.3 Termination"``), or ``None`` outside any section; ``page`` is the 1-based page of
    ``start`` for paged documents.
    """

    ordinal: int
    start: int
    end: int
    text: str
    page: int | None
    section: str | None
    content_hash: str


@dataclass(frozen=True)
class _Piece:
    """A span that must not be cut further, with the chain of sections holding it (outermost first)."""

    start: int
    end: int
    sections: tuple[Node, ...]


def _hard_split(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_chars``, at whitespace when there is any."""
    while end - start > max_chars:
        window = text[start : start + max_chars + 1]
        cut = max((index for index, char in enumerate(window) if char.isspace()), default=-1)
        if cut <= 0:
            cut = max_chars
        piece_end = start + cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        yield start, piece_end
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def _block_pieces(text: str, block: Node, max_chars: int) -> Iterator[tuple[int, int]]:
    """A block as it is, or cut at its sentences / rows when it is longer than ``max_chars``."""
    if block.end - block.start <= max_chars:
        yield block.start, block.end
        return
    parts = [child for child in block.children if child.kind in ("sentence", "row")] or [block]
    for part in parts:
        yield from _hard_split(text, part.start, part.end, max_chars)


def _pieces(doc: ParsedDocument, node: Node, sections: tuple[Node, ...], max_chars: int) -> Iterator[_Piece]:
    for child in node.children:
        if child.kind == "section":
            yield from _pieces(doc, child, sections + (child,), max_chars)
        elif child.kind in ("paragraph", "table"):
            for start, end in _block_pieces(doc.text, child, max_chars):
                yield _Piece(start, end, sections)


def _same_chain(left: tuple[Node, ...], right: tuple[Node, ...]) -> bool:
    return len(left) == len(right) and all(a is b for a, b in zip(left, right))


def _descends(chain: tuple[Node, ...], ancestor_chain: tuple[Node, ...]) -> bool:
    return len(chain) > len(ancestor_chain) and _same_chain(chain[: len(ancestor_chain)], ancestor_chain)


def chunk_document(doc: ParsedDocument, *, max_chars: int = 1200, min_chars: int = 200) -> list[Chunk]:
    """Split ``doc`` into ordered chunks of at most ``max_chars`` characters along its sections.

    Consecutive paragraphs and tables of one section are packed together; a block longer than
    ``max_chars`` is cut at sentences (tables at rows), then at whitespace. ``min_chars`` only decides
    when a short heading chunk may continue into its own subsection (see the module docstring).

    >>> from argentier.core.documents import parse_text
    >>> text = "# Fees\\n\\nRent is 1,200 EUR.\\n\\n## Late payment\\n\\nInterest is 5%."
    >>> doc = parse_text(text, format="markdown")
    >>> [(chunk.text, chunk.section) for chunk in chunk_document(doc, max_chars=60, min_chars=20)]
    [('Fees\\n\\nRent is 1,200 EUR.', 'Fees'), ('Late payment\\n\\nInterest is 5%.', 'Fees > Late payment')]
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if not 0 <= min_chars <= max_chars:
        raise ValueError("min_chars must be between 0 and max_chars")
    spans: list[tuple[int, int, tuple[Node, ...]]] = []
    start = end = 0
    label: tuple[Node, ...] = ()  # the sections holding the whole current chunk
    innermost: tuple[Node, ...] = ()  # the sections holding its last piece
    open_chunk = False
    for piece in _pieces(doc, doc.root, (), max_chars):
        if open_chunk and piece.end - start <= max_chars:
            if _same_chain(piece.sections, innermost):
                end = piece.end
                continue
            if end - start < min_chars and label and _descends(piece.sections, innermost):
                end, innermost = piece.end, piece.sections
                continue
        if open_chunk:
            spans.append((start, end, label))
        start, end, label, innermost = piece.start, piece.end, piece.sections, piece.sections
        open_chunk = True
    if open_chunk:
        spans.append((start, end, label))
    chunks = []
    for ordinal, (start, end, sections) in enumerate(spans):
        text = doc.text[start:end]
        chunks.append(
            Chunk(
                ordinal=ordinal,
                start=start,
                end=end,
                text=text,
                page=doc.page_at(start),
                section=SECTION_SEPARATOR.join(node.title or "" for node in sections) or None,
                content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
        )
    return chunks
