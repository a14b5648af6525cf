"""What-if: the fixed-volume impact is exact (checked line by line), the elasticity-adjusted one follows the model."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.profitability import Change, ProfitData, generate_profit_demo, simulate_whatif


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp("whatif"), n_skus=9, weeks=70, seed=8, file_format="csv")
    data = ProfitData.load(truth.sales_path, truth.costs_path)
    yield truth, data
    data.close()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_fixed_volume_impact_is_exact_line_by_line(demo):
    truth, data = demo
    change = Change.parse("outbound_shipping:+12%,region=EU,from=2025-03")
    result = simulate_whatif(data, [change], by=["region"])
    sales = pd.read_csv(truth.sales_path, dtype=str, keep_default_na=False)
    costs = pd.read_csv(truth.costs_path, dtype=str, keep_default_na=False)
    lines = sales.assign(period=sales["date"].str[:7] + "-01").merge(costs, on=["sku", "region", "period"])
    hit = lines[(lines["region"] == "EU") & (lines["date"] >= "2025-03-01")]
    expected = Decimal(0)
    for units, unit_cost in zip(hit["units"], hit["outbound_shipping"]):
        new_unit = (Decimal(unit_cost) * Decimal("1.12")).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        expected -= _cents(Decimal(units) * new_unit) - _cents(Decimal(units) * Decimal(unit_cost))
    eu = next(row for row in result.rows if row.key == {"region": "EU"})
    assert eu.fixed_impact == expected < 0
    assert all(row.fixed_impact == 0 for row in result.rows if row.key != {"region": "EU"})
    assert result.total.fixed_impact == expected and result.total.adjusted_contribution is None


def test_price_change_with_constant_elasticity_moves_units_by_the_model(demo):
    _, data = demo
    result = simulate_whatif(data, [Change.parse("price:+10%")], by=[], elasticities=-2.0)
    total = result.total
    assert total.adjusted_units == pytest.approx(total.base_units * 1.1**-2.0, rel=1e-3)
    base = simulate_whatif(data, [Change.parse("price:+0%")], by=[], elasticities=-2.0).total
    assert base.fixed_impact == 0 and base.adjusted_impact == 0
    assert total.fixed_impact > 0  # same units at higher prices


def test_pass_through_recovers_that_share_of_a_cost_increase(demo):
    _, data = demo
    change = [Change.parse("cogs:+10%")]
    none = simulate_whatif(data, change, by=[]).total.fixed_impact
    half = simulate_whatif(data, change, by=[], pass_through=0.5).total.fixed_impact
    # Each line's passed-on amount is rounded to the cent: at most half a cent per line apart.
    assert none < 0 and abs(half - none / 2) <= Decimal(data.n_lines) / 200


def test_missing_elasticities_need_a_default(demo):
    _, data = demo
    with pytest.raises(InputError, match="have no elasticity"):
        simulate_whatif(data, [Change.parse("price:+1%")], elasticities={"SKU00000": -1.0})
    result = simulate_whatif(data, [Change.parse("price:+1%")], elasticities={"SKU00000": -1.0}, default_elasticity=-1.5)
    assert result.total.adjusted_contribution is not None


@pytest.mark.parametrize("text", ["cogs+12%", "cogs:12", "cogs:+12%,region", ":+1%", "cogs:+5%,from=2025-13"])
def test_bad_change_specs(text):
    with pytest.raises(InputError):
        Change.parse(text)


def test_change_parsing_and_unknown_driver(demo):
    _, data = demo
    change = Change.parse("fulfilment:-3.5%,category=Home,to=2025-06")
    assert change.relative == Decimal("-0.035") and change.end == date(2025, 6, 30)
    with pytest.raises(InputError, match="unknown cost driver 'duty'"):
        simulate_whatif(data, [Change.parse("duty:+1%")])
    with pytest.raises(InputError, match="unknown grouping"):
        simulate_whatif(data, [Change.parse("cogs:+1%,colour=red")])
