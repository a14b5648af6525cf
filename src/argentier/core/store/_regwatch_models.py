"""Tables for the regulatory watch (``argentier.regwatch``): the feeds and pages watched, and what they published.

A source remembers the validators of its last answer (``etag``, ``last_modified``) so the next fetch can be a
conditional request. An update's text lives in the Library (collection ``regwatch``) as ``document_id``;
``url`` and ``content_hash`` (SHA-256 of the extracted text) are unique so the same notice is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow

SOURCE_KINDS = ("feed", "page")


class RegwatchSource(Base):
    """A feed (RSS 2.0 / Atom) or a single page watched for regulatory updates."""

    __tablename__ = "regwatch_sources"
    __table_args__ = (
        CheckConstraint("kind IS NULL OR kind IN ('feed', 'page', 'folder')", name="ck_regwatch_sources_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    # None until the first fetch sniffs it.
    kind: Mapped[str | None] = mapped_column(String(10))
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)
    language: Mapped[str | None] = mapped_column(String(20))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RegwatchUpdate(Base):
    """One published notice (a feed item, a page, a file) and the Library document holding its text."""

    __tablename__ = "regwatch_updates"
    __table_args__ = (UniqueConstraint("url", "version", name="uq_regwatch_updates_url_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("regwatch_sources.id", ondelete="SET NULL"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    # (url, version) is unique; several NULL URLs are allowed on both SQLite and PostgreSQL (files have none).
    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)
    language: Mapped[str | None] = mapped_column(String(20))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    retrieved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A page whose text changed is stored again as the next version; previous_id is the version it replaces.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("regwatch_updates.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("regwatch_groups.id", ondelete="SET NULL"), index=True)
    group_score: Mapped[float | None] = mapped_column(Float)
    # float32 bytes of the embedding the grouper used (title + lead), so regrouping never re-embeds.
    group_vector: Mapped[bytes | None] = mapped_column(LargeBinary)


class RegwatchGroup(Base):
    """Related updates (one change reported several times, or the steps of one reform)."""

    __tablename__ = "regwatch_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_title: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
