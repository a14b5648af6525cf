"""Every write made through the API is recorded in the append-only ``audit_events`` log, with the user."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from argentier.core.review import AuditRecord
from argentier.core.store import Store
from argentier.core.store._review_models import AuditEvent


def record_write(
    store: Store, actor: str, action: str, object_type: str, object_id: str | int, details: dict[str, Any]
) -> None:
    """Append one audit event (``action`` like ``document.add``); ``details`` must be JSON-ready."""
    with store.session() as session:
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=actor,
                action=action[:50],
                object_type=object_type[:50],
                object_id=str(object_id)[:200],
                details=json.loads(json.dumps(details, default=str)),
            )
        )


def list_audit(
    store: Store,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRecord]:
    """Audit events, newest first, filtered by any of actor, action (a prefix, e.g. ``document.``) and object."""
    statement = select(AuditEvent)
    if actor is not None:
        statement = statement.where(AuditEvent.actor == actor)
    if action is not None:
        statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
    if object_type is not None:
        statement = statement.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_id == object_id)
    with store.session() as session:
        rows = session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
        return [AuditRecord.from_row(row) for row in rows]
