"""Forecast endpoints over uploaded datasets: runs and backtests as jobs, anomalies with review findings,
versions and scenarios; groups, roles, audit and clear 4xx errors."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.core.store._review_models import AuditEvent
from argentier.forecast import demo_sales

FAST = ScryptParams(n=2**10, r=8, p=1)
MODELS = ["seasonal_naive", "naive"]


@pytest.fixture
def api(tmp_path, embedder, database_url):
    settings = Settings(home=tmp_path / "home", database_url=database_url, api={"job_workers": 1})
    app = create_app(settings, embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role, groups in (("alice", "analyst", ["finance"]), ("bob", "analyst", ["sales"]),
                               ("victor", "viewer", ["finance"]), ("sam", "viewer", ["sales"])):
        create_user(store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    frame = demo_sales(periods=36)
    frame.loc[(frame.unique_id == "North/Food") & (frame.ds == "2023-04-01"), "y"] *= 1.7
    csv = frame.assign(ds=frame.ds.dt.strftime("%Y-%m-%d")).to_csv(index=False).encode()
    with TestClient(app) as client:
        def upload(user, name, body):
            response = client.post("/datasets", params={"filename": name}, content=body, headers=headers[user])
            assert response.status_code == 201, response.text
            return response.json()["dataset"]["id"]
        yield SimpleNamespace(client=client, headers=headers, store=store, upload=upload,
                              sales=upload("alice", "sales.csv", csv))


def _wait(api, job, user="alice"):
    for _ in range(600):
        polled = api.client.get(f"/jobs/{job['id']}", headers=api.headers[user]).json()
        if polled["status"] in ("succeeded", "failed"):
            return polled
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_run_gives_rows_hierarchy_and_chart_series_then_a_version(api):
    client, h = api.client, api.headers
    body = {"dataset_id": api.sales, "horizon": 4, "levels": ["region", "category"], "models": MODELS,
            "global_model": False, "cv_windows": 1, "level": [80, 95], "save_version": "FY24"}
    accepted = client.post("/forecast/runs", json=body, headers=h["alice"])
    assert accepted.status_code == 202, accepted.text
    job = _wait(api, accepted.json())
    assert job["status"] == "succeeded", job["error"]
    result = job["result"]
    assert result["levels"] == ["total", "region", "region/category"] and result["n_series"] == 7
    assert len(result["rows"]) == 7 * 4 and {"yhat_lo_80", "yhat_hi_95"} <= set(result["rows"][0])
    top = result["series"][0]
    assert top["level"] == "total" and len(top["children"]) == 2 and len(top["history"]) == 36
    first = top["forecast"][0]
    assert first["bands"]["95"][0] <= first["bands"]["80"][0] <= first["yhat"] <= first["bands"]["80"][1]
    north_food = next(s for s in result["series"] if s["unique_id"] == "North/Food")
    assert [a["ds"] for a in north_food["anomalies"]] == ["2023-04-01"] and north_food["anomalies"][0]["kind"] == "spike"
    assert result["version"]["name"] == "FY24"

    versions = client.get("/forecast/versions", headers=h["victor"]).json()
    assert [(v["name"], v["number"]) for v in versions["items"]] == [("FY24", 1)]
    version = client.get("/forecast/versions/FY24", headers=h["victor"]).json()
    assert len(version["rows"]) == 28 and version["series"][0]["forecast"][0]["bands"]["80"]
    # bob (sales) sees neither the dataset nor the version made from it, by any endpoint
    assert client.get("/forecast/versions", headers=h["bob"]).json()["items"] == []
    assert client.get("/forecast/versions/FY24", headers=h["bob"]).status_code == 404
    assert client.post("/forecast/runs", json=body, headers=h["bob"]).status_code == 404

    scenario = {"name": "cut", "version": "FY24", "overrides": [
        {"kind": "price", "where": {"region": "North"}, "change": -0.1, "elasticity": -2.0}]}
    assert client.post("/forecast/scenarios", json=scenario, headers=h["victor"]).status_code == 403
    assert client.post("/forecast/scenarios", json=scenario, headers=h["bob"]).status_code == 404
    created = client.post("/forecast/scenarios", json=scenario, headers=h["alice"])
    assert created.status_code == 201, created.text
    assert [s["name"] for s in client.get("/forecast/scenarios", headers=h["victor"]).json()["items"]] == ["cut"]
    assert client.get("/forecast/scenarios", headers=h["bob"]).json()["items"] == []
    compared = client.get("/forecast/scenarios/compare", params={"names": ["cut"]}, headers=h["victor"]).json()
    assert compared["columns"] == ["ds", "base", "cut", "cut vs base"]
    total = compared["rows"][-1]
    assert total["ds"] == "total" and total["cut vs base"] > 0  # a price cut with elasticity -2 raises revenue
    assert client.get("/forecast/scenarios/compare", params={"names": ["cut"]}, headers=h["bob"]).status_code == 404
    bad = client.post("/forecast/scenarios", json={**scenario, "overrides": [{"kind": "magic"}]}, headers=h["alice"])
    assert bad.status_code == 422 and "unknown override kind" in bad.json()["detail"]
    with api.store.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "alice")).all()
    assert {"dataset.add", "forecast.run", "forecast.scenario.create"} <= set(actions)


def test_anomalies_sync_with_findings_and_backtest_job(api):
    client, h = api.client, api.headers
    body = {"dataset_id": api.sales, "levels": ["region", "category"]}
    found = client.post("/forecast/anomalies", json=body, headers=h["alice"])
    assert found.status_code == 200, found.text
    result = found.json()
    spikes = [a for a in result["anomalies"] if a["unique_id"] == "North/Food"]
    assert spikes and spikes[0]["start"].startswith("2023-04") and len(result["finding_ids"]) == len(result["anomalies"])
    queue = client.get("/review/findings", params={"kind": "forecast.anomaly"}, headers=h["victor"]).json()
    assert len(queue["items"]) == len(result["anomalies"])
    assert any(s["anomalies"] for s in result["series"])
    background = client.post("/forecast/anomalies", json={**body, "background": True, "findings": False},
                             headers=h["alice"])
    assert background.status_code == 202 and _wait(api, background.json())["result"]["finding_ids"] == []

    back = client.post("/forecast/backtests", json={**body, "horizon": 3, "windows": 2, "models": MODELS,
                                                    "global_model": False, "cv_windows": 1}, headers=h["alice"])
    assert back.status_code == 202
    done = _wait(api, back.json())
    assert done["status"] == "succeeded", done["error"]
    assert done["result"]["n_windows"] == 2 and {m["level"] for m in done["result"]["metrics"]} >= {"total"}
    assert done["done"] == 2 and done["total"] == 2


def test_bad_input_auth_and_roles(api):
    client, h = api.client, api.headers
    assert client.post("/forecast/runs", json={}).status_code == 401
    assert client.get("/forecast/versions").status_code == 401
    base = {"dataset_id": api.sales, "horizon": 3, "models": MODELS}
    # viewers may look (a forecast, anomalies without findings) but not write (a version, findings)
    refused = client.post("/forecast/runs", json={**base, "save_version": "x"}, headers=h["victor"])
    assert refused.status_code == 403 and "analyst role" in refused.json()["detail"]
    assert client.post("/forecast/runs", json=base, headers=h["victor"]).status_code == 202
    assert client.post("/forecast/anomalies", json={"dataset_id": api.sales}, headers=h["victor"]).status_code == 403
    looked = client.post("/forecast/anomalies", json={"dataset_id": api.sales, "findings": False}, headers=h["victor"])
    assert looked.status_code == 200 and looked.json()["finding_ids"] == []
    # a viewer of another group cannot use the dataset by any endpoint
    for path, body in (("/forecast/runs", base), ("/forecast/backtests", base),
                       ("/forecast/anomalies", {"dataset_id": api.sales, "findings": False})):
        assert client.post(path, json=body, headers=h["sam"]).status_code == 404, path
    other = api.upload("alice", "other.csv", b"when,amount\n2024-01-01,3\n")
    cases = [
        ({**base, "dataset_id": "f" * 32}, 404, "no dataset"),
        ({**base, "dataset_id": other}, 422, "no column(s) unique_id, ds, y"),
        ({**base, "levels": ["country"]}, 422, "country"),
        ({**base, "models": ["prophet"]}, 422, "unknown model 'prophet'"),
        ({**base, "horizon": 0}, 422, "horizon"),
        ({**base, "horizon": "soon"}, 422, "horizon"),
        ({**base, "level": [120]}, 422, "between 1 and 99"),
    ]
    for body, code, text in cases:
        response = client.post("/forecast/runs", json=body, headers=h["alice"])
        assert response.status_code == code and text in response.json()["detail"], (body, response.text)
    assert client.get("/forecast/versions/nope", headers=h["alice"]).status_code == 404
    assert client.get("/forecast/scenarios/compare", params={"names": ["nope"]}, headers=h["alice"]).status_code == 404
