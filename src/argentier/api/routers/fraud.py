"""Fraud scoring over HTTP: each model name's champion in the registry behind one in-process ``Scorer``.

A scorer is built on the first request for a model name, from the registry's champion and the feature state
saved under that name (if any); the registry is asked again at most once a second (``CHAMPION_CHECK_S``), and
when another version has been promoted, the next request builds a new scorer from the saved state. Scoring and
labelling change the scorer's state, so each scorer serves one request at a time (a lock); several server
processes would each keep their own state, so run one scoring process per model, or save and reload the state
(``POST /fraud/state``) between them.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from argentier.api._audit import record_write
from argentier.api._deps import Analyst, ServicesDep, Viewer
from argentier.api.routers._paging import Limit, Offset, page_from_probe
from argentier.errors import InputError, NotFoundError

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
        self.checked_at = time.monotonic()


_BUILD = threading.Lock()
# How long a scorer serves before the registry is asked again whether its model is still the champion: a
# promotion or retirement reaches the scorer within this time.
CHAMPION_CHECK_S = 1.0


def _live(request: Request, services: Any, name: str) -> _Live:
    from argentier.fraud import Scorer
    from argentier.fraud._registry import ModelRegistry, load_feature_state

    scorers: dict[str, _Live] = request.app.state.__dict__.setdefault("fraud_scorers", {})
    live = scorers.get(name)
    if live is not None and time.monotonic() - live.checked_at < CHAMPION_CHECK_S:
        return live  # the champion was checked a moment ago: spare the registry query (~0.5 ms per request)
    registry = ModelRegistry(services.store)
    champion = registry.champion(name)
    if champion is None:
        raise NotFoundError(f"no champion fraud model named {name!r}: register and promote one first")
    with _BUILD:
        live = scorers.get(name)
        if live is None or live.version != champion.version:
            try:
                state = load_feature_state(services.store, name)
            except NotFoundError:
                state = None
            live = scorers[name] = _Live(Scorer(registry.load(champion.id), state=state), champion.version)
            # The loaded state is millions of long-lived objects: keep them out of the collector's walks, or a
            # full collection pauses a decision for tens of milliseconds (see Scorer's docstring).
            gc.collect()
            gc.freeze()
        live.checked_at = time.monotonic()
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


# -- the alert queue: review findings of kind fraud.alert -------------------------------------------------------


class VerdictIn(BaseModel):
    """An analyst's verdict on an alert: ``fraud`` approves it, ``genuine`` rejects it (review semantics)."""

    verdict: Literal["fraud", "genuine"]
    reason: str | None = Field(None, max_length=2000, description="Why; recorded with the verdict.")


def _alert(finding: Any) -> dict[str, Any]:
    payload = finding.current_payload
    verdict = finding.latest_verdict
    return {
        "finding_id": finding.id,
        "transaction_id": finding.subject_id,
        "timestamp": payload.get("timestamp"),
        "customer_id": payload.get("customer_id"),
        "score": payload.get("score"),
        "decision": payload.get("decision"),
        "rules": payload.get("rules", []),
        "reasons": payload.get("reasons", []),
        "model_version": finding.producer.version,
        "status": finding.status,
        "created_at": finding.created_at.isoformat(),
        "verdict": None if verdict is None else verdict.to_dict(),
    }


