"""The data contract: exact money, typed columns, and one-line errors naming file, row and column."""

from decimal import Decimal

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.profitability import ProfitData, contribution_margin, parse_period


def _write(tmp_path, sales: dict, costs: dict, fmt: str = "csv"):
    sales_path, costs_path = tmp_path / f"sales.{fmt}", tmp_path / f"costs.{fmt}"
    for frame, path in ((pd.DataFrame(sales), sales_path), (pd.DataFrame(costs), costs_path)):
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
    return sales_path, costs_path


SALES = {
    "date": ["2025-01-06", "2025-01-13", "2025-02-03"],
    "sku": ["A", "A", "B"],
    "region": ["EU", "EU", "NA"],
    "units": ["3", "1", "2"],
    "net_revenue": ["0.10", "0.20", "1000000.07"],
    "channel": ["web", "store", "web"],
}
COSTS = {
    "sku": ["A", "A", "B"],
    "region": ["EU", "EU", "NA"],
    "period": ["2025-01", "2025-02", "2025-02"],
    "cogs": ["0.0333", "0.0400", "12.3456"],
    "freight": ["0", "0", "0.0050"],
}


def test_money_is_exact_where_floats_would_drift(tmp_path):
    with ProfitData.load(*_write(tmp_path, SALES, COSTS)) as data:
        assert data.drivers == ("cogs", "freight")
        assert "channel" in data.dimensions and "month" in data.dimensions
        total = contribution_margin(data, by=[]).total
    assert total.revenue == Decimal("1000000.37")  # 0.1 + 0.2 in floats is 0.30000000000000004
    # 3 x 0.0333 = 0.0999 -> 0.10; 1 x 0.0333 -> 0.03; 2 x 12.3456 = 24.6912 -> 24.69; 2 x 0.005 = 0.01
    assert total.costs == {"cogs": Decimal("24.82"), "freight": Decimal("0.01")}
    assert total.contribution == Decimal("1000000.37") - Decimal("24.83")


def test_parquet_with_float_cents_is_accepted_and_matches_csv(tmp_path):
    sales = dict(SALES, units=[3, 1, 2], net_revenue=[0.10, 0.20, 1000000.07])
    costs = dict(COSTS, cogs=[0.0333, 0.04, 12.3456], freight=[0.0, 0.0, 0.005])
    with ProfitData.load(*_write(tmp_path, sales, costs, "parquet")) as data:
        total = contribution_margin(data, by=[]).total
    assert total.revenue == Decimal("1000000.37") and total.costs["cogs"] == Decimal("24.82")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"net_revenue": ["0.10", "abc", "1.00"]}, "row 2, column 'net_revenue': 'abc' is not a number"),
        ({"net_revenue": ["0.10", "0.123", "1.00"]}, "row 2, column 'net_revenue': '0.123' is not a number with at most 2"),
        ({"units": ["3", "", "2"]}, "row 2, column 'units': empty is not a number"),
        ({"date": ["2025-01-06", "06/01/2025", "2025-02-03"]}, "row 2, column 'date': '06/01/2025' is not a date"),
        ({"sku": ["A", " ", "B"]}, "row 2, column 'sku': empty is not a non-empty code"),
    ],
)
def test_bad_sales_values_name_row_and_column(tmp_path, change, message):
    sales_path, costs_path = _write(tmp_path, SALES | change, COSTS)
    with pytest.raises(InputError) as error:
        ProfitData.load(sales_path, costs_path)
    assert str(error.value).startswith(str(sales_path))
    assert message in str(error.value)


def test_missing_columns_missing_costs_and_duplicates(tmp_path):
    sales_path, costs_path = _write(tmp_path, {k: v for k, v in SALES.items() if k != "units"}, COSTS)
    with pytest.raises(InputError, match="missing column"):
        ProfitData.load(sales_path, costs_path)
    sales_path, costs_path = _write(tmp_path, SALES, {k: v[:2] for k, v in COSTS.items()})
    with pytest.raises(InputError, match=r"1 sales line\(s\) have no unit costs, first at row 3: sku 'B'"):
        ProfitData.load(sales_path, costs_path)
    duplicated = {k: v + [v[0]] for k, v in COSTS.items()}
    sales_path, costs_path = _write(tmp_path, SALES, duplicated)
    with pytest.raises(InputError, match="rows 1 and 4: 2 cost rows for sku 'A'"):
        ProfitData.load(sales_path, costs_path)
    sales_path, costs_path = _write(tmp_path, SALES, COSTS | {"cogs": ["0.1", "x", "1"]})
    with pytest.raises(InputError, match=r"costs.csv: row 2, column 'cogs'"):
        ProfitData.load(sales_path, costs_path)


def test_empty_unknown_and_absent_files(tmp_path):
    sales_path, costs_path = _write(tmp_path, {k: [] for k in SALES}, COSTS)
    with pytest.raises(InputError, match="no sales lines"):
        ProfitData.load(sales_path, costs_path)
    with pytest.raises(InputError, match="no such file"):
        ProfitData.load(tmp_path / "absent.csv", costs_path)
    (tmp_path / "sales.xlsx").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        ProfitData.load(tmp_path / "sales.xlsx", costs_path)


def test_chosen_drivers_and_unknown_driver(tmp_path):
    sales_path, costs_path = _write(tmp_path, SALES, COSTS)
    with ProfitData.load(sales_path, costs_path, drivers=["cogs"]) as data:
        assert data.drivers == ("cogs",)
    with pytest.raises(InputError, match="no cost column 'duty'"):
        ProfitData.load(sales_path, costs_path, drivers=["duty"])


def test_parse_period_forms_and_errors():
    assert parse_period("2024") == (pd.Timestamp("2024-01-01").date(), pd.Timestamp("2024-12-31").date())
    assert parse_period("2025-Q4")[1].isoformat() == "2025-12-31"
    assert parse_period("2025-01-01:2025-01-31")[1].day == 31
    for bad in ("2025-13", "Q1", "2025-02-01:2025-01-01"):
        with pytest.raises(InputError):
            parse_period(bad)


def test_materialised_lines_give_the_same_answers(tmp_path):
    paths = _write(tmp_path, SALES, COSTS, "parquet")
    with (
        ProfitData.load(*paths, engine="reference") as scanned,
        ProfitData.load(*paths, engine="reference", materialise=True) as kept,
        ProfitData.load(*paths) as fast,
    ):
        assert contribution_margin(kept, by=["sku", "month"]) == contribution_margin(scanned, by=["sku", "month"])
        assert contribution_margin(fast, by=["sku", "month"]) == contribution_margin(scanned, by=["sku", "month"])
        assert (fast.engine, scanned.engine) == ("fast", "reference")
        assert kept.connection.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'lines'"
                                       ).fetchone() == ("BASE TABLE",)
