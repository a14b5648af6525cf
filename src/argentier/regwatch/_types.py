"""Frozen results of the regulatory watch: sources, stored updates, and what a fetch or a manual add did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from argentier.core.store._regwatch_models import RegwatchSource, RegwatchUpdate


@dataclass(frozen=True)
class SourceInfo:
    """A watched source and what its last fetch gave."""

    id: int
    url: str
    kind: str | None
    jurisdiction: str
    language: str | None
    last_fetched_at: datetime | None
    last_status: str | None
    last_error: str | None

    @classmethod
    def from_row(cls, row: RegwatchSource) -> SourceInfo:
        return cls(
            row.id,
            row.url,
            row.kind,
            row.jurisdiction,
            row.language,
            _utc(row.last_fetched_at),
            row.last_status,
            row.last_error,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "last_fetched_at": _iso(self.last_fetched_at)}


@dataclass(frozen=True)
class UpdateInfo:
    """A stored regulatory update; its text is Library document ``document_id``."""

    id: int
    document_id: int
    source_id: int | None
    url: str | None
    title: str
    jurisdiction: str
    language: str | None
    published_at: datetime | None
    retrieved_at: datetime
    content_hash: str
    version: int = 1
    previous_id: int | None = None
    group_id: int | None = None

    @classmethod
    def from_row(cls, row: RegwatchUpdate) -> UpdateInfo:
        return cls(
            row.id,
            row.document_id,
            row.source_id,
            row.url,
            row.title,
            row.jurisdiction,
            row.language,
            _utc(row.published_at),
            _utc(row.retrieved_at),
            row.content_hash,
            row.version or 1,
            row.previous_id,
            row.group_id,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "published_at": _iso(self.published_at),
            "retrieved_at": _iso(self.retrieved_at),
        }


@dataclass(frozen=True)
class UpdateOutcome:
    """What :meth:`RegWatch.add_update` did: ``added`` (with ``update``) or ``duplicate`` (of ``update``)."""

    source: str
    status: str
    update: UpdateInfo

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "update": self.update.to_dict()}


@dataclass(frozen=True)
class SourceFetch:
    """One source in a :class:`FetchReport`: ``status`` ``ok``, ``not-modified`` or ``failed`` (``error``)."""

    url: str
    status: str
    new: int = 0
    duplicates: int = 0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FetchReport:
    """The outcome of :meth:`RegWatch.fetch_all`, one :class:`SourceFetch` per source, at ``fetched_at`` (UTC)."""

    sources: tuple[SourceFetch, ...]
    fetched_at: datetime
    grouping: GroupingRun | None = None

    @property
    def new(self) -> int:
        return sum(source.new for source in self.sources)

    @property
    def duplicates(self) -> int:
        return sum(source.duplicates for source in self.sources)

    @property
    def all_failed(self) -> bool:
        """True when there were sources and none of them could be fetched."""
        return bool(self.sources) and all(source.status == "failed" for source in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fetched_at": _iso(self.fetched_at),
            "new": self.new,
            "duplicates": self.duplicates,
            "sources": [source.to_dict() for source in self.sources],
            "grouping": self.grouping.to_dict() if self.grouping is not None else None,
        }


@dataclass(frozen=True)
class GroupingRun:
    """What one grouping pass did: ``(update_id, group_id, new_group, score)`` per update it placed, in order.

    ``score`` is the grouping score that decided (``None`` when a new version of a page followed its previous
    version into that version's group).
    """

    assignments: tuple[tuple[int, int, bool, float | None], ...]

    @property
    def groups_opened(self) -> int:
        return sum(1 for _, _, new, _ in self.assignments if new)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grouped": len(self.assignments),
            "groups_opened": self.groups_opened,
            "assignments": [
                {"update_id": u, "group_id": g, "new_group": new, "score": score}
                for u, g, new, score in self.assignments
            ],
        }


@dataclass(frozen=True)
class TimelineEntry:
    """One member of a group, as it appears on the group's timeline."""

    update_id: int
    document_id: int
    title: str
    url: str | None
    jurisdiction: str
    published: date | None
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "published": self.published.isoformat() if self.published else None}


@dataclass(frozen=True)
class StoredGroup:
    """A group of related updates: its canonical title and its members on a timeline (oldest first, undated
    last)."""

    id: int
    canonical_title: str
    timeline: tuple[TimelineEntry, ...]

    @property
    def members(self) -> tuple[int, ...]:
        return tuple(entry.update_id for entry in self.timeline)

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        return tuple(sorted({entry.jurisdiction for entry in self.timeline}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "canonical_title": self.canonical_title,
            "members": list(self.members),
            "jurisdictions": list(self.jurisdictions),
            "timeline": [entry.to_dict() for entry in self.timeline],
        }


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every datetime stored here is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
