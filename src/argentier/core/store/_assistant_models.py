"""Tables for the assistant: conversations and every exchange, kept for audit.

``assistant_exchanges`` is append-only (database triggers refuse UPDATE and DELETE, as for the review log):
who asked what, as which groups, and what was answered with which citations, cannot be rewritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow


class AssistantConversation(Base):
    """A conversation of one user with the assistant; follow-up questions take their context from it."""

    __tablename__ = "assistant_conversations"
    __table_args__ = (Index("ix_assistant_conversations_user", "user_name", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(200))
    collection: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssistantExchange(Base):
    """One question and its answer, with the asker's groups at the time; append-only."""

    __tablename__ = "assistant_exchanges"
    __table_args__ = (Index("ix_assistant_exchanges_conversation", "conversation_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("assistant_conversations.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    # None (JSON null) = a trusted local caller without restriction; a list = the caller's groups.
    groups: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    question: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    refused: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
