"""Frozen, JSON-ready views of findings, verdicts and audit events, and the edit-distance measure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from typing import Any, Literal, Mapping

from argentier.core.grounding import Evidence
from argentier.core.store._review_models import AuditEvent, Finding, Verdict
from argentier.errors import InputError

FindingStatus = Literal["pending", "approved", "edited", "rejected"]
VerdictAction = Literal["approve", "edit", "reject"]

_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def validate_kind(kind: str) -> str:
    """A finding kind is ``module.name`` in lower case, e.g. ``contracts.clause``.

    >>> validate_kind("regwatch.summary")
    'regwatch.summary'
    """
    if not isinstance(kind, str) or len(kind) > 100 or not _KIND.fullmatch(kind):
        raise InputError(f"finding kind must look like 'module.name' (lower case), got {kind!r}")
    return kind


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; SQLite hands back naive ones, which the store always writes in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def canonical_json(payload: Any) -> str:
    """The text a payload is compared in: sorted keys, no ASCII escaping, compact separators."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def edit_distance(original: Mapping[str, Any], edited: Mapping[str, Any]) -> float:
    """How much an edit changed a payload, from 0 (identical) to 1 (nothing in common).

    It is ``1 - difflib.SequenceMatcher.ratio()`` over the canonical JSON of both payloads (sorted keys), so
    reordering keys costs nothing and fixing one word in a long summary costs little.

    >>> edit_distance({"text": "Pay within 45 days."}, {"text": "Pay within 45 days."})
    0.0
    >>> round(edit_distance({"text": "Pay within 45 days."}, {"text": "Pay within 30 days."}), 3)
    0.067
    """
    before, after = canonical_json(original), canonical_json(edited)
    # autojunk would treat frequent characters (spaces, quotes) as noise and overstate small edits.
    return 1.0 - SequenceMatcher(None, before, after, autojunk=False).ratio()


@dataclass(frozen=True)
class Producer:
    """What generated a finding: the module, the model or provider (if any) and its version."""

    module: str
    version: str
    model: str | None = None

    def __post_init__(self) -> None:
        for name in ("module", "version"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"producer {name} is empty")
        if self.model is not None and (not isinstance(self.model, str) or not self.model.strip()):
            raise InputError("producer model is empty; pass None for producers without a model")

    def to_dict(self) -> dict[str, Any]:
        return {"module": self.module, "model": self.model, "version": self.version}


@dataclass(frozen=True)
class VerdictRecord:
    """One reviewer's decision; ``edited_payload`` and ``edit_distance`` are set for edits only."""

    id: int
    finding_id: int
    action: VerdictAction
    reviewer: str
    at: datetime
    reason: str | None
    edited_payload: Mapping[str, Any] | None
    edit_distance: float | None
    seconds_to_review: float

    @classmethod
    def from_row(cls, row: Verdict) -> "VerdictRecord":
        return cls(
            id=row.id,
            finding_id=row.finding_id,
            action=row.action,  # type: ignore[arg-type] - constrained by a CHECK in the database
            reviewer=row.reviewer,
            at=as_utc(row.at),
            reason=row.reason,
            edited_payload=row.edited_payload,
            edit_distance=row.edit_distance,
            seconds_to_review=row.seconds_to_review,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "finding_id": self.finding_id,
            "action": self.action,
            "reviewer": self.reviewer,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "edited_payload": self.edited_payload,
            "edit_distance": self.edit_distance,
            "seconds_to_review": self.seconds_to_review,
        }


@dataclass(frozen=True)
class FindingRecord:
    """A finding as stored, with its latest verdict; ``payload`` is always the original, never the edit.

    ``document_id`` is ``None`` once the document is deleted; ``source_document_id`` keeps the id it was
    generated from.
    """

    id: int
    kind: str
    subject_type: str
    subject_id: str
    document_id: int | None
    source_document_id: int | None
    payload: Mapping[str, Any]
    evidence: tuple[Evidence, ...]
    producer: Producer
    confidence: float | None
    created_at: datetime
    status: FindingStatus
    latest_verdict: VerdictRecord | None = None

    @property
    def current_payload(self) -> Mapping[str, Any]:
        """The reviewed version: the latest edit if the finding stands edited, else the original payload."""
        verdict = self.latest_verdict
        if self.status == "edited" and verdict is not None and verdict.edited_payload is not None:
            return verdict.edited_payload
        return self.payload

    @classmethod
    def from_row(cls, row: Finding, latest: Verdict | None = None) -> "FindingRecord":
        return cls(
            id=row.id,
            kind=row.kind,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            document_id=row.document_id,
            source_document_id=row.source_document_id,
            payload=row.payload,
            evidence=tuple(Evidence.from_dict(item) for item in row.evidence),
            producer=Producer(row.producer_module, row.producer_version, row.producer_model),
            confidence=row.confidence,
            created_at=as_utc(row.created_at),
            status=row.status,  # type: ignore[arg-type] - constrained by a CHECK in the database
            latest_verdict=VerdictRecord.from_row(latest) if latest is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": {"type": self.subject_type, "id": self.subject_id},
            "document_id": self.document_id,
            "source_document_id": self.source_document_id,
            "payload": self.payload,
            "current_payload": self.current_payload,
            "evidence": [item.to_dict() for item in self.evidence],
            "producer": self.producer.to_dict(),
            "confidence": self.confidence,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "latest_verdict": self.latest_verdict.to_dict() if self.latest_verdict else None,
        }


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the append-only audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: Mapping[str, Any]

    @classmethod
    def from_row(cls, row: AuditEvent) -> "AuditRecord":
        return cls(row.id, as_utc(row.at), row.actor, row.action, row.object_type, row.object_id, row.details)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object": {"type": self.object_type, "id": self.object_id},
            "details": self.details,
        }


@dataclass(frozen=True)
class FindingHistory:
    """A finding with every verdict on it and every audit event about it, oldest first."""

    finding: FindingRecord
    verdicts: tuple[VerdictRecord, ...]
    audit: tuple[AuditRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "finding": self.finding.to_dict(),
            "verdicts": [verdict.to_dict() for verdict in self.verdicts],
            "audit": [event.to_dict() for event in self.audit],
        }
