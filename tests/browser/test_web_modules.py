"""The analytical module pages in a real browser, on the demo data ``argentier serve --demo`` loads: datasets,
forecasts (run, drill-down, anomalies, versions, scenarios), profitability (waterfall, bridge), fraud metrics."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from _browser import go, open_as

pytest.importorskip("pandas", reason="the module pages need the analytical extras")


@pytest.fixture(scope="module")
def server(live_server_factory):
    def seed(server):
        from argentier.api._datasets_demo import load_demo_data

        steps = load_demo_data(
            server.services, owner="alice", groups=["treasury"], only=["forecast", "profitability", "fraud"]
        )
        assert all(step.status == "loaded" for step in steps), [step.to_dict() for step in steps]

    return live_server_factory(seed)


def _api(server, user, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {server.tokens[user]}"}
    response = httpx.request(method, f"{server.url}{path}", headers=headers, timeout=60, **kwargs)
    response.raise_for_status()
    return response.json()


def _datasets(server, user="alice"):
    return {item["name"]: item["id"] for item in _api(server, user, "GET", "/datasets")["items"]}


def _no_errors(page):
    assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").all_inner_texts()
    assert not page.console_errors, page.console_errors


def test_forecast_run_drill_down_and_anomalies(page, server):
    open_as(page, server, "alice", "#/forecast")
    assert page.get_by_label("Hierarchy columns, top first").input_value() == "region, category"
    page.get_by_label("Save as version").fill("web-run")
    page.get_by_role("button", name="Run forecast").click()
    result = page.get_by_test_id("forecast-result")
    chart = result.get_by_test_id("line-chart")
    chart.wait_for(timeout=60_000)
    assert (
        "7 series, 6 periods ahead" in result.inner_text()
        and "Saved as version web-run #1." in result.inner_text()
    )
    saved = _api(server, "alice", "GET", "/forecast/versions", params={"name": "web-run"})["items"]
    assert [(v["name"], v["created_by"], v["meta"]["horizon"]) for v in saved] == [("web-run", "alice", 6)]
    assert result.locator("figcaption").inner_text().startswith("Total (total)")
    assert chart.locator("path.band").count() == 1 and chart.locator("path.forecast").count() == 1
    assert chart.get_by_test_id("anomaly").count() >= 1  # the demo's spike in North/Food shows in the total
    chart.focus()
    page.keyboard.press("End")
    assert re.match(
        r"2025-06-01: forecast [\d,.]+ \(interval [\d,.]+ to [\d,.]+\)", page.inner_text("#tooltip")
    )

    result.get_by_role("button", name="↓ North").click()
    result.get_by_role("button", name="↓ North/Food").click()
    assert result.locator("figcaption").inner_text().startswith("North/Food (region/category)")
    assert result.get_by_test_id("anomaly").count() >= 1
    assert page.evaluate("() => document.activeElement.textContent") == "North/Food"
    result.get_by_role("button", name="↑ North").click()
    assert result.locator("figcaption").inner_text().startswith("North (region)")

    page.get_by_role("tab", name="Anomalies").click()
    page.get_by_role("button", name="Find anomalies").click()
    page.get_by_test_id("anomaly-table").wait_for(timeout=30_000)
    rows = page.get_by_test_id("anomaly-table").locator("tbody tr").all_inner_texts()
    assert any(row.startswith("North/Food\t2023-04-01\tspike") for row in rows), rows
    _no_errors(page)


def test_forecast_versions_and_scenario_comparison(page, server):
    expected = _api(
        server, "alice", "GET", "/forecast/scenarios/compare", params={"names": ["demo-price-cut"]}
    )
    open_as(page, server, "alice", "#/forecast")
    page.get_by_role("tab", name="Run a forecast").focus()
    page.keyboard.press("ArrowRight")  # tabs follow the WAI-ARIA pattern: arrows move and select
    anomalies_tab = page.get_by_role("tab", name="Anomalies")
    assert anomalies_tab.get_attribute("aria-selected") == "true"
    assert page.evaluate("() => document.activeElement.textContent") == "Anomalies"
    page.get_by_role("button", name="Find anomalies").wait_for()
    page.get_by_role("tab", name="Saved versions").click()
    page.get_by_role("button", name="demo-revenue #1").click()
    detail = page.get_by_test_id("version-detail")
    detail.get_by_test_id("line-chart").wait_for()
    assert detail.locator("path.forecast").count() == 1

    page.get_by_role("tab", name="Scenarios").click()
    page.get_by_role("cell", name="price -5.0% where region=North").wait_for()
    page.get_by_role("button", name="Compare").click()
    table = page.get_by_test_id("compare-table")
    table.wait_for()
    last = table.locator("tbody tr").last.inner_text().split("\t")
    total = expected["rows"][-1]
    assert last[0] == str(total["ds"]) and last[-1] == f"{total['demo-price-cut vs base']:,.1f}"
    chart = page.get_by_test_id("scenario-compare").get_by_test_id("line-chart")
    assert chart.locator("path.extra").count() == 2
    _no_errors(page)


def test_profitability_waterfall_and_bridge(page, server):
    ids = _datasets(server)
    pair = {"dataset_id": ids["demo-sales.csv"], "costs_dataset_id": ids["demo-costs.csv"]}
    margins = _api(
        server, "alice", "POST", "/profitability/margins", json={**pair, "by": ["region"], "limit": 50}
    )
    bridge = _api(
        server,
        "alice",
        "POST",
        "/profitability/variance",
        json={**pair, "base_period": "2024-Q1", "compare_period": "2024-Q2"},
    )
    open_as(page, server, "alice", "#/profitability")
    assert page.get_by_label("Unit costs").input_value() == ids["demo-costs.csv"]
    page.get_by_label("Group by").select_option("region")
    page.get_by_role("button", name="Show margins").click()
    result = page.get_by_test_id("margins-result")
    result.get_by_test_id("margins-table").wait_for(timeout=30_000)
    contribution = f"{round(float(margins['total']['contribution'])):,}"
    assert f"contribution {contribution}" in result.inner_text()
    chart = result.get_by_test_id("waterfall-chart")
    assert chart.locator("rect").count() == len(margins["bars"])
    chart.focus()
    page.keyboard.press("End")
    assert page.inner_text("#tooltip") == f"contribution: {contribution}"

    page.get_by_role("tab", name="Variance bridge").click()
    page.get_by_role("button", name="Show bridge").click()
    page.get_by_test_id("bridge-table").wait_for(timeout=30_000)
    steps = page.get_by_test_id("bridge-table").locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in steps] == [step["label"] for step in bridge["steps"]]
    assert steps[-1].split("\t")[1] == f"{round(float(bridge['steps'][-1]['amount'])):,}"
    assert "not zero" in page.get_by_test_id("bridge-result").locator("figcaption").inner_text()
    _no_errors(page)


def test_fraud_queue_models_and_metrics_by_threshold(page, server):
    champion = _api(server, "alice", "GET", "/fraud/models")[0]
    open_as(page, server, "alice", "#/fraud")
    assert page.get_by_test_id("fraud-alert").count() == 20  # one page of the demo's queue
    models = page.get_by_test_id("fraud-models").inner_text()
    assert champion["version"] in models and f"{champion['metrics']['validation']['auc']:.3f}" in models
    ((period, evaluation),) = champion["metrics"]["evaluations"].items()
    assert f"{evaluation['auc']:.3f}" in page.get_by_test_id("fraud-evaluations").inner_text()
    assert page.get_by_label("From").input_value() == period.split("..")[0]
    page.get_by_label("Alert budget per day").fill("100")
    page.get_by_role("button", name="Measure").click()
    table = page.get_by_test_id("dataset-threshold-table")
    table.wait_for(timeout=60_000)
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == 21 and rows[0].startswith("0\t") and rows[-1].startswith("1,000\t")
    chosen = page.get_by_test_id("dataset-thresholds").inner_text()
    assert re.search(r"Lowest threshold within the budget: [\d,]+\.", chosen)

    # A verdict on the queue goes to the review API and shows up as precision among reviewed alerts.
    first = page.get_by_test_id("fraud-alert").first
    transaction = first.locator("strong").first.inner_text().removeprefix("Transaction ")
    first.get_by_role("button", name=f"Confirm fraud: alert on {transaction}").click()
    page.get_by_test_id("fraud-thresholds").wait_for()
    alert = _api(server, "alice", "GET", "/fraud/alerts", params={"status": "approved"})["items"]
    assert [item["transaction_id"] for item in alert] == [transaction]
    _no_errors(page)


def test_dataset_upload_preview_and_group_boundary(page, server, tmp_path):
    table = tmp_path / "headcount.csv"
    table.write_text("ds,y,team\n2024-01-01,10,ops\n2024-02-01,12,ops\n")
    open_as(page, server, "alice", "#/datasets")
    page.get_by_label("CSV or Parquet file").set_input_files(str(table))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("headcount.csv: added, 2 rows.").wait_for()
    page.get_by_role("button", name="headcount.csv").click()
    preview = page.get_by_test_id("dataset-preview")
    preview.get_by_role("heading", name="headcount.csv: first rows").wait_for()
    assert preview.locator("tbody tr").count() == 2 and "ops" in preview.inner_text()
    assert "headcount.csv" in _datasets(server)

    # bob (group sales) sees none of treasury's datasets, in the list or in the forecast page's picker.
    go(page, "#/")
    page.goto(server.login_url("bob"))
    page.get_by_test_id("whoami").wait_for()
    go(page, "#/datasets")
    assert "No dataset yet." in page.inner_text("main")
    go(page, "#/forecast")
    assert (
        page.get_by_label("Dataset (ds, y and unique_id or hierarchy columns)").locator("option").count() == 0
    )
    _no_errors(page)


def test_planning_staffing_schedule_and_supply(page, server):
    open_as(page, server, "victor", "#/planning")  # computations store nothing: viewers may run them
    page.get_by_role("button", name="Compute").click()
    # 120 contacts of 240 s in 30 minutes = 16 erlangs; 80% within 20 s needs 20 agents (Erlang C).
    assert page.get_by_test_id("agents").inner_text() == "20"
    assert "16.00 erlangs" in page.get_by_test_id("staffing-result").inner_text()

    page.get_by_role("tab", name="Shift schedule").click()
    page.get_by_role("button", name="Solve").click()
    coverage = page.get_by_test_id("coverage-table")
    coverage.wait_for(timeout=30_000)
    rows = [row.split("\t") for row in coverage.locator("tbody tr").all_inner_texts()]
    assert [int(r[1]) for r in rows] == [12, 10, 10, 11, 14, 18, 16]
    assert all(int(r[2]) >= int(r[1]) and r[4] == "0" for r in rows)
    assert "optimal: 19 people" in page.get_by_test_id("schedule-result").inner_text()

    page.get_by_role("tab", name="Supply network").click()
    page.get_by_label("Replications").fill("10")
    page.get_by_role("button", name="Simulate").click()
    plans = page.get_by_test_id("supply-table")
    plans.wait_for(timeout=60_000)
    names = [row.split("\t")[0] for row in plans.locator("tbody tr").all_inner_texts()]
    assert names == ["baseline", "safety_stock", "second_supplier", "expediting"]  # the example's plans
    _no_errors(page)


def test_generic_review_queue_for_forecast_anomalies(page, server):
    review = server.services.review
    pending = review.list_findings(kind="forecast.anomaly", status="pending", limit=1000)
    assert pending  # the demo records its anomalies for review
    open_as(page, server, "alice")
    page.get_by_test_id("pending-by-kind").get_by_role("link", name="forecast.anomaly").click()
    page.locator('main[data-rendered="#/review?kind=forecast.anomaly"]').wait_for()
    cards = page.get_by_test_id("queue-finding")
    assert cards.count() == min(len(pending), 10)

    first = cards.first
    first_id = int(first.get_by_test_id(re.compile(r"status-\d+")).get_attribute("data-testid").split("-")[1])
    first.get_by_role("button", name=re.compile("^Edit")).click()
    editor = first.get_by_label("Corrected payload (JSON)")
    editor.fill("{not json")
    first.get_by_role("button", name="Save edit").click()
    assert "not valid JSON" in first.get_by_role("alert").inner_text()
    assert review.get_finding(first_id).status == "pending"
    corrected = {**review.get_finding(first_id).current_payload, "kind": "level shift"}
    editor.fill(json.dumps(corrected))
    first.get_by_role("button", name="Save edit").click()
    page.get_by_test_id(f"status-{first_id}").wait_for(state="detached")  # it leaves the pending queue
    edited = review.get_finding(first_id)
    assert edited.status == "edited" and edited.current_payload["kind"] == "level shift"
    assert edited.latest_verdict.reviewer == "alice"
    assert page.get_by_test_id("queue-finding").count() == min(len(pending) - 1, 10)
    _no_errors(page)
