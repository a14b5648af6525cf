"""Which documents a query may touch: collection, metadata and the caller's groups, as one SQL subquery."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from argentier.core.search._types import SearchFilter
from argentier.core.store import Collection, Document, DocumentGroup


def readable_by(groups: frozenset[str], public_group: str):  # noqa: ANN201 - a SQL boolean clause
    """A clause true for documents that one of ``groups`` (or the public group) may read."""
    allowed = sorted(groups | {public_group})
    return exists().where(DocumentGroup.document_id == Document.id, DocumentGroup.group_name.in_(allowed))


def allowed_documents(search_filter: SearchFilter, *, public_group: str) -> Select | None:
    """A ``SELECT documents.id`` of the documents the filter lets through, or ``None`` for all of them."""
    if search_filter.is_empty:
        return None
    statement = select(Document.id)
    if search_filter.collection is not None:
        statement = statement.join(Collection, Collection.id == Document.collection_id).where(
            Collection.name == search_filter.collection
        )
    for key, value in sorted(search_filter.meta.items()):
        statement = statement.where(Document.meta[key].as_string() == str(value))
    if search_filter.groups is not None:
        statement = statement.where(readable_by(search_filter.groups, public_group))
    return statement
