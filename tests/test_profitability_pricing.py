"""Price optimisation against brute force, constraints honoured, and promotion ROI on known data."""

import itertools
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InfeasibleError, InputError
from argentier.profitability import (
    PricingItem,
    ProfitData,
    brute_force_prices,
    generate_profit_demo,
    pricing_items,
    promotion_roi,
    recommend_prices,
)

LADDER = (-0.15, -0.08, -0.03, 0.0, 0.04, 0.09, 0.15)


def _instance(seed: int, n: int = 6):
    rng = np.random.default_rng(seed)
    items = []
    family_prices = [Decimal(str(round(rng.uniform(5, 50), 2))) for _ in range(n // 3 + 1)]
    for i in range(n):
        price = family_prices[i // 3]
        items.append(
            PricingItem(
                item=f"I{i}",
                price=(price * Decimal(str(1 + 0.3 * (i % 3)))).quantize(Decimal("0.01")),
                unit_cost=(price * Decimal(str(round(rng.uniform(0.3, 0.8), 2)))).quantize(Decimal("0.01")),
                units=float(rng.uniform(10, 500)),
                elasticity=float(rng.uniform(-3.5, -0.8)),
                family=f"F{i // 3}",
                tier=i % 3,
            )
        )
    return items


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("solver", ["milp", "cp-sat"])
def test_solver_matches_brute_force(seed, solver):
    items = _instance(seed)
    options = {"ladder": LADDER, "max_change": 0.1, "margin_floor": 0.15, "tier_gap": 0.05, "min_units_ratio": 0.97}
    reference = brute_force_prices(items, **options)
    result = recommend_prices(items, solver=solver, **options)
    assert result.status == "optimal"
    assert result.contribution_after == reference.contribution_after
    assert result.contribution_after >= result.contribution_before or result.below_floor


def test_constraints_hold_in_the_solution():
    items = _instance(42, n=9)
    result = recommend_prices(items, ladder=LADDER, max_change=0.1, margin_floor=0.2, tier_gap=0.05, min_units_ratio=0.95)
    chosen = {c.item: c for c in result.choices}
    for item in items:
        new = chosen[item.item].new_price
        assert abs(float(new / item.price) - 1) <= 0.1 + 1e-9
        if item.item not in result.below_floor:
            assert new - item.unit_cost >= Decimal("0.2") * new
    for family in {i.family for i in items}:
        members = sorted((i for i in items if i.family == family), key=lambda i: i.tier)
        for low, high in itertools.pairwise(members):
            assert chosen[high.item].new_price >= chosen[low.item].new_price * Decimal("1.05")
    assert sum(c.new_units for c in result.choices) >= 0.95 * sum(i.units for i in items) - 1e-3


def test_infeasible_tiers_and_bad_input_are_explained():
    items = [PricingItem("good", Decimal(20), Decimal(5), 10, -2, "F", 0),
             PricingItem("best", Decimal(10), Decimal(5), 10, -2, "F", 2)]
    with pytest.raises(InfeasibleError, match="'good' \\(tier 0\\) and 'best' \\(tier 2\\)"):
        recommend_prices(items, max_change=0.1)
    with pytest.raises(InputError, match="positive price"):
        recommend_prices([PricingItem("x", Decimal(0), Decimal(1), 1, -1)])
    with pytest.raises(InputError, match="too many to enumerate"):
        brute_force_prices(_instance(1, n=12), ladder=LADDER, max_combinations=1000)


def test_loss_maker_moves_as_far_as_allowed_towards_the_floor():
    items = [PricingItem("loss", Decimal("10.00"), Decimal("12.00"), 100, -0.5)]
    result = recommend_prices(items, ladder=LADDER, max_change=0.1, margin_floor=0.1)
    assert result.below_floor == ("loss",) and result.choices[0].new_price == Decimal("10.90")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp("pricing"), n_skus=24, weeks=104, seed=31)
    data = ProfitData.load(truth.sales_path, truth.costs_path)
    yield truth, data
    data.close()


def test_pricing_items_from_data_and_products(demo):
    truth, data = demo
    products = pd.read_csv(truth.products_path)
    items = pricing_items(data, truth.elasticities, products=products)
    assert len(items) == 24 * 4 and {i.tier for i in items} == {0, 1, 2}
    assert items[0].family.endswith("@" + items[0].item.split("@")[1])
    result = recommend_prices(items, margin_floor=0.0)
    assert result.contribution_after >= result.contribution_before
    with pytest.raises(InputError, match="no elasticity for SKU"):
        pricing_items(data, {})


def test_promotion_roi_finds_the_generator_lift(demo):
    truth, data = demo
    report = promotion_roi(data)
    assert len(report.events) > 50
    panel = data.connection.execute(
        "SELECT sku, date, sum(discount_c) / sum(units_m * list_price_c / 1000.0) AS depth FROM lines "
        "WHERE discount_c > 0 GROUP BY ALL"
    ).df()
    # True promoted/normal demand ratio: (1 - depth) ** elasticity * exp(uplift), averaged over promoted weeks.
    true_lift = np.mean(
        [(1 - d) ** truth.elasticities[s] * np.exp(truth.promo_uplift) for s, d in zip(panel["sku"], panel["depth"])]
    ) - 1
    units = sum(e.units for e in report.events)
    baseline = sum(e.baseline_units for e in report.events)
    assert units / baseline - 1 == pytest.approx(true_lift, rel=0.25)
    assert all(e.investment > 0 for e in report.events)


def test_promotion_roi_on_a_hand_made_history(tmp_path):
    weeks = pd.date_range("2025-01-06", periods=6, freq="7D").strftime("%Y-%m-%d")
    units = [10, 10, 10, 10, 30, 10]
    pd.DataFrame({
        "date": weeks, "sku": "A", "region": "EU", "units": units,
        "net_revenue": [u * (8 if i == 4 else 10) for i, u in enumerate(units)],
        "discount": [60 if i == 4 else 0 for i in range(6)],
    }).to_csv(tmp_path / "s.csv", index=False)
    pd.DataFrame({"sku": "A", "region": "EU", "period": ["2025-01", "2025-02"], "cogs": [5, 5]}).to_csv(
        tmp_path / "c.csv", index=False)
    with ProfitData.load(tmp_path / "s.csv", tmp_path / "c.csv") as data:
        (event,) = promotion_roi(data).events
    # Baseline 10 units at 5.00 margin; promoted week 30 units at 3.00 = 90; incremental 40; discount 60.
    assert event.baseline_units == pytest.approx(10) and event.lift == pytest.approx(2.0)
    assert event.incremental_contribution == pytest.approx(40.0) and event.roi == pytest.approx(40 / 60)
