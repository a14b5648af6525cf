"""Tables for generated findings, the human verdicts on them and the audit log (``argentier.core.review``).

``verdicts`` and ``audit_events`` are append-only: the migration adds database triggers that refuse any
UPDATE or DELETE on them, so not even a bug or a hand-written SQL statement can rewrite the review history.
A finding's ``status`` is a copy of its latest verdict, kept for filtering; the verdict rows are the truth.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow

FINDING_STATUSES = ("pending", "approved", "edited", "rejected")
VERDICT_ACTIONS = ("approve", "edit", "reject")


class Finding(Base):
    """Anything generated (summary, clause, alert, anomaly) with its provenance and review status."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'edited', 'rejected')", name="ck_findings_status"),
        CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="ck_findings_confidence"
        ),
        Index("ix_findings_kind_status", "kind", "status"),
        Index("ix_findings_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(200))
    # SET NULL keeps the finding (and its review history) when the document goes; source_document_id keeps
    # the id it was made from, so access control can fail closed for findings whose document is gone.
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    source_document_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    producer_module: Mapped[str] = mapped_column(String(100))
    producer_model: Mapped[str | None] = mapped_column(String(200))
    producer_version: Mapped[str] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")


class Verdict(Base):
    """One reviewer's decision on a finding; append-only, the latest one decides the finding's status."""

    __tablename__ = "verdicts"
    __table_args__ = (
        CheckConstraint("action IN ('approve', 'edit', 'reject')", name="ck_verdicts_action"),
        CheckConstraint("action <> 'reject' OR reason IS NOT NULL", name="ck_verdicts_reject_reason"),
        CheckConstraint(
            "action <> 'edit' OR (edited_payload IS NOT NULL AND edit_distance IS NOT NULL)",
            name="ck_verdicts_edit_payload",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    reviewer: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    # none_as_null: a missing edit must be SQL NULL for the check constraint, not the JSON literal null.
    edited_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    edit_distance: Mapped[float | None] = mapped_column(Float)
    seconds_to_review: Mapped[float] = mapped_column(Float)


class AuditEvent(Base):
    """Who did what to which object, when; append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
