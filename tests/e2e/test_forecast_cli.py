"""End-to-end runs of ``argentier forecast``: run, backtest, anomalies (into review), versions and scenarios."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from argentier.forecast import demo_sales

ARGENTIER = str(Path(sys.executable).parent / "argentier")
FAST = ["--models", "seasonal_naive,naive", "--no-global-model"]


def _runner(tmp_path, database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(tmp_path / "home"), ARGENTIER_DATABASE_URL=database_url, COLUMNS="200")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [ARGENTIER, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"argentier {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run


@pytest.fixture
def run(tmp_path):
    """Commands that need no particular database run on the default SQLite file."""
    return _runner(tmp_path, f"sqlite:///{tmp_path / 'argentier.db'}")


@pytest.fixture
def run_db(tmp_path, database_url):
    """Commands that write to the store run on both SQLite and PostgreSQL."""
    return _runner(tmp_path, database_url)


@pytest.fixture
def sales(tmp_path):
    frame = demo_sales(periods=36)
    frame.loc[(frame.unique_id == "North/Food") & (frame.ds == "2023-04-01"), "y"] *= 1.7
    frame.to_csv(tmp_path / "sales.csv", index=False)
    return tmp_path / "sales.csv"


def test_run_writes_the_contract_file_chart_and_version(run, sales, tmp_path):
    out = run(
        "forecast",
        "run",
        "sales.csv",
        "--horizon",
        "4",
        "--levels",
        "region,category",
        "--level",
        "80",
        "--level",
        "95",
        *FAST,
        "--out",
        "forecast.csv",
        "--chart",
        "forecast.html",
        "--save-version",
        "FY24",
        "--version-kind",
        "budget",
    )
    assert "forecast of the total" in out.stdout and "reconciled with min_trace" in out.stdout
    frame = pd.read_csv(tmp_path / "forecast.csv")
    assert list(frame.columns) == [
        "unique_id",
        "ds",
        "yhat",
        "yhat_lo_80",
        "yhat_hi_80",
        "yhat_lo_95",
        "yhat_hi_95",
    ]
    assert frame.unique_id.nunique() == 7 and len(frame) == 28
    wide = frame.pivot(index="ds", columns="unique_id", values="yhat")
    assert (wide["Total"] - wide["North"] - wide["South"]).abs().max() < 1e-6
    page = (tmp_path / "forecast.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "http://" not in page.split("<svg")[0]
    versions = json.loads(run("forecast", "version", "list", "--json").stdout)
    assert [(v["name"], v["number"], v["kind"]) for v in versions] == [("FY24", 1, "budget")]
    as_json = json.loads(
        run("forecast", "run", "sales.csv", "-h", "2", *FAST, "--out", "f2.parquet", "--json").stdout
    )
    assert as_json["n_series"] == 4 and as_json["data"]["freq"] == "MS" and as_json["engine"] == "local"
    assert len(pd.read_parquet(tmp_path / "f2.parquet")) == 8


@pytest.mark.slow
def test_backtest_prints_metrics_per_level(run, sales):
    result = json.loads(
        run(
            "forecast",
            "backtest",
            "sales.csv",
            "--horizon",
            "3",
            "--windows",
            "2",
            "--levels",
            "region",
            *FAST,
            "--compare",
            "base,bottom_up",
            "--json",
        ).stdout
    )
    rows = {(row["method"], row["level"]) for row in result["metrics"]}
    assert ("forecast", "total") in rows and ("bottom_up", "region/series") in rows
    assert all(row["mase"] >= 0 and 0 <= row["coverage_80"] <= 1 for row in result["metrics"])
    table = run("forecast", "backtest", "sales.csv", "-h", "3", "--windows", "1", *FAST).stdout
    assert "mase" in table and "wql" in table


def test_anomalies_write_scores_and_reach_the_review_queue(run, sales, tmp_path):
    result = json.loads(
        run(
            "forecast",
            "anomalies",
            "sales.csv",
            "--levels",
            "region,category",
            "--out",
            "anomalies.csv",
            "--chart",
            "anomalies.png",
            "--json",
        ).stdout
    )
    top = result["anomalies"][0]
    assert (top["unique_id"], top["start"], top["kind"]) == ("North/Food", "2023-04-01", "spike")
    north = next(a for a in result["anomalies"] if a["unique_id"] == "North" and a["start"] == "2023-04-01")
    assert north["drill_down"][0]["unique_id"] == "North/Food"
    frame = pd.read_csv(tmp_path / "anomalies.csv")
    assert list(frame.columns[:8]) == ["unique_id", "ds", "y", "expected", "lo", "hi", "score", "is_anomaly"]
    assert (tmp_path / "anomalies.png").read_bytes()[:4] == b"\x89PNG"
    findings = json.loads(run("review", "list", "--kind", "forecast.anomaly", "--json").stdout)
    assert [f["id"] for f in findings] == result["finding_ids"] and findings[0]["status"] == "pending"


@pytest.mark.slow
def test_scenarios_from_a_kept_version(run_db, sales, tmp_path):
    run = run_db
    run(
        "forecast",
        "run",
        "sales.csv",
        "-h",
        "3",
        "--levels",
        "region,category",
        *FAST,
        "--out",
        "f.csv",
        "--save-version",
        "plan",
    )
    (tmp_path / "spec.yaml").write_text(
        "overrides:\n  - kind: price\n    where: {region: North}\n    change: -0.05\n    elasticity: -2\n"
    )
    created = json.loads(
        run(
            "forecast", "scenario", "create", "north price", "--base", "plan", "--spec", "spec.yaml", "--json"
        ).stdout
    )
    assert created["overrides"][0]["kind"] == "price"
    run(
        "forecast",
        "scenario",
        "create",
        "lost",
        "--base",
        "plan",
        "--override",
        '{"kind": "lost_customer", "series": ["South/Tech"], "amount": 5}',
    )
    table = json.loads(
        run("forecast", "scenario", "compare", "north price", "lost", "--chart", "s.svg", "--json").stdout
    )
    assert table[-1]["ds"] == "total" and table[-1]["lost vs base"] == pytest.approx(-15.0)
    assert "<svg" in (tmp_path / "s.svg").read_text()
    again = run(
        "forecast",
        "scenario",
        "create",
        "lost",
        "--base",
        "plan",
        "--override",
        '{"kind": "scale", "change": 0.1}',
        check=False,
    )
    assert again.returncode == 1 and "replace it explicitly" in again.stderr
    run("forecast", "scenario", "delete", "lost")
    assert [s["name"] for s in json.loads(run("forecast", "scenario", "list", "--json").stdout)] == [
        "north price"
    ]


def test_bad_input_is_one_line_and_leaves_no_file(run, tmp_path):
    (tmp_path / "bad.csv").write_text("unique_id,ds,y\na,2024-01-01,1\na,2024-02-01,lots\n")
    result = run("forecast", "run", "bad.csv", "-h", "2", "--out", "out.csv", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "error: bad.csv: row 3, column y: 'lots' is not a number"
    ]
    assert not (tmp_path / "out.csv").exists()
    missing = run("forecast", "anomalies", "nowhere.csv", check=False)
    assert missing.returncode == 1 and "nowhere.csv: no such file" in missing.stderr
    usage = run("forecast", "run", "bad.csv", "-h", "2", "--out", "o.csv", "--models", "prophet", check=False)
    assert usage.returncode == 2 and "unknown model" in usage.stderr
    unknown = run("forecast", "scenario", "compare", "nothing", check=False)
    assert unknown.returncode == 1 and "no scenario 'nothing'" in unknown.stderr


def test_version_save_and_scenario_from_a_forecast_file(run, tmp_path):
    pd.DataFrame(
        {
            "unique_id": "shop",
            "ds": ["2027-01-01", "2027-02-01"],
            "yhat": [100.0, 120.0],
            "yhat_lo_80": [90.0, 100.0],
            "yhat_hi_80": [110.0, 140.0],
        }
    ).to_csv(tmp_path / "f.csv", index=False)
    saved = json.loads(
        run("forecast", "version", "save", "f.csv", "--name", "plan", "--kind", "budget", "--json").stdout
    )
    assert (saved["name"], saved["number"], saved["kind"]) == ("plan", 1, "budget") and len(
        saved["checksum"]
    ) == 64
    run(
        "forecast",
        "scenario",
        "create",
        "promo",
        "--base",
        "plan",
        "--override",
        '{"kind": "scale", "start": "2027-02-01", "change": 0.25}',
    )
    table = run("forecast", "scenario", "compare", "promo").stdout
    assert "promo vs base" in table and "2027-02-01" in table and "30.0" in table


@pytest.mark.slow
def test_run_with_future_drivers(run, tmp_path):
    import numpy as np

    rng = np.random.default_rng(1)
    price = rng.uniform(8, 12, 64)
    y = 200 - 10 * price + rng.normal(0, 0.5, 64)
    pd.DataFrame({"unique_id": "shop", "ds": range(60), "y": y[:60], "price": price[:60]}).to_csv(
        tmp_path / "history.csv", index=False
    )
    pd.DataFrame({"unique_id": "shop", "ds": range(60, 64), "price": price[60:]}).to_csv(
        tmp_path / "drivers.csv", index=False
    )
    summary = json.loads(
        run(
            "forecast",
            "run",
            "history.csv",
            "-h",
            "4",
            "--models",
            "arima",
            "--future",
            "drivers.csv",
            "--out",
            "f.csv",
            "--json",
        ).stdout
    )
    assert summary["notes"] == []
    assert (pd.read_csv(tmp_path / "f.csv")["yhat"] - y[60:]).abs().mean() < 1.0


def test_the_engine_comes_from_the_config_file(run, sales, tmp_path):
    (tmp_path / "argentier.toml").write_text('[forecast]\nengine = "flink"\n')
    wrong = run("forecast", "run", "sales.csv", "-h", "2", "--out", "out.csv", *FAST, check=False)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "invalid setting 'forecast.engine'" in wrong.stderr and not (tmp_path / "out.csv").exists()
    pytest.importorskip("distributed")
    (tmp_path / "argentier.toml").write_text('[forecast]\nengine = "dask"\naddress = "tcp://127.0.0.1:9"\n')
    unreachable = run("forecast", "run", "sales.csv", "-h", "2", "--out", "out.csv", *FAST, check=False)
    assert unreachable.returncode == 1
    assert "cannot reach the dask cluster at tcp://127.0.0.1:9" in unreachable.stderr
    assert not (tmp_path / "out.csv").exists()
    (tmp_path / "argentier.toml").write_text('[forecast]\nengine = "dask"\n')  # Dask's local scheduler
    on_dask = json.loads(run("forecast", "run", "sales.csv", "-h", "2", *FAST, "--out", "out.csv", "--json").stdout)
    assert on_dask["engine"] == "dask" and on_dask["n_series"] == 4 and (tmp_path / "out.csv").exists()
