"""Tables for LLM calls (``argentier.core.llm``): one row per exchange with a model, and the response cache.

``llm_calls`` is the ledger behind token, latency and cost reports: every exchange (first answer, repair
request, failure, cache hit) is one row. ``llm_cache`` keeps validated answers under a SHA-256 of everything
that determines them (provider, model, messages, schema, temperature, max_tokens).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from argentier.core.store._models import Base, utcnow

LLM_CALL_STATUSES = ("ok", "cached", "invalid_json", "error")


class LLMCall(Base):
    """One exchange with an LLM (or one answer served from the cache) and what it cost."""

    __tablename__ = "llm_calls"
    __table_args__ = (
        CheckConstraint("status IN ('ok', 'cached', 'invalid_json', 'error')", name="ck_llm_calls_status"),
        Index("ix_llm_calls_provider_model", "provider", "model"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    prompt_name: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    repair: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    # Share of the answer's claims whose quotes were found in the sources (None: nothing was checked).
    grounded_share: Mapped[float | None] = mapped_column(Float)


class LLMCacheEntry(Base):
    """A validated answer, reused for an identical request."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
