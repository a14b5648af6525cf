"""Result and filter types of the hybrid search."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

SearchMode = Literal["hybrid", "keyword", "vector"]
FusionMethod = Literal["rrf", "weighted"]


@dataclass(frozen=True)
class DocumentRef:
    """Which document a hit comes from: its id, title and the path it was added from (if any)."""

    id: int
    title: str
    path: str | None


@dataclass(frozen=True)
class SearchFilter:
    """What a query may see.

    ``groups`` are the caller's groups: ``None`` means a trusted local caller with no restriction; a set (even
    empty) restricts hits to documents readable by one of those groups or by the public group.
    ``meta`` keeps documents whose metadata has every given ``key: value``.
    """

    collection: str | None = None
    groups: frozenset[str] | None = None
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.groups is not None and not isinstance(self.groups, frozenset):
            object.__setattr__(self, "groups", frozenset(self.groups))

    @property
    def is_empty(self) -> bool:
        return self.collection is None and self.groups is None and not self.meta


@dataclass(frozen=True)
class SearchHit:
    """One chunk that answers a query, with where it stands in its document and how it scored."""

    document: DocumentRef
    chunk_id: int
    collection: str
    page: int | None
    section: str | None
    start: int
    end: int
    text: str
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``argentier search --json``."""
        return {
            "document": {"id": self.document.id, "title": self.document.title, "path": self.document.path},
            "collection": self.collection,
            "page": self.page,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": self.score,
            "ranks": {"keyword": self.keyword_rank, "vector": self.vector_rank},
        }
