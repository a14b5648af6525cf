"""Which findings a caller may see: those without a source document and those whose document they may read."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import ColumnElement, or_, select

from argentier.core.search._access import readable_by
from argentier.core.store import Document
from argentier.core.store._review_models import Finding
from argentier.errors import InputError


def visible_findings(groups: Iterable[str] | None, public_group: str) -> ColumnElement[bool] | None:
    """A clause true for findings a caller with ``groups`` may see, or ``None`` for the owner (no groups).

    Findings made without a document are visible to all; findings made from a document need read access to
    it, and once that document is deleted they are visible to the owner only (the check fails closed).
    """
    if groups is None:
        return None
    if isinstance(groups, str):
        raise InputError("groups must be a list of group names, not one string")
    readable = (
        select(Document.id)
        .where(Document.id == Finding.document_id, readable_by(frozenset(groups), public_group))
        .exists()
    )
    return or_(Finding.source_document_id.is_(None), readable)
