"""Contribution margins against an independent Decimal computation from the raw files, and the waterfall."""

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.profitability import (
    ProfitData,
    contribution_margin,
    generate_profit_demo,
    parse_period,
    write_waterfall,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp("margins"), n_skus=12, weeks=30, seed=4, file_format="csv")
    data = ProfitData.load(truth.sales_path, truth.costs_path)
    yield truth, data
    data.close()


def _reference(truth, region: str, months: tuple[str, str]) -> dict[str, Decimal]:
    """Line by line in Decimal from the CSV text: units x unit cost rounded half up to the cent."""
    sales = pd.read_csv(truth.sales_path, dtype=str, keep_default_na=False)
    costs = pd.read_csv(truth.costs_path, dtype=str, keep_default_na=False)
    sales = sales[(sales["region"] == region) & (sales["date"].str[:7] >= months[0]) & (sales["date"].str[:7] <= months[1])]
    sales = sales.assign(period=sales["date"].str[:7] + "-01").merge(costs, on=["sku", "region", "period"])
    totals = {"revenue": sum((Decimal(v) for v in sales["net_revenue"]), Decimal(0))}
    for driver in ("cogs", "outbound_shipping"):
        totals[driver] = sum(
            ((Decimal(u) * Decimal(c)).quantize(Decimal("0.01"), ROUND_HALF_UP) for u, c in zip(sales["units"], sales[driver])),
            Decimal(0),
        )
    return totals


def test_margins_match_an_independent_decimal_computation(demo):
    truth, data = demo
    report = contribution_margin(data, by=["region"], period=parse_period("2024-02-01:2024-05-31"))
    eu = next(row for row in report.rows if row.key == {"region": "EU"})
    reference = _reference(truth, "EU", ("2024-02", "2024-05"))
    assert eu.revenue == reference["revenue"]
    assert eu.costs["cogs"] == reference["cogs"] and eu.costs["outbound_shipping"] == reference["outbound_shipping"]
    assert eu.contribution == eu.revenue - sum(eu.costs.values())


def test_groups_add_up_to_the_total_and_waterfall_closes(demo):
    _, data = demo
    report = contribution_margin(data, by=["category", "month"])
    assert sum(row.contribution for row in report.rows) == report.total.contribution
    assert sum(row.units for row in report.rows) == report.total.units
    assert sum(row.returned_units for row in report.rows) == report.total.returned_units > 0
    steps = report.waterfall()
    assert steps[0].amount + sum(step.amount for step in steps[1:-1]) == steps[-1].amount
    contributions = [row.contribution for row in report.rows]
    assert contributions == sorted(contributions, reverse=True)


def test_filters_limit_and_sort(demo):
    _, data = demo
    everything = contribution_margin(data, by=["region"])
    eu = contribution_margin(data, by=["sku"], filters={"region": "EU"}, sort="key", limit=3)
    assert len(eu.rows) == 3 and eu.n_groups == 12
    assert [row.key["sku"] for row in eu.rows] == sorted(row.key["sku"] for row in eu.rows)
    assert eu.total.contribution == next(r.contribution for r in everything.rows if r.key == {"region": "EU"})


def test_month_is_a_dimension_to_group_and_filter_by(demo):
    _, data = demo
    by_month = contribution_margin(data, by=["month"], sort="key")
    assert by_month.rows[0].key == {"month": "2024-01"}
    march = contribution_margin(data, by=[], filters={"month": "2024-03"}).total
    assert march.contribution == next(r.contribution for r in by_month.rows if r.key == {"month": "2024-03"})


def test_unknown_grouping_and_empty_selection(demo):
    _, data = demo
    with pytest.raises(InputError, match="unknown grouping 'colour'"):
        contribution_margin(data, by=["colour"])
    with pytest.raises(InputError, match="no sales lines"):
        contribution_margin(data, by=["sku"], period=parse_period("2030"))


def test_waterfall_charts_png_and_html(demo, tmp_path):
    _, data = demo
    steps = contribution_margin(data, by=[]).waterfall()
    png = write_waterfall(steps, tmp_path / "w.png", title="Margin")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = write_waterfall(steps, tmp_path / "w.html").read_text()
    assert page.count("<rect") == len(steps) and "<script" not in page
    with pytest.raises(InputError, match=".png or .html"):
        write_waterfall(steps, tmp_path / "w.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.html", "w.png"]  # no temporary file left behind
