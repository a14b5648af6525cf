"""Profitability endpoints over uploaded sales and cost datasets: margins with waterfall bars, variance bridge,
drivers, what-if, promotions, elasticity and prices as jobs; groups, roles and clear 4xx errors."""

from __future__ import annotations

import time
from decimal import Decimal
from itertools import pairwise
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.profitability import ProfitData, contribution_margin, generate_profit_demo

FAST = ScryptParams(n=2**10, r=8, p=1)
H1, H2 = "2024-01-01:2024-06-30", "2024-07-01:2024-12-31"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profit")
    generate_profit_demo(folder, n_skus=24, weeks=52, file_format="csv")
    return folder


@pytest.fixture
def api(tmp_path, embedder, demo):
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'a.db'}", api={"job_workers": 1})
    app = create_app(settings, embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role, groups in (("alice", "analyst", ["finance"]), ("victor", "viewer", ["finance"]),
                               ("sam", "viewer", ["sales"])):
        create_user(store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    with TestClient(app) as client:
        ids = {}
        for stem in ("sales", "costs", "products"):
            response = client.post("/datasets", params={"filename": f"{stem}.csv"},
                                   content=(demo / f"{stem}.csv").read_bytes(), headers=headers["alice"])
            assert response.status_code == 201, response.text
            ids[stem] = response.json()["dataset"]["id"]
        yield SimpleNamespace(client=client, headers=headers, ids=ids, demo=demo,
                              base={"dataset_id": ids["sales"], "costs_dataset_id": ids["costs"]})


def _wait(api, job, user="victor"):
    for _ in range(1200):
        polled = api.client.get(f"/jobs/{job['id']}", headers=api.headers[user]).json()
        if polled["status"] in ("succeeded", "failed"):
            return polled
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_margins_match_the_python_api_and_bars_chain(api):
    response = api.client.post("/profitability/margins", json={**api.base, "by": ["region"], "limit": None},
                               headers=api.headers["victor"])
    assert response.status_code == 200, response.text
    body = response.json()
    with ProfitData.load(api.demo / "sales.csv", api.demo / "costs.csv") as data:
        local = contribution_margin(data, ["region"])
    assert body["total"]["contribution"] == str(local.total.contribution)
    assert {tuple(row["key"].values()) for row in body["rows"]} == {("APAC",), ("EU",), ("NA",), ("UK",)}
    bars = body["bars"]
    assert bars[0]["label"] == "net revenue" and bars[-1]["label"] == "contribution"
    for before, bar in pairwise(bars[:-1]):
        assert bar["start"] == before["end"]  # each change starts where the previous bar ended
    assert Decimal(bars[-2]["end"]) == Decimal(bars[-1]["end"]) == local.total.contribution


def test_variance_drivers_whatif_promotions(api):
    client, h = api.client, api.headers["victor"]
    bridge = client.post("/profitability/variance", json={**api.base, "base_period": H1, "compare_period": H2},
                         headers=h)
    assert bridge.status_code == 200, bridge.text
    body = bridge.json()
    changes = sum(Decimal(bar["amount"]) for bar in body["bars"] if bar["kind"] == "change")
    first, last = Decimal(body["bars"][0]["amount"]), Decimal(body["bars"][-1]["amount"])
    assert first + changes == last  # the effects add up to the change exactly
    drivers = client.post("/profitability/drivers", json={**api.base, "base_period": H1, "compare_period": H2,
                                                          "by": ["region"], "top": 3}, headers=h)
    assert drivers.status_code == 200 and len(drivers.json()["items"]) <= 3
    whatif = client.post("/profitability/whatif", json={**api.base, "changes": ["cogs:+10%"], "by": ["region"]},
                         headers=h)
    assert whatif.status_code == 200, whatif.text
    assert Decimal(whatif.json()["total"]["fixed_volume_impact"]) < 0  # dearer goods, lower contribution
    promotions = client.post("/profitability/promotions", json=api.base, headers=h)
    assert promotions.status_code == 200 and "by_category" in promotions.json()


def test_elasticity_and_prices_jobs(api):
    client, h = api.client, api.headers["victor"]
    accepted = client.post("/profitability/elasticity", json={**api.base, "level": "category"}, headers=h)
    assert accepted.status_code == 202, accepted.text
    job = _wait(api, accepted.json())
    assert job["status"] == "succeeded", job["error"]
    estimates = job["result"]["estimates"]
    assert estimates and all(e["elasticity"] is None or e["elasticity"] < 0 for e in estimates)
    priced = client.post("/profitability/prices", json={**api.base, "elasticity": -2.0, "time_limit": 20,
                                                        "products_dataset_id": api.ids["products"]}, headers=h)
    assert priced.status_code == 202, priced.text
    done = _wait(api, priced.json())
    assert done["status"] == "succeeded", done["error"]
    result = done["result"]
    assert Decimal(str(result["contribution_after"])) >= Decimal(str(result["contribution_before"]))


def test_errors_auth_and_group_boundary(api):
    client, h = api.client, api.headers
    assert client.post("/profitability/margins", json=api.base).status_code == 401
    cases = [
        ({**api.base, "by": ["planet"]}, 422, "unknown grouping 'planet'"),
        ({**api.base, "costs_dataset_id": api.ids["products"]}, 422, "products.csv: missing column(s) region, period"),
        ({**api.base, "dataset_id": "0" * 32}, 404, "no dataset"),
        ({**api.base, "period": "someday"}, 422, "period"),
        ({"dataset_id": api.ids["sales"]}, 422, "costs_dataset_id"),
    ]
    for body, code, text in cases:
        response = client.post("/profitability/margins", json=body, headers=h["alice"])
        assert response.status_code == code, (body, response.text)
        assert text in response.json()["detail"], (body, response.text)
        assert "/datasets/" not in response.text  # named by the dataset, never by its place on the server
    bad = client.post("/profitability/whatif", json={**api.base, "changes": ["cogs:lots"]}, headers=h["alice"])
    assert bad.status_code == 422
    # sam (sales) cannot use finance's datasets by any endpoint
    for path, extra in (("margins", {}), ("variance", {"base_period": H1, "compare_period": H2}),
                        ("drivers", {"base_period": H1, "compare_period": H2}), ("whatif", {"changes": ["cogs:+1%"]}),
                        ("promotions", {}), ("elasticity", {}), ("prices", {"elasticity": -2.0})):
        response = client.post(f"/profitability/{path}", json={**api.base, **extra}, headers=h["sam"])
        assert response.status_code == 404, (path, response.text)
