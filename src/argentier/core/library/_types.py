"""Result types of the document library: what is stored, and what happened to each added file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Literal, Mapping

from argentier.core.documents import ParsedDocument
from argentier.core.store import Document

AddStatus = Literal["added", "updated", "unchanged", "failed"]
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's identity and bookkeeping, without its text."""

    id: int
    title: str
    path: str | None
    collection: str
    format: str
    groups: tuple[str, ...]
    meta: Mapping[str, Any]
    n_pages: int | None
    n_chunks: int
    content_hash: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Document) -> "DocumentInfo":
        return cls(
            id=row.id,
            title=row.title,
            path=row.path,
            collection=row.collection.name,
            format=row.format,
            groups=tuple(row.group_names),
            meta=dict(row.meta or {}),
            n_pages=row.n_pages,
            n_chunks=row.n_chunks,
            content_hash=row.content_hash,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "collection": self.collection,
            "format": self.format,
            "groups": list(self.groups),
            "meta": dict(self.meta),
            "pages": self.n_pages,
            "chunks": self.n_chunks,
            "content_hash": self.content_hash,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class StoredDocument:
    """A stored document with its full text and structure tree."""

    info: DocumentInfo
    parsed: ParsedDocument


@dataclass(frozen=True)
class AddOutcome:
    """What happened to one file or text given to :meth:`Library.add_paths`."""

    source: str
    status: AddStatus
    document: DocumentInfo | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "document": self.document.to_dict() if self.document else None,
            "error": self.error,
        }
