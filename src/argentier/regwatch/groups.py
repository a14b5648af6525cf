"""Stored groups of related updates: the grouper resumes from the store and places each update not yet grouped.

Every grouped update keeps its group, the score that put it there and the vector it was embedded to, so a
later pass restores the :class:`~argentier.regwatch.grouping.UpdateGrouper` exactly as it was (no re-embedding,
no re-deciding) and only scores what is new, in arrival order. The grouper's parameters come from the
``[regwatch]`` settings (``group_threshold``, ``group_keyword_weight``, ``group_jurisdiction_penalty``,
``group_link``). A new version of a watched page joins the group of the version it replaces.

After each pass the canonical title of every group that changed is recomputed (the member closest to the
group's centroid) and written to ``regwatch_groups``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, select

from argentier.core.store import Document
from argentier.core.store._regwatch_models import RegwatchGroup, RegwatchUpdate
from argentier.errors import NotFoundError
from argentier.regwatch._types import GroupingRun, StoredGroup, TimelineEntry
from argentier.regwatch.grouping import TERMS_CHARS, UpdateGrouper, embedding_text

if TYPE_CHECKING:
    from argentier.regwatch.sources import RegWatch

__all__ = ["get_group", "group_new_updates", "list_groups"]


def _grouper(watch: RegWatch) -> UpdateGrouper:
    config = watch.settings.regwatch
    return UpdateGrouper(
        embedder=watch.library.embedder,
        similarity_threshold=config.group_threshold,
        keyword_weight=config.group_keyword_weight,
        jurisdiction_penalty=config.group_jurisdiction_penalty,
        link=config.group_link,
    )


def _vector(blob: bytes | None, dimensions: int) -> np.ndarray | None:
    """The stored vector, or ``None`` when missing or made by a model of another size (then re-embedded)."""
    if blob is None or len(blob) != 4 * dimensions:
        return None
    return np.frombuffer(blob, dtype=np.float32)


def group_new_updates(watch: RegWatch) -> GroupingRun:
    """Place every stored update that has no group yet, oldest first; return what was decided.

    Idempotent: a second call with nothing new places nothing.
    """
    grouper = _grouper(watch)
    dimensions = watch.library.embedder.dimensions
    with watch.library.store.session() as session:
        if session.scalar(select(RegwatchUpdate.id).where(RegwatchUpdate.group_id.is_(None)).limit(1)) is None:
            return GroupingRun(())
        rows = session.execute(
            select(RegwatchUpdate, func.substr(Document.text, 1, TERMS_CHARS))
            .join(Document, Document.id == RegwatchUpdate.document_id)
            .order_by(RegwatchUpdate.id)
        ).all()
        pending = [(row, lead) for row, lead in rows if row.group_id is None]
        stale = [(row, lead) for row, lead in rows if _vector(row.group_vector, dimensions) is None]
        fresh = watch.library.embedder.embed([embedding_text(row.title, lead) for row, lead in stale])
        vectors = {row.id: np.asarray(v, dtype=np.float32) for (row, _), v in zip(stale, fresh, strict=True)}
        index_of: dict[int, int] = {}  # stored group id -> the grouper's dense group index
        for row, lead in rows:
            vector = vectors.get(row.id, _vector(row.group_vector, dimensions))
            if row.group_id is not None:
                index = index_of.setdefault(row.group_id, len(index_of))
                grouper.restore(str(row.id), row.title, lead, group_id=index, **_facts(row, vector))
        group_of_update = {row.id: row.group_id for row, _ in rows}
        stored_id = {index: group_id for group_id, index in index_of.items()}
        assignments = []
        touched: set[int] = set()
        for row, lead in pending:
            vector = vectors[row.id]
            previous_group = group_of_update.get(row.previous_id) if row.previous_id else None
            if previous_group is not None:
                grouper.restore(str(row.id), row.title, lead, group_id=index_of[previous_group], **_facts(row, vector))
                index, new, score = index_of[previous_group], False, None
            else:
                placed = grouper.add(str(row.id), row.title, lead, **_facts(row, vector))
                index, new, score = placed.group_id, placed.new_group, placed.score
            if new:
                group = RegwatchGroup(canonical_title=row.title[:1000])
                session.add(group)
                session.flush()
                stored_id[index], index_of[group.id] = group.id, index
            row.group_id, row.group_score = stored_id[index], score
            group_of_update[row.id] = row.group_id
            touched.add(index)
            assignments.append((row.id, row.group_id, new, score))
        for row, _ in stale:
            row.group_vector = vectors[row.id].tobytes()
        now = datetime.now(UTC)
        frozen = grouper.groups()
        for index in touched:
            group = session.get(RegwatchGroup, stored_id[index])
            group.canonical_title = frozen[index].canonical_title[:1000]
            group.updated_at = now
        return GroupingRun(tuple(assignments))


def _facts(row: RegwatchUpdate, vector: np.ndarray | None) -> dict:
    published = row.published_at.date() if row.published_at else None
    return {"published": published, "jurisdiction": row.jurisdiction, "vector": vector}


def list_groups(
    watch: RegWatch, *, min_members: int = 1, groups: Iterable[str] | None = None
) -> list[StoredGroup]:
    """Every group with at least ``min_members`` members readable by ``groups`` (``None``: all), most recently
    changed first. Members whose documents ``groups`` may not read are left out of the timeline."""
    readable = _readable(watch, groups)
    with watch.library.store.session() as session:
        ids = session.scalars(select(RegwatchGroup.id).order_by(RegwatchGroup.updated_at.desc(), RegwatchGroup.id))
        found = [_load(session, group_id, readable) for group_id in ids.all()]
    return [group for group in found if len(group.timeline) >= max(min_members, 1)]


def get_group(watch: RegWatch, group_id: int, *, groups: Iterable[str] | None = None) -> StoredGroup:
    """One group by id; :class:`NotFoundError` if it does not exist or none of its members is readable."""
    readable = _readable(watch, groups)
    with watch.library.store.session() as session:
        if session.get(RegwatchGroup, group_id) is None:
            raise NotFoundError(f"no update group with id {group_id}")
        group = _load(session, group_id, readable)
    if not group.timeline:
        raise NotFoundError(f"no update group with id {group_id}")
    return group


def _readable(watch: RegWatch, groups: Iterable[str] | None) -> set[int] | None:
    if groups is None:
        return None
    return {document.id for document in watch.library.list_documents(groups=list(groups))}


def _load(session, group_id: int, readable: set[int] | None) -> StoredGroup:  # noqa: ANN001
    group = session.get(RegwatchGroup, group_id)
    rows = session.scalars(select(RegwatchUpdate).where(RegwatchUpdate.group_id == group_id)).all()
    entries = [
        TimelineEntry(
            row.id,
            row.document_id,
            row.title,
            row.url,
            row.jurisdiction,
            row.published_at.date() if row.published_at else None,
            row.version or 1,
        )
        for row in rows
        if readable is None or row.document_id in readable
    ]
    entries.sort(key=lambda e: (e.published is None, e.published or datetime.min.date(), e.update_id))
    title = group.canonical_title
    if len(entries) < len(rows) and entries and title not in {entry.title for entry in entries}:
        title = entries[0].title  # the canonical member is one the caller may not read: do not show its title
    return StoredGroup(group.id, title, tuple(entries))
