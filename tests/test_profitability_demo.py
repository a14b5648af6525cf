"""The demo generator: seeded, realistic shape, and the known truth it promises (cost shocks, elasticities)."""

import json

import duckdb
import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.profitability import DEMO_COST_DRIVERS, ProfitData, generate_profit_demo


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    first = generate_profit_demo(tmp_path / "a", n_skus=9, weeks=10, seed=5)
    second = generate_profit_demo(tmp_path / "b", n_skus=9, weeks=10, seed=5)
    third = generate_profit_demo(tmp_path / "c", n_skus=9, weeks=10, seed=6)
    a, b, c = (pd.read_parquet(t.sales_path) for t in (first, second, third))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert first.elasticities == second.elasticities != third.elasticities


def test_catalogue_shape_and_truth_file(tmp_path):
    truth = generate_profit_demo(tmp_path, n_skus=30, weeks=104, seed=1, file_format="csv")
    sales = pd.read_csv(truth.sales_path, keep_default_na=False)  # region 'NA' is North America
    assert set(sales.columns) >= {"date", "sku", "region", "units", "net_revenue", "channel", "category", "discount"}
    assert sales["sku"].nunique() == 30 and set(sales["region"]) == {"NA", "EU", "UK", "APAC"}
    assert pd.to_datetime(sales["date"]).max() - pd.to_datetime(sales["date"]).min() == pd.Timedelta(weeks=103)
    assert 0.03 < (sales["discount"] > 0).mean() < 0.3  # promotions exist but are not the norm
    products = pd.read_csv(truth.products_path)
    assert list(products["tier"][:3]) == ["good", "better", "best"]
    stored = json.loads((tmp_path / "truth.json").read_text())
    assert stored["elasticities"] == truth.elasticities and all(-4 <= e <= -0.3 for e in truth.elasticities.values())
    assert truth.n_sales_lines == len(sales)


def test_cost_shock_is_in_the_costs_exactly(tmp_path):
    truth = generate_profit_demo(tmp_path, n_skus=6, weeks=104, seed=2)
    shock = next(s for s in truth.cost_shocks if s.driver == "outbound_shipping")
    ratio = duckdb.sql(
        f"""SELECT region, avg(b.outbound_shipping / a.outbound_shipping) AS r
        FROM '{truth.costs_path}' a JOIN '{truth.costs_path}' b USING (sku, region)
        WHERE a.period = DATE '{shock.start}' - INTERVAL 1 MONTH AND b.period = DATE '{shock.start}'
        GROUP BY region ORDER BY region"""
    ).fetchall()
    ratios = dict(ratio)
    assert ratios[shock.region] == pytest.approx(1 + shock.change, abs=1e-3)
    assert all(r == pytest.approx(1.0) for region, r in ratios.items() if region != shock.region)


def test_demo_loads_through_the_contract(tmp_path):
    truth = generate_profit_demo(tmp_path, n_skus=6, weeks=8, seed=3)
    with ProfitData.load(truth.sales_path, truth.costs_path) as data:
        assert data.drivers == DEMO_COST_DRIVERS and data.n_lines == truth.n_sales_lines


def test_bad_parameters(tmp_path):
    with pytest.raises(InputError, match="regions"):
        generate_profit_demo(tmp_path, n_skus=3, regions=("MARS",))
    with pytest.raises(InputError, match="Monday"):
        generate_profit_demo(tmp_path, n_skus=3, start=pd.Timestamp("2024-01-02").date())
