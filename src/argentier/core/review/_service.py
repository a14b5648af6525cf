"""Create findings, record human verdicts on them and keep the audit log.

The service never updates or deletes a verdict or an audit event (the database refuses it too); a new verdict
supersedes the previous one and the finding's ``status`` follows the latest verdict.

>>> from argentier.core.store import Store
>>> service = ReviewService(Store.open("sqlite://"))
>>> finding = service.create_finding(kind="fraud.alert", subject_type="transaction", subject_id="tx-42",
...                                  payload={"score": 0.97}, producer=Producer("fraud.model", "1.0"))
>>> service.reject(finding.id, "alice", "known supplier, amount agreed").status
'rejected'
>>> [event.action for event in service.history(finding.id).audit]
['finding.create', 'finding.reject']
>>> service.store.close()
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from argentier.config import Settings
from argentier.core.grounding import Evidence
from argentier.core.review._access import visible_findings
from argentier.core.review._metrics import DEFAULT_LIGHT_EDIT_THRESHOLD, ReviewStats, review_stats
from argentier.core.review._records import (
    AuditRecord,
    FindingHistory,
    FindingRecord,
    Producer,
    VerdictAction,
    VerdictRecord,
    as_utc,
    canonical_json,
    edit_distance,
    validate_kind,
)
from argentier.core.store import Document, Store
from argentier.core.store._review_models import FINDING_STATUSES, AuditEvent, Finding, Verdict
from argentier.errors import AccessDeniedError, InputError, NotFoundError

_STATUS_AFTER = {"approve": "approved", "edit": "edited", "reject": "rejected"}
_MAX_LIMIT = 10_000


def _json_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object as it will read back from the database (tuples become lists, keys strings)."""
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a JSON object, got {type(value).__name__}")
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} is not valid JSON: {exc}") from exc


def _text(value: Any, what: str, max_length: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} is empty")
    if len(value.strip()) > max_length:
        raise InputError(f"{what} is longer than {max_length} characters")
    return value.strip()


