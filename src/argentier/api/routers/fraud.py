"""Fraud scoring over HTTP: each model name's champion in the registry behind one in-process ``Scorer``.

A scorer is built on the first request for a model name, from the registry's champion and the feature state
saved under that name (if any); when another version is promoted, the next request builds a new scorer from
the saved state. Scoring and labelling change the scorer's state, so each scorer serves one request at a time
(a lock); several server processes would each keep their own state, so run one scoring process per model, or
save and reload the state (``POST /fraud/state``) between them.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from argentier.api._audit import record_write
from argentier.api._deps import Analyst, ServicesDep, Viewer
from argentier.errors import NotFoundError

router = APIRouter(prefix="/fraud", tags=["fraud"])

ModelName = Annotated[str, Query(min_length=1, max_length=200, description="Registry model name.")]


class TransactionIn(BaseModel):
    """One transaction: the data contract's columns, plus any declared extra column (channel, country...)."""

    model_config = ConfigDict(extra="allow")

    transaction_id: str = Field(min_length=1, max_length=200)
    timestamp: str = Field(min_length=1, description="ISO date-time; UTC when no offset is given.")
    customer_id: str = Field(min_length=1, max_length=200)
    terminal_id: str = Field(min_length=1, max_length=200)
    amount: float


class LabelIn(BaseModel):
    """An analyst's verdict or a chargeback for a scored transaction."""

    transaction_id: str = Field(min_length=1, max_length=200)
    is_fraud: bool
    at: str | None = Field(None, description="When the label became known (default: the latest event seen).")
    customer_id: str | None = None
    terminal_id: str | None = None


class _Live:
    """The scorer of one model name, the champion version it was built from, and its lock."""

    def __init__(self, scorer: Any, version: str) -> None:
        self.scorer, self.version, self.lock = scorer, version, threading.Lock()


_BUILD = threading.Lock()


def _live(request: Request, services: Any, name: str) -> _Live:
    from argentier.fraud import Scorer
    from argentier.fraud._registry import ModelRegistry, load_feature_state

    registry = ModelRegistry(services.store)
    champion = registry.champion(name)
    if champion is None:
        raise NotFoundError(f"no champion fraud model named {name!r}: register and promote one first")
    with _BUILD:
        scorers: dict[str, _Live] = request.app.state.__dict__.setdefault("fraud_scorers", {})
        live = scorers.get(name)
        if live is None or live.version != champion.version:
            try:
                state = load_feature_state(services.store, name)
            except NotFoundError:
                state = None
            live = scorers[name] = _Live(Scorer(registry.load(champion.id), state=state), champion.version)
        return live


@router.post("/score")
def score(
    request: Request, services: ServicesDep, user: Analyst, body: TransactionIn, model: ModelName = "default"
) -> dict:
    """Score one transaction in real time: the decision (approve / review / block), the calibrated 0-1000 score,
    the top feature contributions and the rules that fired."""
    live = _live(request, services, model)
    with live.lock:
        return live.scorer.score(body.model_dump()).to_dict()


@router.post("/labels", status_code=status.HTTP_204_NO_CONTENT)
def label(
    request: Request, services: ServicesDep, user: Analyst, body: LabelIn, model: ModelName = "default"
) -> None:
    """Feed back a verdict or a chargeback: later transactions see it in their features."""
    live = _live(request, services, model)
    with live.lock:
        live.scorer.label(
            body.transaction_id,
            body.is_fraud,
            at=body.at,
            customer_id=body.customer_id,
            terminal_id=body.terminal_id,
        )
    details = {"model": model, "is_fraud": body.is_fraud}
    record_write(services.store, user.username, "fraud.label", "transaction", body.transaction_id, details)


@router.post("/state")
def save_state(request: Request, services: ServicesDep, user: Analyst, model: ModelName = "default") -> dict:
    """Save the scorer's feature state in the store, so a restarted server resumes from it."""
    from argentier.fraud._registry import save_feature_state

    live = _live(request, services, model)
    with live.lock:
        size = save_feature_state(services.store, model, live.scorer.state, model_version=live.version)
    record_write(services.store, user.username, "fraud.state.save", "fraud_state", model, {"bytes": size})
    return {"model": model, "version": live.version, "bytes": size}


@router.get("/models")
def list_models(services: ServicesDep, user: Viewer, name: str | None = None) -> list[dict]:
    """The registered models with their status (champion, challenger, retired) and metrics."""
    from argentier.fraud._registry import ModelRegistry

    return [entry.to_dict() for entry in ModelRegistry(services.store).list(name)]
