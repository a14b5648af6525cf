"""Explanations, questions about one contract, and unusual clauses across a portfolio.

- :func:`explain_clause` writes the template explanation of a clause finding (an LLM-written one is a
  grounded answer from :func:`answer_question` with a configured model).
- :func:`answer_question` retrieves the contract's passages closest to a question and answers with a cited
  quote; with an LLM it asks for a grounded answer and keeps only claims whose quotes are verbatim.
- :func:`unusual_clauses` flags a clause far from how the same category reads across the portfolio: cosine
  distance of its word vector to the category centroid, beyond the mean + ``z`` standard deviations.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argentier.contracts._categories import CATEGORY_DESCRIPTIONS
from argentier.contracts._model import ClauseMatch
from argentier.core.documents import ParsedDocument
from argentier.core.grounding import Evidence
from argentier.errors import InputError, ProviderError

if TYPE_CHECKING:
    from argentier.core.llm import LLMClient

__all__ = ["ContractAnswer", "UnusualClause", "answer_question", "explain_clause", "unusual_clauses"]

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "shall",
        "such",
        "that",
        "the",
        "this",
        "to",
        "under",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "within",
        "does",
        "do",
        "how",
        "is",
        "there",
    ]
)


def explain_clause(match: ClauseMatch, *, llm: LLMClient | None = None) -> str:
    """A plain-language explanation of a clause: from the template, or, with ``llm``, a generated one that
    is kept only when every claim it makes quotes the clause verbatim (otherwise the template).

    >>> explain_clause(ClauseMatch("Governing Law", "governed by the laws of Texas", 0, 29, 0.93))
    'Governing Law (which state\\'s or country\\'s law governs the interpretation of the contract), found with 93 % confidence: "governed by the laws of Texas".'
    """
    if llm is not None:
        from argentier.core.llm import GroundedAnswer, load_prompt, number_passages

        question = f"In plain language, what does this {match.category} clause mean for the parties?"
        try:
            completion = llm.complete(
                load_prompt("grounded_answer"),
                variables={"passages": number_passages([match.text]), "question": question},
                schema=GroundedAnswer,
                grounding_passages=[match.text],
            )
        except ProviderError:
            completion = None
        report = completion.grounding if completion is not None else None
        if report is not None and report.verified and len(report.verified) == len(completion.data.claims):
            return completion.data.answer
    description = CATEGORY_DESCRIPTIONS[match.category].rstrip(".")
    description = description[0].lower() + description[1:]
    quote = match.text if len(match.text) <= 160 else match.text[:157].rstrip() + "..."
    return f'{match.category} ({description}), found with {round(100 * match.score)} % confidence: "{quote}".'


def _terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class ContractAnswer:
    """An answer to a question about one contract, with its verbatim citations (offsets into the text)."""

    question: str
    answer: str
    citations: tuple[Evidence, ...]
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "method": self.method,
            "citations": [{"text": c.quote, "start": c.start, "end": c.end} for c in self.citations],
        }


def _rank_sentences(doc: ParsedDocument, question: str, k: int) -> list[tuple[int, int]]:
    sentences = [(n.start, n.end) for n in doc.nodes("sentence") if n.end - n.start > 20]
    bags = [Counter(_terms(doc.text[s:e])) for s, e in sentences]
    frequency = Counter(word for bag in bags for word in bag)
    wanted = {w[:6] for w in _terms(question)}
    if not wanted:
        raise InputError("the question has no content words")

    def score(bag: Counter) -> float:
        hits = sum(math.log(1 + len(bags) / frequency[w]) for w in bag if w[:6] in wanted)
        return hits / math.sqrt(1 + sum(bag.values()) / 25)  # mild length penalty

    scored = sorted(range(len(sentences)), key=lambda i: -score(bags[i]))[:k]
    return [sentences[i] for i in scored if score(bags[i]) > 0]


def answer_question(
    doc: ParsedDocument, question: str, *, llm: LLMClient | None = None, k: int = 5
) -> ContractAnswer:
    """Answer ``question`` from ``doc`` with cited quotes; without an LLM the answer is the best passage.

    >>> from argentier.core.documents import parse_text
    >>> doc = parse_text("Fees are due monthly. Either party may terminate on ninety days' written notice.")
    >>> answer_question(doc, "What is the termination notice period?").answer
    "Either party may terminate on ninety days' written notice."
    """
    spans = _rank_sentences(doc, question, k)
    if not spans:
        return ContractAnswer(question, "The contract does not appear to address this.", (), "retrieval")
    if llm is not None:
        from argentier.core.llm import GroundedAnswer, load_prompt, number_passages

        passages = [doc.text[s:e] for s, e in spans]
        try:
            completion = llm.complete(
                load_prompt("grounded_answer"),
                variables={"passages": number_passages(passages), "question": question},
                schema=GroundedAnswer,
                grounding_passages=passages,
            )
        except ProviderError:
            completion = None
        if completion is not None and completion.grounding is not None and completion.grounding.verified:
            citations = []
            for claim in completion.grounding.verified:
                for evidence in claim.evidence:
                    start = doc.text.find(evidence.quote)
                    if start >= 0:
                        citations.append(Evidence.from_span(doc.text, start, start + len(evidence.quote)))
            if citations:
                return ContractAnswer(question, completion.data.answer, tuple(citations), "llm")
    start, end = spans[0]
    return ContractAnswer(
        question, doc.text[start:end], (Evidence.from_span(doc.text, start, end),), "retrieval"
    )


@dataclass(frozen=True)
class UnusualClause:
    """A clause whose wording is far from its category's centroid in the portfolio."""

    contract: str
    match: ClauseMatch
    distance: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            **self.match.to_dict(),
            "distance": round(self.distance, 4),
            "threshold": round(self.threshold, 4),
        }


def _vector(text: str) -> dict[str, float]:
    counts = Counter(_terms(text))
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {w: v / norm for w, v in counts.items()}


def unusual_clauses(
    portfolio: Sequence[tuple[str, Sequence[ClauseMatch]]], *, z: float = 2.0, min_clauses: int = 5
) -> list[UnusualClause]:
    """Clauses whose cosine distance to their category centroid exceeds mean + ``z`` std of that category;
    categories with fewer than ``min_clauses`` clauses in the portfolio are not judged.

    >>> same = [(f"c{i}", [ClauseMatch("Insurance", "Supplier shall maintain liability insurance.", 0, 44, .9)])
    ...         for i in range(6)]
    >>> odd = ("odd", [ClauseMatch("Insurance", "Buyer bears all risk of loss at sea.", 0, 36, .6)])
    >>> [u.contract for u in unusual_clauses([*same, odd], z=1.5)]
    ['odd']
    """
    by_category: dict[str, list[tuple[str, ClauseMatch, dict[str, float]]]] = defaultdict(list)
    for contract, matches in portfolio:
        for match in matches:
            by_category[match.category].append((contract, match, _vector(match.text)))
    flagged = []
    for items in by_category.values():
        if len(items) < min_clauses:
            continue
        centroid: Counter = Counter()
        for _, _, vector in items:
            centroid.update(vector)
        norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        distances = [1 - sum(v * centroid[w] for w, v in vector.items()) / norm for _, _, vector in items]
        mean = sum(distances) / len(distances)
        std = math.sqrt(sum((d - mean) ** 2 for d in distances) / len(distances))
        threshold = mean + z * std
        flagged.extend(
            UnusualClause(contract, match, distance, threshold)
            for (contract, match, _), distance in zip(items, distances)
            if distance > threshold
        )
    return sorted(flagged, key=lambda u: -u.distance)
