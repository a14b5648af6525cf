"""Tables for the regulatory watch (``argentier.regwatch``): the feeds and pages watched, and what they published.

A source remembers the validators of its last answer (``etag``, ``last_modified``) so the next fetch can be a
conditional request. An update's text lives in the Library (collection ``regwatch``) as ``document_id``;
``url`` and ``content_hash`` (SHA-256 of the extracted text) are unique so the same notice is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("regwatch_sources.id", ondelete="SET NULL"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    # Several NULLs are allowed by a unique constraint on both SQLite and PostgreSQL (files have no URL).
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(1000))
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)
    language: Mapped[str | None] = mapped_column(String(20))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    retrieved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