class ReviewService:
    """Findings and their review over one store; ``clock`` returns "now" (tests pass a fixed one)."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def _now(self) -> datetime:
        return as_utc(self._clock())

    # -- findings -------------------------------------------------------------------------------------------

    def create_finding(
        self,
        *,
        kind: str,
        subject_type: str,
        subject_id: str | int,
        payload: Mapping[str, Any],
        producer: Producer,
        evidence: Sequence[Evidence | Mapping[str, Any]] = (),
        confidence: float | None = None,
        document_id: int | None = None,
        actor: str | None = None,
    ) -> FindingRecord:
        """Store a generated finding as ``pending`` and log it; ``actor`` defaults to the producer's module.

        When ``document_id`` is given, the document must exist and each evidence span must be verbatim
        ``document.text[start:end]``, so no finding can cite a passage its source does not contain.
        """
        validate_kind(kind)
        subject_type = _text(subject_type, "subject_type", 50)
        subject_id = _text(subject_id, "subject_id", 200)
        payload = _json_object(payload, "payload")
        if not isinstance(producer, Producer):
            raise InputError(f"producer must be a Producer, got {type(producer).__name__}")
        items = [item if isinstance(item, Evidence) else Evidence.from_dict(item) for item in evidence]
        if confidence is not None:
            if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
                raise InputError(f"confidence must be a number between 0 and 1, got {confidence!r}")
            if math.isnan(confidence) or not 0.0 <= confidence <= 1.0:
                raise InputError(f"confidence must be between 0 and 1, got {confidence}")
        if document_id is not None and (isinstance(document_id, bool) or not isinstance(document_id, int)):
            raise InputError(f"document_id must be an integer, got {document_id!r}")
        actor = _text(actor if actor is not None else producer.module, "actor", 200)
        with self.store.session() as session:
            if document_id is not None:
                document = session.get(Document, document_id)
                if document is None:
                    raise NotFoundError(f"no document with id {document_id}")
                for number, item in enumerate(items):
                    if not item.matches(document.text):
                        raise InputError(
                            f"evidence {number} ({item.start}..{item.end}) is not verbatim text of document"
                            f" {document_id}"
                        )
            row = Finding(
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                document_id=document_id,
                source_document_id=document_id,
                payload=payload,
                evidence=[item.to_dict() for item in items],
                producer_module=producer.module,
                producer_model=producer.model,
                producer_version=producer.version,
                confidence=None if confidence is None else float(confidence),
                created_at=self._now(),
                status="pending",
            )
            session.add(row)
            session.flush()
            details = {
                "kind": kind,
                "subject": {"type": subject_type, "id": subject_id},
                "document_id": document_id,
                "producer": producer.to_dict(),
            }
            self._audit(session, actor, "finding.create", row.id, details)
            return FindingRecord.from_row(row)

    def get_finding(self, finding_id: int, *, groups: Iterable[str] | None = None) -> FindingRecord:
        """One finding with its latest verdict; :class:`AccessDeniedError` if ``groups`` may not read it."""
        with self.store.session() as session:
            row = self._load(session, finding_id, groups)
            return FindingRecord.from_row(row, self._latest_verdicts(session, [row.id]).get(row.id))

    def list_findings(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
        groups: Iterable[str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FindingRecord]:
        """Findings in creation order, filtered; those ``groups`` may not read are left out, not reported."""
        if status is not None and status not in FINDING_STATUSES:
            raise InputError(f"status must be one of {', '.join(FINDING_STATUSES)}, got {status!r}")
        if not 1 <= limit <= _MAX_LIMIT or offset < 0:
            raise InputError(f"limit must be between 1 and {_MAX_LIMIT} and offset at least 0")
        statement = select(Finding)
        for column, value in (
            (Finding.kind, kind),
            (Finding.status, status),
            (Finding.subject_type, subject_type),
            (Finding.subject_id, subject_id),
        ):
            if value is not None:
                statement = statement.where(column == value)
        visible = visible_findings(groups, self.settings.search.public_group)
        if visible is not None:
            statement = statement.where(visible)
        with self.store.session() as session:
            rows = session.scalars(statement.order_by(Finding.id).limit(limit).offset(offset)).all()
            latest = self._latest_verdicts(session, [row.id for row in rows])
            return [FindingRecord.from_row(row, latest.get(row.id)) for row in rows]

    # -- verdicts -------------------------------------------------------------------------------------------

    def approve(
        self,
        finding_id: int,
        reviewer: str,
        *,
        groups: Iterable[str] | None = None,
        reason: str | None = None,
    ) -> FindingRecord:
        """Accept the finding as generated."""
        return self._review(finding_id, "approve", reviewer, groups, reason=reason)

    def edit(
        self,
        finding_id: int,
        reviewer: str,
        payload: Mapping[str, Any],
        *,
        groups: Iterable[str] | None = None,
        reason: str | None = None,
    ) -> FindingRecord:
        """Accept the finding with a corrected payload; the original payload stays on the finding."""
        if payload is None:
            raise InputError("an edit needs the edited payload")
        return self._review(finding_id, "edit", reviewer, groups, reason=reason, payload=payload)

    def reject(
        self, finding_id: int, reviewer: str, reason: str, *, groups: Iterable[str] | None = None
    ) -> FindingRecord:
        """Turn the finding down; the reason is required, so the producer can learn from it."""
        if not isinstance(reason, str) or not reason.strip():
            raise InputError("a rejection needs a reason")
        return self._review(finding_id, "reject", reviewer, groups, reason=reason)

    def history(self, finding_id: int, *, groups: Iterable[str] | None = None) -> FindingHistory:
        """The finding with all its verdicts and audit events, oldest first."""
        with self.store.session() as session:
            row = self._load(session, finding_id, groups)
            verdicts = session.scalars(
                select(Verdict).where(Verdict.finding_id == row.id).order_by(Verdict.id)
            ).all()
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "finding", AuditEvent.object_id == str(row.id))
                .order_by(AuditEvent.id)
            ).all()
            return FindingHistory(
                finding=FindingRecord.from_row(row, verdicts[-1] if verdicts else None),
                verdicts=tuple(VerdictRecord.from_row(verdict) for verdict in verdicts),
                audit=tuple(AuditRecord.from_row(event) for event in events),
            )

    def stats(
        self,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        groups: Iterable[str] | None = None,
        light_edit_threshold: float = DEFAULT_LIGHT_EDIT_THRESHOLD,
    ) -> ReviewStats:
        """:func:`argentier.core.review.review_stats` over this store, with the configured public group."""
        return review_stats(
            self.store,
            kind=kind,
            since=since,
            groups=groups,
            public_group=self.settings.search.public_group,
            light_edit_threshold=light_edit_threshold,
        )

    # -- internals ------------------------------------------------------------------------------------------

    def _review(
        self,
        finding_id: int,
        action: VerdictAction,
        reviewer: str,
        groups: Iterable[str] | None,
        *,
        reason: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> FindingRecord:
        reviewer = _text(reviewer, "reviewer", 200)
        if reason is not None and not isinstance(reason, str):
            raise InputError("the reason must be text")
        reason = reason.strip() if reason and reason.strip() else None
        edited = _json_object(payload, "edited payload") if payload is not None else None
        with self.store.session() as session:
            # Lock the row (PostgreSQL) so two reviewers at once cannot leave the status behind the log.
            row = self._load(session, finding_id, groups, for_update=True)
            now = self._now()
            verdict = Verdict(
                finding_id=row.id,
                action=action,
                reviewer=reviewer,
                at=now,
                reason=reason,
                edited_payload=edited,
                edit_distance=edit_distance(row.payload, edited) if edited is not None else None,
                seconds_to_review=max(0.0, (now - as_utc(row.created_at)).total_seconds()),
            )
            session.add(verdict)
            session.flush()
            details = {
                "verdict_id": verdict.id,
                "status_before": row.status,
                "status_after": _STATUS_AFTER[action],
                "reason": reason,
                "edit_distance": verdict.edit_distance,
            }
            row.status = _STATUS_AFTER[action]
            self._audit(session, reviewer, f"finding.{action}", row.id, details)
            session.flush()
            return FindingRecord.from_row(row, verdict)

    def _load(
        self, session: Session, finding_id: int, groups: Iterable[str] | None, *, for_update: bool = False
    ) -> Finding:
        if isinstance(finding_id, bool) or not isinstance(finding_id, int):
            raise InputError(f"a finding id is an integer, got {finding_id!r}")
        row = session.get(Finding, finding_id, with_for_update=for_update)
        if row is None:
            raise NotFoundError(f"no finding with id {finding_id}")
        visible = visible_findings(groups, self.settings.search.public_group)
        if (
            visible is not None
            and session.scalar(select(Finding.id).where(Finding.id == row.id, visible)) is None
        ):
            raise AccessDeniedError(f"not allowed to read finding {finding_id}")
        return row

    @staticmethod
    def _latest_verdicts(session: Session, finding_ids: list[int]) -> dict[int, Verdict]:
        if not finding_ids:
            return {}
        latest = (
            select(func.max(Verdict.id))
            .where(Verdict.finding_id.in_(finding_ids))
            .group_by(Verdict.finding_id)
        )
        return {
            verdict.finding_id: verdict
            for verdict in session.scalars(select(Verdict).where(Verdict.id.in_(latest)))
        }

    def _audit(
        self, session: Session, actor: str, action: str, finding_id: int, details: dict[str, Any]
    ) -> None:
        session.add(
            AuditEvent(
                at=self._now(),
                actor=actor,
                action=action,
                object_type="finding",
                object_id=str(finding_id),
                details=json.loads(canonical_json(details)),
            )
        )
