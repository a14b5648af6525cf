"""Retrieval for the assistant: the hybrid search with the caller's groups, then the sentences that answer.

:func:`retrieve` runs :meth:`Library.search` with the caller's groups (access control happens in SQL there)
and loads each hit's document through :meth:`Library.get_document` with the same groups, so nothing the
caller may not read is ever in hand. :func:`rank_sentences` scores every sentence (and table row) of the
retrieved chunks against the question: lexical overlap of the question's terms (weighted by how rare they
are among the candidates, the section heading counting half) and the embedding similarity, with a small
bonus for the chunk's search rank.

>>> terms("Who approves purchase orders above EUR 10,000?")
['appro', 'purch', 'order', 'eur', '10', '000']
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from argentier.core.documents import ParsedDocument
from argentier.core.search import STOPWORDS, DocumentRef, SearchHit

if TYPE_CHECKING:
    import numpy as np

    from argentier.core.library import Library

__all__ = ["Candidate", "Retrieval", "rank_sentences", "retrieve", "terms"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Question words that say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = frozenset({"many", "much", "long", "often", "must", "need", "needs", "may", "get", "us", "please"})
LEXICAL_WEIGHT = 0.45
SEMANTIC_WEIGHT = 0.55
RANK_BONUS = 0.04
HEADING_WEIGHT = 0.06
CONDITION_WEIGHT = 0.06
CONDITION_PENALTY = 0.1

_AMOUNT = r"(?:eur|usd|gbp|€|\$|£)\s?(\d[\d,]*(?:\.\d+)?)"
_QUESTION_AMOUNT = re.compile(r"(?:(above|over|more than|exceeding|below|under|less than|up to)\s+)?" + _AMOUNT, re.I)
_RANGE = re.compile(_AMOUNT + r"\s+(?:to|-|\u2013)\s+" + _AMOUNT, re.I)
_BOUND = re.compile(
    r"(up to|not exceed|at most|below|under|less than|above|over|more than|exceeds?|exceeding)\s+" + _AMOUNT, re.I
)


def _stem(word: str) -> str:
    """A crude stem: the first five letters of words (numbers stay whole), so approval ~ approve."""
    if word.isdigit() or len(word) <= 5:
        return word.rstrip("s") if len(word) > 3 and not word.isdigit() else word
    return word[:5] if not word[:5].endswith("e") else word[:4]


def terms(text: str) -> list[str]:
    """The distinct content-word stems of ``text``, in order (stopwords and question words left out)."""
    words = [word.lower() for word in _WORD.findall(text)]
    kept = [_stem(word) for word in words if word not in STOPWORDS and word not in _QUESTION_WORDS]
    return list(dict.fromkeys(kept))


@dataclass(frozen=True)
class Retrieval:
    """The hits of one search and the documents they come from (all readable by the caller)."""

    query: str
    hits: tuple[SearchHit, ...]
    documents: dict[int, ParsedDocument]


@dataclass(frozen=True)
class Candidate:
    """A sentence or table row of a retrieved chunk, scored against the question.

    ``start``/``end`` are the sentence's offsets in its document's text; ``context_start``/``context_end``
    the paragraph (or table) around it, cut to the chunk.
    """

    document: DocumentRef
    page: int | None
    section: str | None
    start: int
    end: int
    context_start: int
    context_end: int
    text: str
    kind: str
    score: float
    lexical: float
    semantic: float
    hit_rank: int


def retrieve(
    library: "Library",
    query: str,
    *,
    groups: Iterable[str] | None,
    collection: str | None = None,
    k: int = 8,
    meta: Mapping[str, str] | None = None,
    cache: "OrderedDict[tuple[int, str], ParsedDocument] | None" = None,
) -> Retrieval:
    """The ``k`` best chunks for ``query`` that ``groups`` may read (and whose metadata has every ``meta``
    pair), with their parsed documents."""
    groups = None if groups is None else tuple(groups)
    hits = library.search(query, k=k, collection=collection, groups=groups, meta=meta)
    documents: dict[int, ParsedDocument] = {}
    for hit in hits:
        if hit.document.id in documents:
            continue
        # get_document checks the groups again: a document re-grouped meanwhile is not read.
        stored = library.get_document(hit.document.id, groups=groups)
        key = (hit.document.id, stored.info.content_hash)
        parsed = cache.get(key) if cache is not None else None
        if parsed is None:
            parsed = stored.parsed
            if cache is not None:
                cache[key] = parsed
                while len(cache) > 256:
                    cache.popitem(last=False)
        documents[hit.document.id] = parsed
    return Retrieval(query, tuple(hits), documents)


def _units(parsed: ParsedDocument, start: int, end: int) -> list[tuple[int, int, int, int, str]]:
    """Sentences and table rows inside ``[start, end)``: ``(start, end, context_start, context_end, kind)``."""
    units = []
    for node in parsed.root.walk():
        if node.end <= start or node.start >= end:
            continue
        if node.kind == "paragraph":
            for sentence in node.children:
                if sentence.kind == "sentence" and sentence.start >= start and sentence.end <= end:
                    units.append((sentence.start, sentence.end, max(node.start, start), min(node.end, end), "sentence"))
        elif node.kind == "table":
            rows = [row for row in node.children if row.kind == "row"]
            for row in rows[1:] if len(rows) > 1 else rows:
                if row.start >= start and row.end <= end:
                    units.append((row.start, row.end, max(node.start, start), min(node.end, end), "row"))
    return units


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def question_amounts(question: str) -> list[float]:
    """Money amounts in a question; "above X" counts as a little more than X, "below X" as a little less.

    >>> question_amounts("Who approves a refund of EUR 800 or one above EUR 25,000?")
    [800.0, 25000.01]
    """
    amounts = []
    for match in _QUESTION_AMOUNT.finditer(question):
        value, qualifier = _amount(match.group(2)), (match.group(1) or "").lower()
        if qualifier in ("above", "over", "more than", "exceeding"):
            value += 0.01
        elif qualifier in ("below", "under", "less than"):
            value -= 0.01
        amounts.append(value)
    return amounts


def condition_fit(amounts: Sequence[float], text: str) -> int:
    """How the text's amount conditions ("up to EUR 1,000", "EUR 5,001 to EUR 50,000", "above EUR 2,000") fit
    the question's amounts: 2 when a range bounded on both sides holds, 1 when one-sided conditions hold, -1 when
    one fails, 0 when there is nothing to compare.

    >>> condition_fit([800.0], "Refunds up to EUR 1,000 are approved by the team leader.")
    1
    >>> condition_fit([800.0], "Refunds above EUR 1,000 and up to EUR 25,000 are approved by the head.")
    -1
    >>> condition_fit([30000.0], "EUR 5,001 to EUR 50,000 | Approver: Department director")
    2
    """
    if not amounts:
        return 0
    checks, lower, upper = [], False, False
    for match in _RANGE.finditer(text):
        lower = upper = True
        low, high = _amount(match.group(1)), _amount(match.group(2))
        checks.append(lambda x, low=low, high=high: low <= x <= high)
    remainder = _RANGE.sub(" ", text)
    for match in _BOUND.finditer(remainder):
        word, bound = match.group(1).lower(), _amount(match.group(2))
        if word in ("up to", "not exceed", "at most"):
            checks.append(lambda x, bound=bound: x <= bound)
            upper = True
        elif word in ("below", "under", "less than"):
            checks.append(lambda x, bound=bound: x < bound)
            upper = True
        else:
            checks.append(lambda x, bound=bound: x > bound)
            lower = True
    if not checks:
        return 0
    if not any(all(check(x) for check in checks) for x in amounts):
        return -1
    return 2 if lower and upper else 1


def _condition_score(fit: int) -> float:
    return -CONDITION_PENALTY if fit < 0 else CONDITION_WEIGHT * fit


def _is_heading(text: str) -> bool:
    return len(text.split()) < 4 or (not text.rstrip().endswith((".", "?", "!", ":")) and len(text.split()) < 8)


def rank_sentences(
    question: str,
    retrieval: Retrieval,
    embed: "callable[[Sequence[str]], np.ndarray] | None" = None,
    *,
    expand: int = 2,
    max_expand_chars: int = 20_000,
) -> list[Candidate]:
    """Every sentence and table row of the retrieved chunks, and of the whole of the ``expand`` best documents
    (when shorter than ``max_expand_chars``), best answer first (see the module docstring)."""
    question_terms = terms(question)
    amounts = question_amounts(question)
    raw = []
    seen: set[tuple[int, int, int]] = set()
    expand_ids = list(dict.fromkeys(hit.document.id for hit in retrieval.hits))[:expand]
    spans = [(rank, hit, hit.start, hit.end) for rank, hit in enumerate(retrieval.hits, start=1)]
    for document_id in expand_ids:
        hit = next(hit for hit in retrieval.hits if hit.document.id == document_id)
        parsed = retrieval.documents.get(document_id)
        if parsed is not None and len(parsed.text) <= max_expand_chars:
            spans.append((len(retrieval.hits) + 1, hit, 0, len(parsed.text)))
    for rank, hit, span_start, span_end in spans:
        parsed = retrieval.documents.get(hit.document.id)
        if parsed is None:
            continue
        for start, end, context_start, context_end, kind in _units(parsed, span_start, span_end):
            key = (hit.document.id, start, end)
            text = parsed.text[start:end]
            if key in seen or (kind == "sentence" and _is_heading(text)):
                continue
            seen.add(key)
            section = _section_path(parsed, start)
            raw.append((hit, rank, parsed, start, end, context_start, context_end, kind, section, text))
    if not raw:
        return []
    unit_terms = [set(terms(item[-1])) for item in raw]
    section_terms = [set(terms(item[-2] or "")) | set(terms(item[0].document.title)) for item in raw]
    total = len(raw)
    weight = {}
    for term in question_terms:
        frequency = sum(1 for words in unit_terms if term in words)
        weight[term] = math.log(1.0 + (total + 1) / (frequency + 0.5))
    weight_sum = sum(weight.values()) or 1.0
    semantic = [0.0] * total
    if embed is not None:
        vectors = embed([question] + [_embedding_text(item) for item in raw])
        query_vector = vectors[0]
        semantic = [max(0.0, float(vector @ query_vector)) for vector in vectors[1:]]
    candidates = []
    for index, (hit, rank, parsed, start, end, context_start, context_end, kind, section, text) in enumerate(raw):
        words, heading = unit_terms[index], section_terms[index]
        lexical = sum(
            weight[term] * (1.0 if term in words else 0.5 if term in heading else 0.0) for term in question_terms
        ) / weight_sum
        own_heading = set(terms(section.split(" > ")[-1])) if section and " > " in section else set()
        heading_share = sum(1 for term in question_terms if term in own_heading) / max(len(question_terms), 1)
        score = (
            LEXICAL_WEIGHT * lexical
            + SEMANTIC_WEIGHT * semantic[index]
            + RANK_BONUS / rank
            + HEADING_WEIGHT * heading_share
            + _condition_score(condition_fit(amounts, text))
        )
        candidates.append(
            Candidate(
                document=hit.document,
                page=parsed.page_at(start),
                section=section,
                start=start,
                end=end,
                context_start=context_start,
                context_end=context_end,
                text=text,
                kind=kind,
                score=round(score, 6),
                lexical=round(lexical, 6),
                semantic=round(semantic[index], 6),
                hit_rank=rank,
            )
        )
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.hit_rank, candidate.start))
    return candidates


def _section_path(parsed: ParsedDocument, offset: int) -> str | None:
    """The titles of the sections holding ``offset``, outermost first (the chunker's ``A > B`` form)."""
    titles, node = [], parsed.root
    while True:
        inner = next(
            (child for child in node.children if child.kind == "section" and child.start <= offset < child.end),
            None,
        )
        if inner is None:
            break
        if inner.title:
            titles.append(" ".join(inner.title.split()))
        node = inner
    return " > ".join(titles) or None


def _embedding_text(item: tuple) -> str:
    section, text = item[-2], item[-1]
    section = (section or "").split(" > ")[-1]
    return f"{section}: {' '.join(text.split())}" if section else " ".join(text.split())
