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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import ProfitData, _quote
from argentier.profitability._money import from_cents, from_milli

__all__ = ["MarginReport", "MarginRow", "WaterfallStep", "contribution_margin"]


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


@dataclass(frozen=True)
class MarginReport:
    """Contribution margin per group (sorted by contribution, highest first) and the total of all groups."""

    by: tuple[str, ...]
    drivers: tuple[str, ...]
    rows: tuple[MarginRow, ...]
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
    returns = "sum(returns_m)" if data.has_returns else "NULL"
    sums = ["count(*) AS lines", f"{returns} AS returns_m", "sum(units_m) AS units_m", "sum(revenue_c) AS revenue_c"]
    sums += [f"sum({_quote('cost_' + d + '_c')})" for d in data.drivers]
    keys = ", ".join(_quote(name) for name in by)
    grouping = f"GROUPING SETS (({keys}), ())" if by else "()"
    select_keys = f"{keys}, grouping({keys}) AS _total, " if by else "0 AS _total, "
    fetched = data.connection.execute(
        f"SELECT {select_keys}{', '.join(sums)} FROM lines WHERE {where} GROUP BY {grouping}", params
    ).fetchall()
    rows, total = [], None
    for record in fetched:
        key_values, (is_total, lines, returns_m, units_m, revenue_c, *costs_c) = record[: len(by)], record[len(by) :]
        row = _row(
            {} if (is_total and by) else {name: _text(value) for name, value in zip(by, key_values)},
            data.drivers,
            lines,
            units_m,
            revenue_c,
            costs_c,
            returns_m,
        )
        if by and is_total:
            total = row
        elif by:
            rows.append(row)
        else:
            total = row
    if total is None or total.lines == 0:
        raise InputError("no sales lines match the period and filters")
    rows.sort(key=_sort_key(sort), reverse=sort != "key")
    return MarginReport(
        by=by,
        drivers=data.drivers,
        rows=tuple(rows[:limit] if limit else rows),
        total=total,
        period=period,
        filters=dict(filters or {}),
        n_groups=len(rows),
    )


def _text(value: Any) -> str:
    return value.isoformat()[:7] if isinstance(value, date) else str(value)


def _row(key: dict[str, str], drivers, lines, units_m, revenue_c, costs_c, returns_m=None) -> MarginRow:
    costs_c = [int(c or 0) for c in costs_c]
    revenue_c = int(revenue_c or 0)
    return MarginRow(
        key=key,
        units=from_milli(units_m or 0),
        revenue=from_cents(revenue_c),
        costs={name: from_cents(c) for name, c in zip(drivers, costs_c)},
        contribution=from_cents(revenue_c - sum(costs_c)),
        lines=int(lines),
        returned_units=None if returns_m is None else from_milli(returns_m),
    )


def _sort_key(sort: str):
    if sort == "key":
        return lambda row: tuple(row.key.values())
    if sort == "margin_rate":
        return lambda row: (row.margin_rate is not None, row.margin_rate or 0.0)
    return lambda row: getattr(row, sort)
