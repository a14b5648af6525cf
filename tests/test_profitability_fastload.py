"""The fast loader against the reference loader on generated data (CSV and Parquet): the same lines, margins,
bridges and what-ifs to the cent; the cache (hit, invalidation, no half-written entry) and the errors."""

import os
from decimal import Decimal

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.profitability import (
    Change,
    ProfitData,
    contribution_margin,
    generate_profit_demo,
    parse_period,
    simulate_whatif,
    variance_bridge,
)

COLUMNS = "date, sku, region, channel, category, units_m, revenue_c, list_price_c, discount_c, returns_m, month, quarter"


@pytest.fixture(scope="module", params=["csv", "parquet"])
def demo(request, tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp(f"fast-{request.param}"), n_skus=15, weeks=60, seed=7,
                                 file_format=request.param)
    with ProfitData.load(truth.sales_path, truth.costs_path, engine="reference") as reference, \
            ProfitData.load(truth.sales_path, truth.costs_path) as fast:
        assert (reference.engine, fast.engine) == ("reference", "fast")
        yield truth, reference, fast


def _lines(data: ProfitData) -> pd.DataFrame:
    costs = ", ".join(f"cost_{d}_c, unit_{d}_e4" for d in data.drivers)
    frame = data.connection.execute(f"SELECT {COLUMNS}, year, {costs} FROM lines_units").fetchdf()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_the_same_lines_value_for_value(demo):
    _, reference, fast = demo
    expected, found = _lines(reference), _lines(fast)
    assert len(found) == reference.n_lines == fast.n_lines > 1000
    pd.testing.assert_frame_equal(found, expected)
    assert fast.dimensions == reference.dimensions and fast.drivers == reference.drivers
    assert fast.date_range == reference.date_range


@pytest.mark.parametrize("by", [["region"], ["sku", "month"], ["category", "quarter"], ["channel", "year"], []])
def test_the_same_margins(demo, by):
    _, reference, fast = demo
    for sort in ("contribution", "key", "margin_rate"):
        a, b = contribution_margin(reference, by=by, sort=sort), contribution_margin(fast, by=by, sort=sort)
        assert b.total == a.total and b.n_groups == a.n_groups
        assert {tuple(r.key.values()): r for r in b.rows} == {tuple(r.key.values()): r for r in a.rows}
    limited = contribution_margin(fast, by=by, limit=3, period=parse_period("2024-Q2"), filters={"channel": "online"})
    full = contribution_margin(reference, by=by, period=parse_period("2024-Q2"), filters={"channel": "online"})
    assert limited.total == full.total and limited.n_groups == full.n_groups
    assert [r.contribution for r in limited.rows] == sorted((r.contribution for r in full.rows), reverse=True)[:3]


def test_the_same_bridge_and_item_breakdown(demo):
    _, reference, fast = demo
    periods = {"base_period": parse_period("2024-01-01:2024-06-30"), "compare_period": parse_period("2024-07-01:2024-12-31")}
    for level in (("sku", "region"), ("category", "month")):
        a = variance_bridge(reference, level=level, **periods)
        b = variance_bridge(fast, level=level, **periods)
        assert b.effects == a.effects and b.total_change == a.total_change
        assert sum(e.amount for e in b.effects) == b.total_change
        assert sorted(b.items, key=lambda i: i.key) == sorted(a.items, key=lambda i: i.key)
        assert b.to_dict() == a.to_dict()
    # two versions (the compare version is another ProfitData): the same path as the reference
    assert variance_bridge(fast, reference).total_change == Decimal(0)


def test_the_same_whatif(demo):
    _, reference, fast = demo
    changes = [Change.parse("outbound_shipping:+12%,region=EU,from=2024-06"), Change.parse("price:-5%")]
    a = simulate_whatif(reference, changes, by=["region"], elasticities=-1.4)
    b = simulate_whatif(fast, changes, by=["region"], elasticities=-1.4)
    for found, expected in zip([*b.to_dict()["rows"], b.to_dict()["total"]], [*a.to_dict()["rows"], a.to_dict()["total"]]):
        for name, value in expected.items():  # money to the cent; modelled units are floats summed in another order
            assert found[name] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), name


