"""Variance bridge: effects sum exactly to the change (property), known answers, and the demo's cost shock."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argentier.errors import InputError
from argentier.profitability import (
    ItemTotals,
    ProfitData,
    attribute_drivers,
    bridge_from_totals,
    generate_profit_demo,
    parse_period,
    variance_bridge,
)

DRIVERS = ("cogs", "freight", "fees")
_totals = st.builds(
    ItemTotals,
    st.integers(0, 10**7),
    st.integers(-(10**9), 10**10),
    st.fixed_dictionaries({d: st.integers(-(10**6), 10**9) for d in DRIVERS}),
)
_items = st.dictionaries(st.tuples(st.sampled_from("ABCDEFGH"), st.sampled_from(["EU", "NA"])), _totals, max_size=12)


@settings(max_examples=300, deadline=None)
@given(_items, _items)
def test_effects_sum_exactly_to_the_change_and_stay_within_a_cent_of_exact(base, compare):
    bridge = bridge_from_totals(base, compare, level=("sku", "region"), drivers=DRIVERS)
    assert sum((e.amount for e in bridge.effects), Decimal(0)) == bridge.total_change
    expected = Decimal(sum(t.contribution_c for t in compare.values()) - sum(t.contribution_c for t in base.values()))
    assert bridge.total_change == expected / 100
    exact = {
        "price": sum((i.price for i in bridge.items), Fraction(0)),
        "volume": sum((i.volume for i in bridge.items), Fraction(0)),
        "mix": sum((i.mix for i in bridge.items), Fraction(0)),
    }
    for effect in bridge.effects:
        if effect.kind in exact:
            assert abs(Fraction(effect.amount) - exact[effect.kind]) < Fraction(1, 100)
    for item in bridge.items:  # every item's parts add up to its own change, exactly
        if item.status == "continuing":
            assert item.price + item.volume + item.mix + sum(item.cost.values()) == item.change


def test_textbook_bridge():
    # Two products; A's price rises 10 % with 20 % more units, B's freight rises; no mix shift in B.
    base = {("A",): ItemTotals(100, 10_000, {"cogs": 6_000, "freight": 1_000}),
            ("B",): ItemTotals(100, 5_000, {"cogs": 2_000, "freight": 500})}
    new = {("A",): ItemTotals(120, 13_200, {"cogs": 7_200, "freight": 1_200}),
           ("B",): ItemTotals(100, 5_000, {"cogs": 2_000, "freight": 700})}
    bridge = bridge_from_totals(base, new, level=("sku",), drivers=("cogs", "freight"))
    effects = {e.name: e.amount for e in bridge.effects}
    # price: (1.10 - 1.00) x 120 = 12.00; volume: 20 units x base average margin (55 / 200) = 5.50;
    # mix: 20 x (0.30 - 0.275) = 0.50; freight rate: -(7.00 - 5.00) = -2.00 on B
    assert effects["price"] == Decimal("12.00") and effects["volume"] == Decimal("5.50")
    assert effects["mix"] == Decimal("0.50") and effects["cost rate: freight"] == Decimal("-2.00")
    assert effects["cost rate: cogs"] == 0 and bridge.total_change == Decimal("16.00")


def test_new_and_discontinued_items_are_separate():
    base = {("A",): ItemTotals(10, 1000, {"cogs": 500}), ("OLD",): ItemTotals(5, 700, {"cogs": 200})}
    new = {("A",): ItemTotals(10, 1000, {"cogs": 500}), ("NEW",): ItemTotals(3, 900, {"cogs": 300})}
    effects = {e.name: e.amount for e in bridge_from_totals(base, new, level=("sku",), drivers=("cogs",)).effects}
    assert effects["new items"] == Decimal("6.00") and effects["discontinued items"] == Decimal("-5.00")
    assert effects["price"] == effects["volume"] == effects["mix"] == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp("variance"), n_skus=30, weeks=104, seed=11)
    data = ProfitData.load(truth.sales_path, truth.costs_path)
    yield truth, data
    data.close()


def test_demo_shipping_shock_is_found_where_it_happened(demo):
    truth, data = demo
    shock = next(s for s in truth.cost_shocks if s.driver == "outbound_shipping")  # +12 % in EU from 2025-03
    bridge = variance_bridge(data, base_period=parse_period("2024-12-01:2025-02-28"),
                             compare_period=parse_period("2025-03-01:2025-05-31"))
    assert sum(e.amount for e in bridge.effects) == bridge.total_change
    result = attribute_drivers(bridge, by=["region"], top=5)
    assert result.cells[0].key == {"region": shock.region} and result.cells[0].driver == "outbound_shipping"
    effect = next(e.amount for e in bridge.effects if e.driver == "outbound_shipping")
    shipped = sum(data.connection.execute(
        "SELECT sum(cost_outbound_shipping_c) FROM lines WHERE region = 'EU' AND date BETWEEN '2025-03-01' AND '2025-05-31'"
    ).fetchone()) / Decimal(100)
    # The rate effect is the 12 % surcharge on what EU shipped after the shock (per-line cent rounding aside).
    assert float(effect) == pytest.approx(-float(shipped) * 0.12 / 1.12, rel=0.01)


def test_same_period_twice_is_all_zero_and_bad_calls(demo):
    _, data = demo
    q1 = parse_period("2025-Q1")
    bridge = variance_bridge(data, base_period=q1, compare_period=q1)
    assert all(e.amount == 0 for e in bridge.effects) and bridge.total_change == 0
    with pytest.raises(InputError, match="give two periods"):
        variance_bridge(data)
    with pytest.raises(InputError, match="no sales lines in the base"):
        variance_bridge(data, base_period=parse_period("2019"), compare_period=q1)
    with pytest.raises(InputError, match="cannot roll up"):
        attribute_drivers(bridge, by=["channel"])
