"""Contribution margin by any grouping, and the margin waterfall from revenue through each cost.

Every amount is an exact sum of integer cents computed by DuckDB, returned as ``Decimal``; the contribution of
a row is its revenue minus the sum of its costs, to the cent.

>>> from argentier.profitability import generate_profit_demo
>>> truth = generate_profit_demo("demo-data", n_skus=3, weeks=4, regions=("EU",), seed=2)
>>> with ProfitData.load(truth.sales_path, truth.costs_path) as data:
...     report = contribution_margin(data, by=["region"])
>>> row = report.total
>>> row.revenue - sum(row.costs.values()) == row.contribution
True
>>> [step.label for step in report.waterfall()][:2], report.waterfall()[-1].label
(['net revenue', 'cogs'], 'contribution')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import ProfitData, _quote
from argentier.profitability._money import fetch_exact, from_milli

__all__ = ["MarginReport", "MarginRow", "MarginRows", "WaterfallStep", "contribution_margin"]


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of a waterfall or bridge: a running ``total`` or a signed ``change`` (money, currency units)."""

    label: str
    amount: Decimal
    kind: str  # "total" or "change"

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "amount": str(self.amount), "kind": self.kind}


@dataclass(frozen=True)
class MarginRow:
    """Units, net revenue, each cost and the contribution of one group (all money in currency units)."""

    key: dict[str, str]
    units: Decimal
    revenue: Decimal
    costs: dict[str, Decimal]
    contribution: Decimal
    lines: int
    returned_units: Decimal | None = None

    @property
    def margin_rate(self) -> float | None:
        """Contribution over net revenue, or ``None`` when there is no revenue."""
        return float(self.contribution / self.revenue) if self.revenue else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "units": str(self.units),
            "net_revenue": str(self.revenue),
            "costs": {name: str(value) for name, value in self.costs.items()},
            "contribution": str(self.contribution),
            "margin_rate": None if self.margin_rate is None else round(self.margin_rate, 6),
            "lines": self.lines,
            "returned_units": None if self.returned_units is None else str(self.returned_units),
        }


