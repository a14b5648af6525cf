"""Record a regulatory update's title, summary and impact as review findings, one kind per field.

Each field is its own finding kind (``regwatch.title``, ``regwatch.summary``, ``regwatch.impact``), so the
review statistics (``argentier review stats``) give an approval rate per field. Evidence is always verbatim
text of the stored document; the review service checks it again on the way in.

>>> from datetime import date
>>> from argentier.core.documents import parse_text
>>> from argentier.regwatch.impact import predict_impact
>>> from argentier.regwatch.summarise import summarise_document
>>> doc = parse_text("Customs duties on imported bicycles\\n\\nFrom 1 May 2027 the duty rate rises to 12%.")
>>> summary = summarise_document(doc)
>>> drafts = draft_update_findings(doc, summary, predict_impact(doc, summary=summary, today=date(2027, 1, 4)))
>>> [(draft.kind, len(draft.evidence)) for draft in drafts]
[('regwatch.title', 1), ('regwatch.summary', 2), ('regwatch.impact', 2)]
>>> drafts[0].payload, drafts[2].payload["severity_rule"], [t["id"] for t in drafts[2].payload["taxes"]]
({'title': 'Customs duties on imported bicycles'}, 'rate change', ['customs'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argentier.core.documents import ParsedDocument
from argentier.core.grounding import Evidence
from argentier.core.review import FindingRecord, Producer, ReviewService
from argentier.regwatch.impact import ImpactPrediction
from argentier.regwatch.summarise import UpdateSummary

if TYPE_CHECKING:
    from argentier.core.llm import LLMClient
    from argentier.regwatch.sources import RegWatch

__all__ = [
    "FINDING_KINDS",
    "FindingDraft",
    "analyse_pending_updates",
    "draft_update_findings",
    "record_update_findings",
]

FINDING_KINDS = ("regwatch.title", "regwatch.summary", "regwatch.impact")


@dataclass(frozen=True)
class FindingDraft:
    """A finding before it is stored: its kind, payload, verbatim evidence and confidence (or ``None``)."""

    kind: str
    payload: dict[str, Any]
    evidence: tuple[Evidence, ...]
    confidence: float | None


def _title_evidence(doc: ParsedDocument, summary: UpdateSummary) -> tuple[Evidence, ...]:
    """Where the title stands in the text; a title taken from metadata is grounded by the summary sentences."""
    start = doc.text.find(summary.title) if summary.title else -1
    if start >= 0:
        return (Evidence.from_span(doc.text, start, start + len(summary.title)),)
    return summary.sentences


def _impact_evidence(impact: ImpactPrediction) -> tuple[Evidence, ...]:
    """Every sentence the impact cites, once, in document order."""
    items = [*impact.severity_evidence]
    for match in (*impact.taxes, *impact.business_lines):
        items.extend(match.evidence)
    unique = {(item.start, item.end): item for item in items}
    return tuple(unique[key] for key in sorted(unique))


def draft_update_findings(
    doc: ParsedDocument, summary: UpdateSummary, impact: ImpactPrediction
) -> list[FindingDraft]:
    """The three findings of one update, in :data:`FINDING_KINDS` order (example in the module docstring).

    The impact finding's confidence is that of its most confident tax or business line (``None`` if none).
    """
    confidences = [match.confidence for match in (*impact.taxes, *impact.business_lines)]
    sentences = [{"text": s.quote, "start": s.start, "end": s.end} for s in summary.sentences]
    payload: dict[str, Any] = {"summary": summary.summary, "sentences": sentences, "method": summary.method}
    if summary.statements:
        payload["statements"] = [
            {"text": claim.text, "evidence": [e.to_dict() for e in claim.evidence]} for claim in summary.statements
        ]
    return [
        FindingDraft("regwatch.title", {"title": summary.title}, _title_evidence(doc, summary), None),
        FindingDraft("regwatch.summary", payload, summary.sentences, None),
        FindingDraft(
            "regwatch.impact", impact.to_dict(), _impact_evidence(impact), max(confidences, default=None)
        ),
    ]


def record_update_findings(
    review: ReviewService,
    *,
    document_id: int,
    doc: ParsedDocument,
    summary: UpdateSummary,
    impact: ImpactPrediction,
    producer_version: str,
) -> list[FindingRecord]:
    """Store the :func:`draft_update_findings` of one update as pending findings on document ``document_id``.

    ``doc`` must be the parsed text of that stored document (evidence offsets point into it); the producer is
    ``Producer("regwatch", producer_version, model=summary.model)`` (``None`` on the extractive path). Usage, with a library document::

        stored = library.get_document(document_id)
        summary = summarise_document(stored.parsed)
        impact = predict_impact(stored.parsed, summary=summary)
        records = record_update_findings(ReviewService(library.store, library.settings),
                                         document_id=document_id, doc=stored.parsed, summary=summary,
                                         impact=impact, producer_version="0.4")
        [record.kind for record in records]  # ['regwatch.title', 'regwatch.summary', 'regwatch.impact']
    """
    producer = Producer("regwatch", producer_version, model=summary.model)
    return [
        review.create_finding(
            kind=draft.kind,
            subject_type="document",
            subject_id=str(document_id),
            payload=draft.payload,
            evidence=list(draft.evidence),
            producer=producer,
            confidence=draft.confidence,
            document_id=document_id,
        )
        for draft in draft_update_findings(doc, summary, impact)
    ]


def analyse_pending_updates(
    regwatch: "RegWatch", review: ReviewService, *, producer_version: str, llm: "LLMClient | None" = None
) -> list[int]:
    """Summarise and assess every stored update that has no findings yet, and record its three findings.

    With an available ``llm`` the summaries and impacts take the LLM paths (:mod:`.llm_summary`,
    :mod:`.llm_impact`: only grounded statements and picks, deterministic fallback). Returns the ids of the updates analysed. Idempotent: an update
    with a ``regwatch.summary`` finding (whatever its review status) is left alone, so re-running after a fetch
    only analyses what is new.
    """
    from datetime import date

    from argentier.regwatch.impact import load_taxonomy, predict_impact
    from argentier.regwatch.llm_impact import predict_impact_with_llm
    from argentier.regwatch.llm_summary import summarise_with_llm
    from argentier.regwatch.summarise import summarise_document

    config = regwatch.settings.regwatch
    taxonomy = load_taxonomy(config.taxonomy)
    analysed = []
    for update in regwatch.list_updates():
        subject = str(update.document_id)
        if review.list_findings(kind="regwatch.summary", subject_type="document", subject_id=subject, limit=1):
            continue
        doc = regwatch.library.get_document(update.document_id).parsed
        today: date | None = update.published_at.date() if update.published_at else None
        facts = {"taxonomy": taxonomy, "today": today, "jurisdiction": update.jurisdiction}
        if llm is not None and llm.available:
            summary = summarise_with_llm(doc, llm, max_words=config.summary_words)
            impact = predict_impact_with_llm(doc, llm, summary=summary, **facts)
        else:
            summary = summarise_document(doc, max_words=config.summary_words)
            impact = predict_impact(doc, summary=summary, **facts)
        record_update_findings(
            review,
            document_id=update.document_id,
            doc=doc,
            summary=summary,
            impact=impact,
            producer_version=producer_version,
        )
        analysed.append(update.id)
    return analysed