def test_cache_is_reused_and_follows_the_file_bytes(tmp_path):
    truth = generate_profit_demo(tmp_path / "data", n_skus=6, weeks=20, seed=1, file_format="csv")
    cache = tmp_path / "cache"
    with ProfitData.load(truth.sales_path, truth.costs_path, cache_dir=cache) as first:
        assert not first.cache_hit and first.cache_path.parent == cache
        expected = contribution_margin(first, by=["sku", "month"])
    assert [p.name for p in cache.iterdir()] == [first.cache_path.name]  # no temporary file left
    with ProfitData.load(truth.sales_path, truth.costs_path, cache_dir=cache) as second:
        assert second.cache_hit and second.cache_path == first.cache_path
        assert contribution_margin(second, by=["sku", "month"]) == expected
    # the same size and modification time, one digit changed: a new entry with the new figure
    text = truth.sales_path.read_text()
    stat = truth.sales_path.stat()
    head, line, rest = text.partition("\n")[0], *text.partition("\n")[2].split("\n", 1)
    fields = line.split(",")
    index = head.split(",").index("net_revenue")
    old = fields[index]
    fields[index] = old[:-1] + ("1" if old[-1] != "1" else "2")
    truth.sales_path.write_text("\n".join([head, ",".join(fields), rest]))
    os.utime(truth.sales_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert truth.sales_path.stat().st_size == stat.st_size
    with ProfitData.load(truth.sales_path, truth.costs_path, cache_dir=cache) as third:
        assert not third.cache_hit and third.cache_path != first.cache_path
        assert contribution_margin(third, by=[]).total.revenue != expected.total.revenue


def test_errors_are_the_reference_errors_and_nothing_is_cached(tmp_path):
    truth = generate_profit_demo(tmp_path / "data", n_skus=4, weeks=8, seed=2, file_format="csv")
    sales = pd.read_csv(truth.sales_path, dtype=str, keep_default_na=False)
    bad_number = sales.copy()
    bad_number.loc[5, "net_revenue"] = "12.3x"
    no_cost = sales.copy()
    no_cost.loc[7, "sku"] = "UNKNOWN"
    too_precise = sales.copy()
    too_precise.loc[3, "units"] = "1.0005"
    optional = sales.copy()
    optional.loc[9, "discount"] = "0.125"
    for name, frame, says in (("number", bad_number, "row 6, column 'net_revenue': '12.3x'"),
                              ("cost", no_cost, "have no unit costs, first at row 8"),
                              ("precise", too_precise, "'1.0005' is not a number with at most 3 decimals"),
                              ("optional", optional, "row 10, column 'discount': '0.125'")):
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        with pytest.raises(InputError) as expected:
            ProfitData.load(path, truth.costs_path, engine="reference")
        with pytest.raises(InputError) as found:
            ProfitData.load(path, truth.costs_path, cache_dir=tmp_path / "cache")
        assert str(found.value) == str(expected.value) and says in str(found.value)
    costs = pd.read_csv(truth.costs_path, dtype=str, keep_default_na=False)
    duplicated = pd.concat([costs, costs.iloc[[4]]])
    bad_cost = costs.copy()
    bad_cost.loc[2, "cogs"] = "-"
    for name, frame in (("duplicate", duplicated), ("bad-cost", bad_cost)):
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        with pytest.raises(InputError) as expected:
            ProfitData.load(truth.sales_path, path, engine="reference")
        with pytest.raises(InputError) as found:
            ProfitData.load(truth.sales_path, path, cache_dir=tmp_path / "cache")
        assert str(found.value) == str(expected.value) and ("rows" in str(found.value) or "row 3" in str(found.value))
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


@pytest.mark.parametrize("periods", [("2024-01-01:2024-06-30", "2024-07-01:2024-12-31"), ("2024", "2024-Q4"),
                                     ("2024-Q4", "2024-Q2")])
def test_item_totals_of_two_periods_in_one_scan(demo, periods):
    from argentier.profitability._variance import _totals

    _, reference, fast = demo
    spans = [parse_period(p) for p in periods]
    found = _totals(fast, ("sku", "month"), spans, None)
    for span, totals in zip(spans, found):
        costs = ", ".join(f"sum(cost_{d}_c)" for d in fast.drivers)
        rows = reference.connection.execute(
            f"SELECT sku, month, sum(units_m), sum(revenue_c), {costs} FROM lines WHERE date BETWEEN ? AND ? "
            "GROUP BY ALL", list(span)).fetchall()
        assert {(r[0], r[1]): (r[2], r[3], *r[4:]) for r in rows} == {
            key: (t.units_m, t.revenue_c, *t.costs_c.values()) for key, t in totals.items()}
    bridge = variance_bridge(fast, level=("sku", "month"), base_period=spans[0], compare_period=spans[1])
    assert sum(e.amount for e in bridge.effects) == bridge.total_change
