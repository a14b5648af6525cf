"""The fraud alert queue over the REST API: alerts with their reasons, case verdicts through the review queue
(fed back to the live scorer), and model metrics by threshold from reviews and from a labelled dataset."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.core.store._review_models import AuditEvent

FAST = ScryptParams(n=2**10, r=8, p=1)


@pytest.fixture(scope="module")
def trained():
    from argentier.fraud import (
        FraudModel,
        prepare_transactions,
        score_transactions,
        simulate_transactions,
        train_model,
    )

    raw = simulate_transactions(150, 300, 40, seed=4)
    tx = prepare_transactions(raw).frame
    model = train_model(tx, date(2018, 4, 1), date(2018, 4, 25), model=FraudModel(n_estimators=30, num_threads=1))
    scored = score_transactions(tx, model, date(2018, 5, 1), date(2018, 5, 4))
    return SimpleNamespace(raw=raw, model=model, scored=scored)


@pytest.fixture
def api(tmp_path, embedder, trained):
    from argentier.fraud._alerts import raise_alerts
    from argentier.fraud._registry import ModelRegistry

    app = create_app(Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'a.db'}"), embedder=embedder)
    services = app.state.services
    headers = {}
    for name, role, groups in (("alice", "analyst", ["risk"]), ("victor", "viewer", ["risk"]),
                               ("sam", "viewer", ["sales"])):
        create_user(services.store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(services.store, name).token}"}
    registry = ModelRegistry(services.store)
    registry.promote(registry.register(trained.model).id)
    alerts = raise_alerts(services.review, trained.scored.frame, model_version=trained.model.version)
    assert len(alerts) >= 4
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, headers=headers, alerts=alerts, store=services.store, app=app)


def test_queue_lists_alerts_with_reasons_and_pages(api, trained):
    client, h = api.client, api.headers
    page = client.get("/fraud/alerts", params={"limit": 2}, headers=h["victor"]).json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    first = page["items"][0]
    assert first["finding_id"] == api.alerts[0].id and first["decision"] in ("review", "block")
    assert first["reasons"] and first["score"] >= 0 and first["status"] == "pending"
    assert first["model_version"] == trained.model.version
    everything = []
    offset = 0
    while offset is not None:
        chunk = client.get("/fraud/alerts", params={"limit": 50, "offset": offset}, headers=h["victor"]).json()
        everything += chunk["items"]
        offset = chunk["next_offset"]
    assert len(everything) == len(api.alerts)
    assert client.get(f"/fraud/alerts/{first['finding_id']}", headers=h["victor"]).json()["transaction_id"] == \
        first["transaction_id"]
    assert client.get("/fraud/alerts").status_code == 401


def test_verdicts_go_through_review_and_reach_the_scorer(api, trained):
    client, h = api.client, api.headers
    first, second = api.alerts[0].id, api.alerts[1].id
    assert client.post(f"/fraud/alerts/{first}/verdict", json={"verdict": "fraud"}, headers=h["victor"]).status_code == 403
    # A live scorer exists once something was scored here; a verdict on a transaction it scored becomes a label
    # it learns from. The alert's own transaction was scored offline, so that verdict stands without a label.
    offline = client.post(f"/fraud/alerts/{first}/verdict", json={"verdict": "fraud", "reason": "card stolen"},
                          headers=h["alice"])
    assert offline.status_code == 200, offline.text
    assert offline.json()["status"] == "approved" and offline.json()["fed_to_scorer"] is False
    tx = trained.raw.iloc[-1]
    live_alert = {"transaction_id": "live-1", "timestamp": str(tx.timestamp), "customer_id": str(tx.customer_id),
                  "terminal_id": str(tx.terminal_id), "amount": float(tx.amount)}
    client.post("/fraud/score", json=live_alert, headers=h["alice"]).raise_for_status()
    from argentier.core.review import Producer

    services = api.app.state.services
    live = services.review.create_finding(kind="fraud.alert", subject_type="transaction", subject_id="live-1",
                                          payload={**live_alert, "score": 900.0, "decision": "block", "rules": [],
                                                   "reasons": ["amount"]},
                                          producer=Producer("fraud.model", trained.model.version))
    fed = client.post(f"/fraud/alerts/{live.id}/verdict", json={"verdict": "fraud"}, headers=h["alice"]).json()
    assert fed["fed_to_scorer"] is True and fed["scorer_note"] is None
    genuine = client.post(f"/fraud/alerts/{second}/verdict", json={"verdict": "genuine"}, headers=h["alice"]).json()
    assert genuine["status"] == "rejected" and genuine["verdict"]["reason"] == "genuine transaction"
    again = client.post(f"/fraud/alerts/{first}/verdict", json={"verdict": "genuine"}, headers=h["alice"])
    assert again.status_code == 200 and again.json()["status"] == "rejected"  # a later verdict overrides
    pending = client.get("/fraud/alerts", params={"limit": 1000}, headers=h["victor"]).json()["items"]
    assert first not in {a["finding_id"] for a in pending} and second not in {a["finding_id"] for a in pending}
    decided = client.get("/fraud/alerts", params={"status": "approved"}, headers=h["victor"]).json()["items"]
    assert [a["finding_id"] for a in decided] == [live.id] and decided[0]["verdict"]["reviewer"] == "alice"
    bad = client.post(f"/fraud/alerts/{first}/verdict", json={"verdict": "maybe"}, headers=h["alice"])
    assert bad.status_code == 422 and "verdict" in bad.json()["detail"]
    assert client.post("/fraud/alerts/999999/verdict", json={"verdict": "fraud"}, headers=h["alice"]).status_code == 404
    with api.store.session() as session:
        events = session.execute(select(AuditEvent.actor, AuditEvent.object_id).where(
            AuditEvent.object_type == "finding", AuditEvent.actor == "alice")).all()
    assert {object_id for _, object_id in events} >= {str(first), str(second), str(live.id)}


def test_metrics_by_threshold_from_reviews_and_a_dataset(api, trained):
    client, h = api.client, api.headers
    for finding in api.alerts[:4]:
        verdict = "fraud" if finding.payload["score"] >= 500 else "genuine"
        client.post(f"/fraud/alerts/{finding.id}/verdict", json={"verdict": verdict}, headers=h["alice"]).raise_for_status()
    metrics = client.get("/fraud/metrics", headers=h["victor"]).json()
    assert metrics["versions"][0]["status"] == "champion"
    reviewed = metrics["reviewed_alerts"]
    assert reviewed["count"] == 4 and len(reviewed["thresholds"]["rows"]) == 21
    assert metrics["dataset"] is None
    upload = client.post("/datasets", params={"filename": "tx.csv"}, content=trained.raw.to_csv(index=False).encode(),
                         headers=h["alice"]).json()["dataset"]["id"]
    scored = client.get("/fraud/metrics", params={"dataset_id": upload, "from": "2018-05-01", "to": "2018-05-09",
                                                  "max_alerts_per_day": 5}, headers=h["victor"])
    assert scored.status_code == 200, scored.text
    table = scored.json()["dataset"]["thresholds"]
    rows = table["rows"]
    assert [r["threshold"] for r in rows][:3] == [0.0, 50.0, 100.0]
    assert all(a["alerts"] >= b["alerts"] for a, b in pairwise(rows))  # fewer alerts as the bar rises
    assert table["chosen"]["alerts_per_day"] <= 5
    assert 0.5 < scored.json()["dataset"]["evaluation"]["auc"] <= 1.0
    # other groups cannot use the dataset; unknown models and bad days are clear errors
    assert client.get("/fraud/metrics", params={"dataset_id": upload, "from": "2018-05-01", "to": "2018-05-09"},
                      headers=h["sam"]).status_code == 404
    assert client.get("/fraud/metrics", params={"model": "nope"}, headers=h["victor"]).status_code == 404
    assert client.get("/fraud/metrics", params={"dataset_id": upload, "from": "May", "to": "2018-05-09"},
                      headers=h["victor"]).status_code == 422


def test_a_promotion_reaches_the_scorer_within_the_check_interval(api, trained, monkeypatch):
    from argentier.api.routers import fraud
    from argentier.fraud import FraudModel, prepare_transactions, train_model
    from argentier.fraud._registry import ModelRegistry

    client, alice = api.client, api.headers["alice"]
    tx = trained.raw.iloc[-1]
    body = {"transaction_id": "p-1", "timestamp": str(tx.timestamp), "customer_id": str(tx.customer_id),
            "terminal_id": str(tx.terminal_id), "amount": float(tx.amount)}
    assert client.post("/fraud/score", json=body, headers=alice).json()["model_version"] == trained.model.version
    other = train_model(prepare_transactions(trained.raw).frame, date(2018, 4, 1), date(2018, 4, 25),
                        model=FraudModel(n_estimators=12, num_threads=1))
    registry = ModelRegistry(api.store)
    registry.promote(registry.register(other).id)
    monkeypatch.setattr(fraud, "CHAMPION_CHECK_S", 3600.0)
    stale = client.post("/fraud/score", json={**body, "transaction_id": "p-2"}, headers=alice).json()
    assert stale["model_version"] == trained.model.version  # checked a moment ago: the old scorer still serves
    monkeypatch.setattr(fraud, "CHAMPION_CHECK_S", 0.0)
    fresh = client.post("/fraud/score", json={**body, "transaction_id": "p-3"}, headers=alice).json()
    assert fresh["model_version"] == other.version
