"""The LLM path: a model proposes quotes per category, the verifier keeps only those found verbatim.

For each category the contract paragraphs that share most words with the category's name and description
(idf-weighted within the contract) are sent as numbered passages; every quote that comes back is looked up in
the contract text with :func:`argentier.core.grounding.find_quote` and dropped when it is not there. Kept
quotes get the score ``llm_score`` (a model gives no calibrated confidence). :func:`combine_clauses` merges
them with the trained model's matches.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from argentier.contracts._categories import CATEGORIES, CATEGORY_DESCRIPTIONS
from argentier.contracts._metric import jaccard
from argentier.contracts._model import ClauseMatch
from argentier.core.documents import ParsedDocument
from argentier.core.grounding import find_quote
from argentier.errors import ProviderError

if TYPE_CHECKING:
    from argentier.core.llm import LLMClient

__all__ = ["ClauseQuotes", "combine_clauses", "llm_clauses", "retrieve_passages"]

_WORD = re.compile(r"[a-z]{3,}")
_MAX_PASSAGE_CHARS = 1500


class ClauseQuotes(BaseModel):
    """Output of the ``contracts_clauses`` prompt: verbatim clauses of one category."""

    quotes: list[str] = Field(default_factory=list)


def retrieve_passages(doc: ParsedDocument, query: str, *, k: int = 4) -> list[tuple[int, int]]:
    """The ``k`` paragraphs of ``doc`` sharing most (idf-weighted) words with ``query``, in document order.

    >>> from argentier.core.documents import parse_text
    >>> doc = parse_text("Fees are due monthly.\\n\\nThis Agreement is governed by the laws of Texas.")
    >>> [doc.text[s:e] for s, e in retrieve_passages(doc, "governing law: which laws govern", k=1)]
    ['This Agreement is governed by the laws of Texas.']
    """
    paragraphs = [(n.start, min(n.end, n.start + _MAX_PASSAGE_CHARS)) for n in doc.nodes("paragraph")]
    words = [set(_WORD.findall(doc.text[s:e].lower())) for s, e in paragraphs]
    frequency = Counter(word for bag in words for word in bag)
    stems = {word[:5] for word in _WORD.findall(query.lower())}
    idf = {word: math.log(1 + len(paragraphs) / count) for word, count in frequency.items()}
    scores = [sum(idf[word] for word in bag if word[:5] in stems) for bag in words]
    best = sorted(range(len(paragraphs)), key=lambda i: -scores[i])[:k]
    return [paragraphs[i] for i in sorted(best) if scores[i] > 0]


def llm_clauses(
    doc: ParsedDocument,
    client: LLMClient,
    *,
    categories: Sequence[str] = CATEGORIES,
    passages_per_category: int = 4,
    llm_score: float = 0.5,
) -> list[ClauseMatch]:
    """Verified clause quotes proposed by the LLM; a category whose call fails yields nothing.

    Raises :class:`~argentier.errors.ProviderUnavailable` at once when no LLM is configured.
    """
    from argentier.core.llm import load_prompt, number_passages
    from argentier.errors import ProviderUnavailable

    prompt = load_prompt("contracts_clauses")
    found: list[ClauseMatch] = []
    for category in categories:
        spans = retrieve_passages(
            doc, f"{category} {CATEGORY_DESCRIPTIONS[category]}", k=passages_per_category
        )
        if not spans:
            continue
        variables = {
            "passages": number_passages([doc.text[s:e] for s, e in spans]),
            "category": category,
            "description": CATEGORY_DESCRIPTIONS[category],
        }
        try:
            answer = client.complete(prompt, variables=variables, schema=ClauseQuotes).data
        except ProviderUnavailable:
            raise
        except ProviderError:
            continue
        seen: set[tuple[int, int]] = set()
        for quote in answer.quotes:
            for start, end in spans:
                span = find_quote(doc.text[start:end], quote)
                if span is not None and (start + span.start, start + span.end) not in seen:
                    seen.add((start + span.start, start + span.end))
                    found.append(
                        ClauseMatch(
                            category,
                            doc.text[start + span.start : start + span.end],
                            start + span.start,
                            start + span.end,
                            llm_score,
                        )
                    )
                    break
    return found


def combine_clauses(model: Sequence[ClauseMatch], llm: Sequence[ClauseMatch]) -> list[ClauseMatch]:
    """Both paths: a model match the LLM also quoted (Jaccard >= 0.5) gets the noisy-OR of the two scores;
    LLM quotes the model did not find are added with the LLM score times the best model score nearby.

    >>> a = ClauseMatch("Insurance", "Seller shall maintain insurance.", 0, 32, 0.6)
    >>> [round(m.score, 2) for m in combine_clauses([a], [ClauseMatch("Insurance", a.text, 0, 32, 0.5)])]
    [0.8]
    """
    combined = []
    used: set[int] = set()
    for match in model:
        boost = 0.0
        for index, proposal in enumerate(llm):
            if proposal.category == match.category and jaccard(proposal.text, match.text) >= 0.5:
                boost = max(boost, proposal.score)
                used.add(index)
        score = 1 - (1 - match.score) * (1 - boost)
        combined.append(ClauseMatch(match.category, match.text, match.start, match.end, score))
    for index, proposal in enumerate(llm):
        if index not in used:
            nearby = [
                m.score
                for m in model
                if m.category == proposal.category and m.start < proposal.end and proposal.start < m.end
            ]
            combined.append(
                ClauseMatch(
                    proposal.category,
                    proposal.text,
                    proposal.start,
                    proposal.end,
                    proposal.score * max(nearby, default=0.2),
                )
            )
    return combined