class MarginRows(Sequence):
    """The groups of a report, kept as DuckDB's exact integer sums and turned into :class:`MarginRow` on access
    (a report by SKU x month can hold 300k groups; building them all up front cost more than the query).
    """

    def __init__(self, records: list[tuple], n_keys: int, by: tuple[str, ...], drivers: tuple[str, ...]) -> None:
        self._records, self._n, self._by, self._drivers = records, n_keys, by, drivers

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return MarginRows(self._records[index], self._n, self._by, self._drivers)
        record = self._records[index]
        return _row(dict(zip(self._by, record[: self._n])), self._drivers, record[self._n + 1 : -1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(self) != len(other):
            return NotImplemented if not isinstance(other, Sequence) else False
        return all(a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"MarginRows({len(self)} groups)"


@dataclass(frozen=True)
class MarginReport:
    """Contribution margin per group (sorted by contribution, highest first) and the total of all groups."""

    by: tuple[str, ...]
    drivers: tuple[str, ...]
    rows: Sequence[MarginRow]
    total: MarginRow
    period: tuple[date, date] | None
    filters: dict[str, Any]
    n_groups: int

    def waterfall(self, row: MarginRow | None = None) -> list[WaterfallStep]:
        """Net revenue, minus each cost driver, down to the contribution (of ``row``, default the total)."""
        row = row or self.total
        steps = [WaterfallStep("net revenue", row.revenue, "total")]
        steps += [WaterfallStep(name, -row.costs[name], "change") for name in self.drivers]
        steps.append(WaterfallStep("contribution", row.contribution, "total"))
        return steps

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "drivers": list(self.drivers),
            "period": None if self.period is None else [self.period[0].isoformat(), self.period[1].isoformat()],
            "filters": self.filters,
            "n_groups": self.n_groups,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
            "waterfall": [step.to_dict() for step in self.waterfall()],
        }


_SORTS = ("contribution", "revenue", "margin_rate", "units", "key")


def contribution_margin(
    data: ProfitData,
    by: Iterable[str] = ("sku",),
    *,
    period: tuple[date, date] | None = None,
    filters: dict[str, Any] | None = None,
    sort: str = "contribution",
    limit: int | None = None,
) -> MarginReport:
    """Contribution margin grouped by any dimensions (``sku, region, channel, category, month, quarter, year``...).

    ``period`` is an inclusive date range, ``filters`` maps a dimension to a value or values to keep. ``limit``
    keeps the first rows after sorting (the total is always over every group).
    """
    by = data.check_dimensions(by)
    if sort not in _SORTS:
        raise InputError(f"unknown sort {sort!r}; choose among {', '.join(_SORTS)}")
    where, params = data.where(period, filters)
    n = len(by)
    returns = "sum(returns_m)" if data.has_returns else "NULL"
    sums = ["count(*) AS _lines", f"{returns} AS _returns", "sum(units_m) AS _units", "sum(revenue_c) AS _revenue"]
    sums += [f"sum({_quote('cost_' + d + '_c')}) AS _c{i}" for i, d in enumerate(data.drivers)]
    sums = [f"CAST({expression} AS {{int}}) AS {alias}" for expression, _, alias in (x.rpartition(" AS ") for x in sums)]
    keys = [data.group_sql(name) for name in by]
    inner = ", ".join(f"{expression} AS _k{i}" for i, (expression, _) in enumerate(keys))
    columns = ["units_m", "revenue_c", *(_quote("cost_" + d + "_c") for d in data.drivers)]
    columns += ["returns_m"] if data.has_returns else []
    key_names = ", ".join(f"_k{i}" for i in range(n))
    grouping = f"GROUPING SETS (({key_names}), ())" if by else "()"
    flag = f"grouping({key_names})" if by else "0"
    outer = ", ".join(text.replace("{}", f"_k{i}") + f" AS _k{i}" for i, (_, text) in enumerate(keys))
    contribution = " - ".join(["_revenue", *(f"_c{i}" for i in range(len(data.drivers)))])
    order = {
        "contribution": f"{contribution} DESC",
        "revenue": "_revenue DESC",
        "units": "_units DESC",
        "margin_rate": f"_revenue <> 0 DESC, ({contribution}) / nullif(_revenue, 0) DESC",
        "key": "",
    }[sort]
    order = ", ".join(filter(None, ["_total DESC", order, key_names]))
    fetched = fetch_exact(
        data.connection,
        f"SELECT {outer + ', ' if by else ''}_total, * EXCLUDE ({key_names + ', ' if by else ''}_total), "
        "count(*) OVER () - 1 AS _groups FROM ("
        f"SELECT {key_names + ', ' if by else ''}{flag} AS _total, {', '.join(sums)} "
        f"FROM (SELECT {inner + ', ' if by else ''}{', '.join(columns)} FROM lines WHERE {where}) GROUP BY {grouping}"
        f") ORDER BY {order}{f' LIMIT {int(limit) + 1}' if limit else ''}",
        params,
    )
    # the first record is the total (over every group, whatever the limit), then the sorted groups
    total = _row({}, data.drivers, fetched[0][n + 1 : -1]) if fetched else None
    n_groups = fetched[0][-1] if fetched and by else 0
    if total is None or total.lines == 0:
        raise InputError("no sales lines match the period and filters")
    return MarginReport(
        by=by,
        drivers=data.drivers,
        rows=MarginRows(fetched[1:], n, by, data.drivers),
        total=total,
        period=period,
        filters=dict(filters or {}),
        n_groups=n_groups,
    )


def _text(value: Any) -> str:
    return value.isoformat()[:7] if isinstance(value, date) else str(value)


def _row(key: dict[str, str], drivers: tuple[str, ...], sums: tuple) -> MarginRow:
    """A row from ``(lines, returns_m, units_m, revenue_c, *costs_c)`` as summed by DuckDB."""
    lines, returns_m, units_m, revenue_c, *costs_c = (0 if value is None else value for value in sums)
    row = object.__new__(MarginRow)  # frozen: fill its fields directly, as the generated __init__ would
    row.__dict__.update(
        key=key,
        units=from_milli(units_m),
        revenue=Decimal(revenue_c).scaleb(-2),
        costs=dict(zip(drivers, [Decimal(c).scaleb(-2) for c in costs_c])),
        contribution=Decimal(revenue_c - sum(costs_c)).scaleb(-2),
        lines=lines,
        returned_units=None if sums[1] is None else from_milli(returns_m),
    )
    return row
