"""Planning endpoints: staffing (one interval and a volumes dataset), shift schedules, peak plans, supply
simulation and capital allocation as jobs, with the shipped examples; roles, groups and clear 4xx errors."""

from __future__ import annotations

import time
from importlib import resources
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.planning import StaffingTargets, required_agents

FAST = ScryptParams(n=2**10, r=8, p=1)
DATA = resources.files("argentier.planning") / "data"


@pytest.fixture
def api(tmp_path, embedder):
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'a.db'}", api={"job_workers": 1})
    app = create_app(settings, embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role, groups in (("alice", "analyst", ["ops"]), ("victor", "viewer", ["ops"]),
                               ("sam", "viewer", ["sales"])):
        create_user(store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    with TestClient(app) as client:
        ids = {}
        for name in ("interval_volumes.csv", "baseline_week.csv", "peak_profile.csv", "capital_projects.csv"):
            response = client.post("/datasets", params={"filename": name}, content=(DATA / name).read_bytes(),
                                   headers=headers["alice"])
            assert response.status_code == 201, response.text
            ids[name] = response.json()["dataset"]["id"]
        yield SimpleNamespace(client=client, headers=headers, ids=ids)


def _wait(api, response, user="victor"):
    assert response.status_code == 202, response.text
    for _ in range(1800):
        polled = api.client.get(f"/jobs/{response.json()['id']}", headers=api.headers[user]).json()
        if polled["status"] in ("succeeded", "failed"):
            return polled
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_staffing_single_and_per_interval(api):
    client, h = api.client, api.headers["victor"]
    one = client.post("/planning/staffing", json={"volume": 100, "aht_seconds": 180, "shrinkage": 0.3}, headers=h)
    assert one.status_code == 200, one.text
    local = required_agents(100, interval_minutes=30, aht_seconds=180, targets=StaffingTargets(0.8, 20, shrinkage=0.3))
    assert one.json()["scheduled_agents"] == local.scheduled_agents == 20
    erlang_a = client.post("/planning/staffing", json={"volume": 100, "aht_seconds": 180, "patience_seconds": 120},
                           headers=h).json()
    assert erlang_a["model"] != one.json()["model"]
    plan = client.post("/planning/staffing", json={"dataset_id": api.ids["interval_volumes.csv"],
                                                   "volume_column": "yhat_hi_80", "aht_seconds": 300}, headers=h)
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["totals"]["peak_agents"] >= 1 and body["totals"]["intervals"] > 10


def test_schedule_peak_supply_capital_jobs(api):
    client, h = api.client, api.headers["victor"]
    done = _wait(api, client.post("/planning/schedule", json={"needs": [17, 13, 15, 19, 14, 16, 11], "time_limit": 10},
                                  headers=h))
    assert done["status"] == "succeeded", done["error"]
    covered = [p["covered"] for p in done["result"]["periods"]]
    assert all(c >= r for c, r in zip(covered, [17, 13, 15, 19, 14, 16, 11]))
    peak = client.post("/planning/peak", json={"config": (DATA / "peak_plan.yaml").read_text(), "files": {
        "baseline_week.csv": api.ids["baseline_week.csv"], "peak_profile.csv": api.ids["peak_profile.csv"]}},
        headers=h)
    done = _wait(api, peak)
    assert done["status"] == "succeeded", done["error"]
    assert len(done["result"]["weeks"]) == 8
    supply = _wait(api, client.post("/planning/supply", json={"config": (DATA / "supply_network.yaml").read_text(),
                                                              "replications": 4}, headers=h))
    assert supply["status"] == "succeeded", supply["error"]
    assert supply["done"] == supply["total"] and supply["result"]["plans"] and supply["result"]["replications"] == 4
    capital = _wait(api, client.post("/planning/capital", json={
        "dataset_id": api.ids["capital_projects.csv"], "rules": (DATA / "capital_rules.yaml").read_text(),
        "samples": 200, "time_limit": 10}, headers=h))
    assert capital["status"] == "succeeded", capital["error"]
    assert any(p["selected"] for p in capital["result"]["projects"])
    examples = client.get("/planning/examples", headers=h).json()
    assert "peak_plan.yaml" in examples["configs"] and "baseline_week.csv" in examples["tables"]


def test_errors_auth_and_groups(api):
    client, h = api.client, api.headers
    assert client.post("/planning/staffing", json={"volume": 1}).status_code == 401
    cases = [
        ("/planning/staffing", {"volume": 100}, "aht_seconds is required"),
        ("/planning/staffing", {"aht_seconds": 100}, "exactly one of volume or dataset_id"),
        ("/planning/staffing", {"volume": 100, "aht_seconds": 100, "service_level": 2}, "service_level"),
        ("/planning/staffing", {"dataset_id": api.ids["capital_projects.csv"], "aht_seconds": 60}, "capital_projects.csv"),
        ("/planning/schedule", {}, "give needs or dataset_id"),
        ("/planning/peak", {"config": "start: [oops"}, "not valid YAML"),
        ("/planning/peak", {"config": "start: 2026-10-26\nbaseline: b.csv\npeak_profile: p.csv\n"}, "map the baseline"),
        ("/planning/supply", {"config": "nodes: 3"}, "network.yaml"),
        ("/planning/capital", {"dataset_id": api.ids["baseline_week.csv"]}, "baseline_week.csv"),
    ]
    for path, body, text in cases:
        response = client.post(path, json=body, headers=h["victor"])
        assert response.status_code == 422, (path, body, response.text)
        assert text in response.json()["detail"], (path, response.text)
        assert "argentier-plan-" not in response.text  # no server paths in errors
    # sam (sales) cannot use ops's datasets by any endpoint
    for path, body in (("/planning/staffing", {"dataset_id": api.ids["interval_volumes.csv"], "aht_seconds": 60}),
                       ("/planning/peak", {"config": "x: 1", "files": {"b.csv": api.ids["baseline_week.csv"]}}),
                       ("/planning/capital", {"dataset_id": api.ids["capital_projects.csv"]}),
                       ("/planning/schedule", {"dataset_id": api.ids["interval_volumes.csv"]})):
        assert client.post(path, json=body, headers=h["sam"]).status_code == 404, path
