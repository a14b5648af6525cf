"""One summary for a group of related updates, quoting its members verbatim.

Each member is summarised on its own (:func:`~argentier.regwatch.summarise.summarise_document`); the group's
summary then picks among all members' summary sentences by the same maximal-marginal-relevance order, so the
ministry's release and the law firm's alert that say the same thing are quoted once. Sentences keep the id of
the document they come from and their offsets in it. Dates follow the reform's timeline: the latest member
that states an effective date gives the group's, deadlines are the union, and obligations are those of every
member, each once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argentier.core.grounding import Evidence
from argentier.regwatch.summarise import Obligation, _mmr_order, summarise_document

if TYPE_CHECKING:
    from argentier.regwatch.sources import RegWatch

__all__ = ["GroupSummary", "summarise_group"]


@dataclass(frozen=True)
class GroupSummary:
    """The summary of a group: ``sentences`` and ``obligations`` are ``(document_id, quote)`` pairs."""

    group_id: int
    title: str
    summary: str
    sentences: tuple[tuple[int, Evidence], ...]
    dates: dict[str, Any]
    obligations: tuple[tuple[int, Obligation], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "title": self.title,
            "summary": self.summary,
            "sentences": [
                {"document_id": doc_id, "text": s.quote, "start": s.start, "end": s.end}
                for doc_id, s in self.sentences
            ],
            "dates": self.dates,
            "obligations": [{"document_id": doc_id, **o.to_dict()} for doc_id, o in self.obligations],
        }


def summarise_group(
    watch: RegWatch, group_id: int, *, max_words: int = 250, groups: Iterable[str] | None = None
) -> GroupSummary:
    """Summarise group ``group_id`` in at most ``max_words`` words from the members ``groups`` may read."""
    group = watch.get_group(group_id, groups=groups)
    pooled: list[tuple[int, Evidence]] = []
    dates: dict[str, Any] = {"published": None, "effective": None, "deadlines": []}
    obligations: dict[str, tuple[int, Obligation]] = {}
    for entry in group.timeline:
        summary = summarise_document(watch.library.get_document(entry.document_id).parsed, max_words=max_words)
        pooled.extend((entry.document_id, sentence) for sentence in summary.sentences)
        published = entry.published.isoformat() if entry.published else summary.dates.get("published")
        if published and (dates["published"] is None or published < dates["published"]):
            dates["published"] = published
        dates["effective"] = summary.dates.get("effective") or dates["effective"]
        dates["deadlines"] = sorted({*dates["deadlines"], *summary.dates.get("deadlines", [])})
        for obligation in summary.obligations:
            obligations.setdefault(" ".join(obligation.text.lower().split()), (entry.document_id, obligation))
    chosen: list[int] = []
    budget = max_words
    for index in _mmr_order([" ".join(sentence.quote.split()) for _, sentence in pooled]):
        words = len(pooled[index][1].quote.split())
        if words <= budget:
            chosen.append(index)
            budget -= words
        if budget < 5:
            break
    sentences = tuple(pooled[index] for index in sorted(chosen))
    return GroupSummary(
        group_id=group.id,
        title=group.canonical_title,
        summary=" ".join(" ".join(sentence.quote.split()) for _, sentence in sentences),
        sentences=sentences,
        dates=dates,
        obligations=tuple(obligations.values()),
    )
