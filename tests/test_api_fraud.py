"""Fraud scoring over the REST API: the registry's champion behind a real-time scorer, labels fed back, state
saved in the store, and the permission and error boundaries."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings

FAST = ScryptParams(n=2**10, r=8, p=1)


@pytest.fixture(scope="module")
def model():
    from argentier.fraud import FraudModel, prepare_transactions, simulate_transactions, train_model

    tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    return train_model(tx, date(2018, 4, 1), date(2018, 4, 14), model=FraudModel(n_estimators=20, num_threads=1))


@pytest.fixture
def api(database_url, tmp_path, embedder, model):
    from argentier.fraud._registry import ModelRegistry

    app = create_app(Settings(home=tmp_path / "home", database_url=database_url), embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role in (("alice", "analyst"), ("victor", "viewer")):
        create_user(store, name, f"{name}-long-password", role=role, groups=["risk"], params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    registry = ModelRegistry(store)
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, headers=headers, registry=registry, store=store, model=model)


def _tx(number: int, amount: float = 40.0, when: str = "2018-05-01 12:00") -> dict:
    return {"transaction_id": f"t{number}", "timestamp": when, "customer_id": "7", "terminal_id": "42",
            "amount": amount, "channel": "web"}


def test_scoring_needs_a_champion_then_decides_with_reasons(api):
    client, alice = api.client, api.headers["alice"]
    missing = client.post("/fraud/score", json=_tx(1), headers=alice)
    assert missing.status_code == 404 and "no champion fraud model" in missing.json()["detail"]
    entry = api.registry.register(api.model)
    api.registry.promote(entry.id)
    decision = client.post("/fraud/score", json=_tx(1, amount=900.0), headers=alice)
    assert decision.status_code == 200, decision.text
    body = decision.json()
    assert body["transaction_id"] == "t1" and 0 <= body["score"] <= 1000
    assert body["outcome"] in ("approve", "review", "block") and body["model_version"] == api.model.version
    from argentier.fraud import Scorer

    local = Scorer(api.model).score(_tx(1, amount=900.0))  # same model, same empty history: same score
    assert body["score"] == pytest.approx(local.score)


def test_labels_reach_later_features_and_state_survives_a_restart(api, embedder, tmp_path):
    client, alice = api.client, api.headers["alice"]
    api.registry.promote(api.registry.register(api.model).id)
    for number in range(3):
        assert client.post("/fraud/score", json=_tx(number), headers=alice).status_code == 200
    assert client.post("/fraud/labels", json={"transaction_id": "t0", "is_fraud": True, "at": "2018-05-02"},
                       headers=alice).status_code == 204
    assert client.post("/fraud/score", json=_tx(10, when="2018-05-03 09:00"), headers=alice).status_code == 200
    saved = client.post("/fraud/state", headers=alice)
    assert saved.status_code == 200 and saved.json()["bytes"] > 0
    # A new app (a restarted server) on the same store resumes from the saved state: the next transaction gets
    # the same decision from both, since both have seen the same history and the same label.
    url = api.store.engine.url.render_as_string(hide_password=False)
    restarted = create_app(Settings(home=tmp_path / "home2", database_url=url), embedder=embedder)
    nxt = _tx(11, amount=75.0, when="2018-05-04 10:00")
    with TestClient(restarted) as other:
        resumed = other.post("/fraud/score", json=nxt, headers=alice).json()
    original = client.post("/fraud/score", json=nxt, headers=alice).json()
    assert resumed["score"] == original["score"] and resumed["outcome"] == original["outcome"]



def test_roles_and_bad_transactions(api):
    client = api.client
    api.registry.promote(api.registry.register(api.model).id)
    assert client.post("/fraud/score", json=_tx(1)).status_code == 401
    assert client.post("/fraud/score", json=_tx(1), headers=api.headers["victor"]).status_code == 403
    bad = client.post("/fraud/score", json={**_tx(1), "timestamp": "not a date"}, headers=api.headers["alice"])
    assert bad.status_code == 422 and "not a date" in bad.json()["detail"]
    assert client.post("/fraud/score", json={"amount": 3}, headers=api.headers["alice"]).status_code == 422
    models = client.get("/fraud/models", headers=api.headers["victor"])
    assert models.status_code == 200 and models.json()[0]["status"] == "champion"
