"""Deterministic extractive summaries of regulatory updates: title, key sentences, dates and obligations.

Every summary sentence is a sentence node of the parsed document, so ``doc.text[start:end]`` is exactly its
text and the summary is fully grounded by construction. Sentences are scored against the document's TF-IDF
centroid, boosted by a position prior (regulatory notices state the change first), and picked greedily by
maximal marginal relevance so a repeated paragraph is never quoted twice.

>>> result = summarise_text(
...     "VAT reform. From 1 January 2027 the reduced rate of 5.5% applies to energy renovation works. "
...     "Businesses must register the new rate by 31 March 2027 in their invoicing systems.", max_words=40)
>>> result.dates["effective"], result.dates["deadlines"], result.language
('2027-01-01', ['2027-03-31'], 'en')
>>> [o.cue for o in result.obligations]
['must']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from argentier.core.documents import ParsedDocument, parse_text
from argentier.core.grounding import Evidence, VerifiedClaim
from argentier.errors import InputError
from argentier.regwatch._dates import DateMention, classify_dates, find_dates

__all__ = ["Obligation", "UpdateSummary", "detect_language", "summarise_document", "summarise_text"]

_ENGLISH_STOPWORDS = (
    "a about above after again against all also am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have "
    "having he her here hers him his how i if in into is it its itself just more most my no nor not now of "
    "off on once only or other our ours out over own same she should so some such than that the their them "
    "then there these they this those through to too under until up very was we were what when where which "
    "while who whom why will with would you your shall may must"
)
_FRENCH_STOPWORDS = (
    "a ai au aux avec ce ces cet cette comme dans de des du elle elles en est et eux il ils je la le les "
    "leur leurs lui ma mais me mes moi mon ne ni nos notre nous on ou où par pas pour qu que qui sa se ses "
    "si son sont sur ta te tes toi ton tu un une vos votre vous y été être avoir ont sera seront cela ceci "
    "lorsque ainsi afin dont peut doit doivent plus selon entre sous"
)
_STOPWORDS = {"en": frozenset(_ENGLISH_STOPWORDS.split()), "fr": frozenset(_FRENCH_STOPWORDS.split())}
_ALL_STOPWORDS = _STOPWORDS["en"] | _STOPWORDS["fr"]
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_OBLIGATION = re.compile(
    r"\b(must|shall|(?:is|are) required to|(?:is|are) obliged to|(?:has|have) to|"
    r"doivent|doit|(?:sont|est) tenue?s? de|(?:sont|est) obligatoires?|il incombe)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 5  # shorter sentences (headings, "Yes.") are never summary sentences
_MMR_LAMBDA = 0.7
_MAX_SIMILARITY = 0.8  # a candidate this close to a selected sentence is a repeat


@dataclass(frozen=True)
class Obligation:
    """A sentence that imposes a duty: ``text == doc.text[start:end]`` and the modal ``cue`` that marks it."""

    text: str
    start: int
    end: int
    cue: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "cue": self.cue}


@dataclass(frozen=True)
class UpdateSummary:
    """The summary of one regulatory update; every sentence, date and obligation carries its offsets."""

    title: str
    summary: str
    sentences: tuple[Evidence, ...]
    dates: dict[str, Any]
    obligations: tuple[Obligation, ...]
    language: str
    # The LLM path (argentier.regwatch.llm_summary) writes statements, each grounded by verbatim quotes; then
    # ``sentences`` holds those quotes, ``model`` names the model, ``note`` says why it fell back, if it did.
    method: str = "extractive"
    statements: tuple[VerifiedClaim, ...] = ()
    model: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; ``impact`` is left ``None`` (assessed elsewhere)."""
        return {
            "title": self.title,
            "summary": self.summary,
            "sentences": [{"text": s.quote, "start": s.start, "end": s.end} for s in self.sentences],
            "dates": self.dates,
            "impact": None,
            "obligations": [obligation.to_dict() for obligation in self.obligations],
            "language": self.language,
            "method": self.method,
            "statements": [
                {"text": claim.text, "evidence": [e.to_dict() for e in claim.evidence]} for claim in self.statements
            ],
            "model": self.model,
            "note": self.note,
        }