@router.get("/alerts")
def list_alerts(
    services: ServicesDep,
    user: Viewer,
    status: Literal["pending", "approved", "edited", "rejected"] | None = "pending",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    """The alert queue (``fraud.alert`` findings, oldest first): score, decision, the rules that fired and the
    reasons (top feature contributions), with the verdict once reviewed. ``status`` null lists every alert."""
    from argentier.fraud._alerts import ALERT_KIND

    probe = services.review.list_findings(kind=ALERT_KIND, status=status, groups=user.groups, limit=limit + 1,
                                          offset=offset)
    return page_from_probe([_alert(finding) for finding in probe], limit, offset)


@router.get("/alerts/{finding_id}")
def get_alert(services: ServicesDep, user: Viewer, finding_id: int) -> dict:
    """One alert with its reasons and verdict (404 for a finding that is not a fraud alert)."""
    from argentier.fraud._alerts import ALERT_KIND

    finding = services.review.get_finding(finding_id, groups=user.groups)
    if finding.kind != ALERT_KIND:
        raise NotFoundError(f"no fraud alert {finding_id}")
    return _alert(finding)


@router.post("/alerts/{finding_id}/verdict")
def alert_verdict(
    request: Request, services: ServicesDep, user: Analyst, finding_id: int, body: VerdictIn,
    model: ModelName = "default",
) -> dict:
    """Record a case verdict through the review queue (``fraud`` = approve, ``genuine`` = reject; both audited),
    and feed it to the live scorer of ``model`` if one is loaded, so later transactions see the label."""
    from argentier.fraud._alerts import ALERT_KIND

    finding = services.review.get_finding(finding_id, groups=user.groups)
    if finding.kind != ALERT_KIND:
        raise NotFoundError(f"no fraud alert {finding_id}")
    if body.verdict == "fraud":
        updated = services.review.approve(finding_id, user.username, groups=user.groups, reason=body.reason)
    else:
        reason = body.reason or "genuine transaction"
        updated = services.review.reject(finding_id, user.username, reason, groups=user.groups)
    live = request.app.state.__dict__.get("fraud_scorers", {}).get(model)
    fed, note = False, "no live scorer for this model in this server process"
    if live is not None:
        payload = updated.current_payload
        try:
            with live.lock:
                live.scorer.label(updated.subject_id, body.verdict == "fraud",
                                  customer_id=payload.get("customer_id"), terminal_id=payload.get("terminal_id"))
            fed, note = True, None
        except InputError as exc:  # the verdict stands; the scorer just cannot place this transaction
            note = str(exc)
    return {**_alert(updated), "fed_to_scorer": fed, "scorer_note": note}


@router.get("/metrics")
def model_metrics(
    services: ServicesDep,
    user: Viewer,
    model: ModelName = "default",
    max_alerts_per_day: Annotated[float | None, Query(ge=0, description="Alert budget for the chosen threshold.")] = None,
    max_false_positive_rate: Annotated[float | None, Query(ge=0, le=1)] = None,
    dataset_id: Annotated[str | None, Query(description="Labelled transactions to score with the champion.")] = None,
    start: Annotated[str | None, Query(alias="from", description="First day scored (with dataset_id).")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day scored (with dataset_id).")] = None,
) -> dict:
    """Metrics of a model family by threshold: each registered version's validation and recorded evaluations;
    precision among reviewed alerts by score threshold; and, given a labelled dataset, the champion's precision,
    recall, FPR and alerts per day at each threshold (0, 50 ... 1000) with the threshold the budget allows."""
    import pandas as pd

    from argentier.api._datasets import plain
    from argentier.fraud import threshold_table
    from argentier.fraud._alerts import ALERT_KIND
    from argentier.fraud._registry import ModelRegistry

    registry = ModelRegistry(services.store)
    entries = registry.list(model)
    if not entries:
        raise NotFoundError(f"no fraud model named {model!r}")
    budget = {"max_alerts_per_day": max_alerts_per_day, "max_false_positive_rate": max_false_positive_rate}
    reviewed = []
    offset = 0
    while True:
        page = services.review.list_findings(kind=ALERT_KIND, groups=user.groups, limit=5000, offset=offset)
        reviewed += [f for f in page if f.status != "pending" and f.producer.version in {e.version for e in entries}]
        if len(page) < 5000:
            break
        offset += 5000
    alerts_table = None
    if reviewed:
        frame = pd.DataFrame({
            "timestamp": pd.to_datetime([f.payload.get("timestamp") for f in reviewed], errors="coerce"),
            "score": [float(f.payload.get("score", 0.0)) for f in reviewed],
            "is_fraud": [float(f.status == "approved" or (f.status == "edited" and f.current_payload.get("is_fraud", True)))
                         for f in reviewed],
        })
        alerts_table = threshold_table(frame, **budget).to_dict()
    scored = None
    if dataset_id is not None:
        scored = _dataset_thresholds(services, user, registry, model, dataset_id, start, end, budget)
    return plain({
        "model": model,
        "versions": [entry.to_dict() for entry in entries],
        "reviewed_alerts": {"count": len(reviewed), "thresholds": alerts_table},
        "dataset": scored,
    })


def _dataset_thresholds(services: Any, user: Any, registry: Any, model: str, dataset_id: str, start: str | None,
                        end: str | None, budget: dict[str, Any]) -> dict[str, Any]:
    from argentier.api._datasets import dataset_store
    from argentier.fraud import evaluate, parse_day, prepare_transactions, score_transactions, threshold_table
    from argentier.fraud._data import attach_scores

    champion = registry.champion(model)
    if champion is None:
        raise NotFoundError(f"no champion fraud model named {model!r}")
    info = dataset_store(services).get(dataset_id, groups=user.groups)
    if start is None or end is None:
        raise InputError("give from and to (the days to score) with dataset_id")
    try:
        frame = prepare_transactions(dataset_store(services).frame(info.id)).frame
    except InputError as exc:
        raise InputError(exc.reason, source=info.name) from None
    scored = score_transactions(frame, registry.load(champion.id), parse_day(start, "from"), parse_day(end, "to"), explain=0)
    with_scores = attach_scores(frame, scored.frame[["transaction_id", "score"]])
    if "is_fraud" not in with_scores.columns:
        raise InputError("the dataset has no is_fraud labels to measure against", source=info.name)
    return {"dataset": {"id": info.id, "name": info.name}, "version": champion.version, "from": start, "to": end,
            "evaluation": evaluate(with_scores).to_dict(), "thresholds": threshold_table(with_scores, **budget).to_dict()}
