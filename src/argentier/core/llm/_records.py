"""The LLM call ledger (``llm_calls``), the response cache (``llm_cache``) and usage statistics."""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from argentier.core.llm._types import Usage
from argentier.core.store._llm_models import LLMCacheEntry, LLMCall
from argentier.errors import StoreError

if TYPE_CHECKING:
    from argentier.core.store import Store

logger = logging.getLogger("argentier.llm")


@dataclass(frozen=True)
class CallRecord:
    """One row of ``llm_calls``, before it is written."""

    provider: str
    model: str
    prompt_name: str | None
    prompt_version: str | None
    status: str
    repair: bool
    attempts: int
    usage: Usage
    latency_s: float
    cost_usd: float | None
    error: str | None = None
    grounded_share: float | None = None


def record_call(store: Store, record: CallRecord) -> None:
    """Append ``record`` to the ledger; a store failure is logged, never raised, so that bookkeeping cannot
    turn a good answer into an error."""
    row = LLMCall(
        at=datetime.now(timezone.utc),
        provider=record.provider,
        model=record.model,
        prompt_name=record.prompt_name,
        prompt_version=record.prompt_version,
        status=record.status,
        repair=record.repair,
        attempts=record.attempts,
        prompt_tokens=record.usage.prompt_tokens,
        completion_tokens=record.usage.completion_tokens,
        latency_ms=record.latency_s * 1000.0,
        cost_usd=record.cost_usd,
        error=record.error,
        grounded_share=record.grounded_share,
    )
    try:
        with store.session() as session:
            session.add(row)
    except (SQLAlchemyError, StoreError) as exc:
        logger.warning("could not record an LLM call in the store: %s", exc)


def read_cache(store: Store, key: str) -> tuple[str, Usage] | None:
    """The cached answer text and its original usage, or ``None``."""
    try:
        with store.session() as session:
            entry = session.get(LLMCacheEntry, key)
            if entry is None:
                return None
            return entry.text, Usage(entry.prompt_tokens, entry.completion_tokens)
    except (SQLAlchemyError, StoreError) as exc:
        logger.warning("could not read the LLM cache: %s", exc)
        return None


def write_cache(store: Store, key: str, *, provider: str, model: str, text: str, usage: Usage) -> None:
    """Keep a validated answer; when two threads race to store the same key, the first one wins."""
    entry = LLMCacheEntry(
        key=key,
        provider=provider,
        model=model,
        text=text,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        created_at=datetime.now(timezone.utc),
    )
    try:
        with store.session() as session:
            if session.get(LLMCacheEntry, key) is None:
                session.add(entry)
    except IntegrityError:
        pass  # the same answer was stored by a concurrent identical call
    except (SQLAlchemyError, StoreError) as exc:
        logger.warning("could not write the LLM cache: %s", exc)


@dataclass(frozen=True)
class LLMUsageStats:
    """Totals for one provider and model over the ledger.

    ``calls`` counts rows (exchanges with the model plus cache hits). Latencies are over exchanges with the
    model only (cache hits excluded), ``p95_latency_ms`` by the nearest-rank method; both are ``None`` when
    there were none. ``cost_usd`` sums the priced calls and is ``None`` when no call had a price.
    """

    provider: str
    model: str
    calls: int
    ok: int
    cached: int
    invalid_json: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    mean_latency_ms: float | None
    p95_latency_ms: float | None
    cost_usd: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def llm_usage_stats(store: Store, since: datetime | None = None) -> list[LLMUsageStats]:
    """Calls, tokens, latency and cost per provider and model, optionally only from ``since`` on.

    A naive ``since`` is taken as UTC. The sums are computed by the database; the 95th percentile is one
    ordered, offset query per provider and model, which SQLite and PostgreSQL both run.

    >>> from argentier.core.store import Store
    >>> store = Store.open("sqlite://")
    >>> llm_usage_stats(store)
    []
    >>> store.close()
    """
    if since is not None:
        since = since.replace(tzinfo=timezone.utc) if since.tzinfo is None else since.astimezone(timezone.utc)

    def when(query: Any) -> Any:
        return query if since is None else query.where(LLMCall.at >= since)

    def count(status: str) -> Any:
        return func.sum(case((LLMCall.status == status, 1), else_=0))

    model_call = LLMCall.status != "cached"
    totals = (
        when(
            select(
                LLMCall.provider,
                LLMCall.model,
                func.count(),
                count("ok"),
                count("cached"),
                count("invalid_json"),
                count("error"),
                func.coalesce(func.sum(LLMCall.prompt_tokens), 0),
                func.coalesce(func.sum(LLMCall.completion_tokens), 0),
                func.avg(case((model_call, LLMCall.latency_ms), else_=None)),
                func.count(case((model_call, 1), else_=None)),
                func.sum(LLMCall.cost_usd),
            )
        )
        .group_by(LLMCall.provider, LLMCall.model)
        .order_by(LLMCall.provider, LLMCall.model)
    )
    stats = []
    with store.session() as session:
        for row in session.execute(totals).all():
            provider, model, calls, ok, cached, invalid, errors, prompt, completion, mean, timed, cost = row
            p95 = None
            if timed:
                rank = math.ceil(0.95 * timed)
                p95 = session.execute(
                    when(select(LLMCall.latency_ms))
                    .where(LLMCall.provider == provider, LLMCall.model == model, model_call)
                    .order_by(LLMCall.latency_ms)
                    .offset(rank - 1)
                    .limit(1)
                ).scalar_one()
            stats.append(
                LLMUsageStats(
                    provider=provider,
                    model=model,
                    calls=int(calls),
                    ok=int(ok),
                    cached=int(cached),
                    invalid_json=int(invalid),
                    errors=int(errors),
                    prompt_tokens=int(prompt),
                    completion_tokens=int(completion),
                    mean_latency_ms=None if mean is None else float(mean),
                    p95_latency_ms=None if p95 is None else float(p95),
                    cost_usd=None if cost is None else float(cost),
                )
            )
    return stats