def detect_language(text: str) -> str:
    """``"fr"`` when French stopwords outnumber English ones in ``text``, else ``"en"``.

    >>> detect_language("Les entreprises doivent déclarer la TVA avant le 15 mars."), detect_language("The rate")
    ('fr', 'en')
    """
    words = [word.lower() for word in _WORD.findall(text[:20000])]
    english = sum(word in _STOPWORDS["en"] for word in words)
    french = sum(word in _STOPWORDS["fr"] for word in words)
    return "fr" if french > english else "en"


def _headings(doc: ParsedDocument) -> set[str]:
    titles = {node.title.strip() for node in doc.nodes("section") if node.title}
    if doc.title:
        titles.add(doc.title.strip())
    return titles


def _spans(doc: ParsedDocument) -> list[tuple[int, int]]:
    """Sentence spans without headings, trimmed of surrounding whitespace so they are clean quotes."""
    headings = _headings(doc)
    spans = []
    for node in doc.nodes("sentence"):
        raw = doc.text[node.start : node.end]
        stripped = raw.strip()
        if not stripped or stripped in headings:
            continue
        start = node.start + len(raw) - len(raw.lstrip())
        spans.append((start, start + len(stripped)))
    return spans


def _tfidf_rows(sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Sparse L2-normalised TF-IDF rows as flat arrays: term ids, weights, row ids and the vocabulary size."""
    vocabulary: dict[str, int] = {}
    term_ids: list[int] = []
    row_ids: list[int] = []
    for row, sentence in enumerate(sentences):
        for word in _WORD.findall(sentence.lower()):
            if len(word) > 1 and word not in _ALL_STOPWORDS:
                term_ids.append(vocabulary.setdefault(word, len(vocabulary)))
                row_ids.append(row)
    terms = np.asarray(term_ids, dtype=np.int64)
    rows = np.asarray(row_ids, dtype=np.int64)
    size = len(vocabulary)
    if not size:
        return terms, np.zeros(0), rows, 0
    # Collapse repeated (row, term) pairs into counts.
    keys, counts = np.unique(rows * size + terms, return_counts=True)
    rows, terms = keys // size, keys % size
    document_frequency = np.bincount(terms, minlength=size)
    weights = (1.0 + np.log(counts)) * (np.log((1 + len(sentences)) / (1 + document_frequency[terms])) + 1.0)
    norms = np.sqrt(np.bincount(rows, weights=weights**2, minlength=len(sentences)))
    weights = weights / np.where(norms[rows] > 0, norms[rows], 1.0)
    return terms, weights, rows, size


def _similarity_to(row: int, terms: np.ndarray, weights: np.ndarray, rows: np.ndarray, size: int, n: int):
    """Cosine similarity of sentence ``row`` with every sentence (rows are unit vectors)."""
    dense = np.zeros(size)
    mask = rows == row
    dense[terms[mask]] = weights[mask]
    return np.bincount(rows, weights=weights * dense[terms], minlength=n)


def _mmr_order(sentences: list[str]) -> Iterator[int]:
    """Sentences worth quoting (at least 5 words), best first by maximal marginal relevance; lazily."""
    n = len(sentences)
    eligible = np.array([len(s.split()) >= _MIN_WORDS for s in sentences], dtype=bool)
    terms, weights, rows, size = _tfidf_rows(sentences)
    if size == 0:
        yield from np.flatnonzero(eligible).tolist()
        return
    centroid = np.bincount(terms, weights=weights, minlength=size)
    centroid /= np.linalg.norm(centroid) or 1.0
    relevance = np.bincount(rows, weights=weights * centroid[terms], minlength=n)
    # Position prior: regulatory notices state the change first.
    scores = relevance * (1.0 + 0.5 / np.sqrt(1.0 + np.arange(n)))
    scores = scores / (scores.max() or 1.0)
    redundancy = np.zeros(n)
    available = eligible.copy()
    while available.any():
        mmr = np.where(available, _MMR_LAMBDA * scores - (1 - _MMR_LAMBDA) * redundancy, -np.inf)
        best = int(np.argmax(mmr))  # ties go to the earliest sentence: deterministic
        yield best
        available[best] = False
        redundancy = np.maximum(redundancy, _similarity_to(best, terms, weights, rows, size, n))
        available &= redundancy < _MAX_SIMILARITY


def _trim_words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]).rstrip(" ,;:.") if len(words) > limit else text


def summarise_document(
    doc: ParsedDocument, *, max_words: int = 250, title_words: int = 15, language: str | None = None
) -> UpdateSummary:
    """Summarise a parsed regulatory update with sentences quoted verbatim from it.

    ``summary`` joins the selected sentences in document order and has at most ``max_words`` words; when even
    the best sentence is longer, its leading words are quoted (still an exact slice of the text).

    >>> doc = parse_text("# Energy VAT\\n\\nFrom 1 January 2027 the reduced rate of 5.5% applies to heat pumps. "
    ...                  "Installers must update their invoices by 31 March 2027.", format="md")
    >>> result = summarise_document(doc, max_words=14)
    >>> result.title, result.summary
    ('Energy VAT', 'From 1 January 2027 the reduced rate of 5.5% applies to heat pumps.')
    >>> all(doc.text[s.start:s.end] == s.quote for s in result.sentences)
    True
    """
    if max_words < 1 or title_words < 1:
        raise InputError(f"max_words and title_words must be at least 1, got {max_words} and {title_words}")
    if language is not None and language not in _STOPWORDS:
        raise InputError(f"language must be 'en' or 'fr', got {language!r}")
    text = doc.text
    spans = _spans(doc)
    sentences = [text[start:end] for start, end in spans]
    chosen: dict[int, tuple[int, int]] = {}
    best: int | None = None
    budget = max_words
    for index in _mmr_order(sentences):
        best = index if best is None else best
        start, end = spans[index]
        words = len(sentences[index].split())
        if words <= budget:
            chosen[index] = (start, end)
            budget -= words
        elif not chosen:
            chosen[index] = _prefix_span(text, start, end, budget)
            budget = 0
        if budget < _MIN_WORDS:
            break
    evidence = tuple(Evidence.from_span(text, *chosen[index]) for index in sorted(chosen))

    obligations = []
    for start, end in spans:
        cue = _OBLIGATION.search(text, start, end)
        if cue:
            obligations.append(Obligation(text[start:end], start, end, cue.group(1)))

    mentions: list[DateMention] = find_dates(text)
    return UpdateSummary(
        title=_title(doc, sentences, best, title_words),
        summary=" ".join(" ".join(item.quote.split()) for item in evidence),
        sentences=evidence,
        dates=classify_dates(mentions),
        obligations=tuple(obligations),
        language=language or detect_language(text),
    )


def _prefix_span(text: str, start: int, end: int, words: int) -> tuple[int, int]:
    """The span of the first ``words`` words of ``text[start:end]``."""
    matches = list(re.finditer(r"\S+", text[start:end]))
    return start, start + matches[min(words, len(matches)) - 1].end()


def _title(doc: ParsedDocument, sentences: list[str], best: int | None, limit: int) -> str:
    """The document title or first unnumbered heading, else the best sentence; trimmed to ``limit`` words.

    Numbered headings ("2. Delivery of Content") name a clause, not the update, so they are never titles.
    """
    candidates = [doc.title] + [node.title for node in doc.nodes("section") if not node.number]
    for candidate in candidates:
        if candidate and candidate.strip():
            return _trim_words(" ".join(candidate.split()), limit)
    if not sentences:
        return ""
    return _trim_words(" ".join(sentences[best or 0].split()), limit).rstrip(".")


def summarise_text(text: str, *, format: str = "txt", **options: Any) -> UpdateSummary:
    """Parse ``text`` (``format`` as for :func:`~argentier.core.documents.parse_text`) and summarise it.

    >>> summarise_text("Les entreprises doivent déposer leur déclaration au plus tard le 15 septembre 2026.").dates[
    ...     "deadlines"]
    ['2026-09-15']
    """
    return summarise_document(parse_text(text, format=format), **options)
