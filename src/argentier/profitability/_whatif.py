"""What-if: change unit costs or prices for a slice of the business and see the contribution impact.

At fixed volume the result is exact: a changed unit cost is rounded to 1/10,000 (as on a rate card) and each
line's cost to the cent, exactly as the actual costs are; a changed price scales each line's revenue, rounded
to the cent. With elasticities, each line's units move by ``(new price / old price) ** elasticity``: only price
changes (explicit, or the ``pass_through`` share of each line's unit-cost change) move volume. The
elasticity-adjusted figures are estimates in floating point, rounded to the cent.

>>> change = Change.parse("outbound_shipping:+12%,region=EU,from=2025-03")
>>> change.target, change.relative, change.filters, change.start
('outbound_shipping', Decimal('0.12'), {'region': 'EU'}, datetime.date(2025, 3, 1))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import ProfitData, _quote, parse_period
from argentier.profitability._margins import _text
from argentier.profitability._money import from_cents

__all__ = ["Change", "WhatIfResult", "WhatIfRow", "simulate_whatif"]


@dataclass(frozen=True)
class Change:
    """A relative change (``Decimal('0.12')`` = +12 %) of a cost driver or of ``price``, for matching lines."""

    target: str
    relative: Decimal
    filters: dict[str, str] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None

    @classmethod
    def parse(cls, text: str) -> Change:
        """``"driver:+12%[,dimension=value][,from=2025-03][,to=2025-12-31]"``; ``price`` as driver for prices."""
        head, _, rest = text.partition(",")
        target, sep, amount = head.partition(":")
        match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)\s*%\s*", amount)
        if not sep or not target.strip() or not match:
            raise InputError(f"bad change {text!r}: expected driver:+12%[,region=EU][,from=2025-03]")
        filters, start, end = {}, None, None
        for part in filter(None, (p.strip() for p in rest.split(","))):
            name, sep, value = part.partition("=")
            if not sep or not value.strip():
                raise InputError(f"bad change {text!r}: {part!r} is not name=value")
            name, value = name.strip(), value.strip()
            if name == "from":
                start = parse_period(value)[0]
            elif name == "to":
                end = parse_period(value)[1]
            else:
                filters[name] = value
        return cls(target.strip(), Decimal(match[1]) / 100, filters, start, end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "relative": str(self.relative),
            "filters": self.filters,
            "from": None if self.start is None else self.start.isoformat(),
            "to": None if self.end is None else self.end.isoformat(),
        }


@dataclass(frozen=True)
class WhatIfRow:
    """Contribution of one group as it was, at fixed volume (exact) and elasticity-adjusted (estimate)."""

    key: dict[str, str]
    base_contribution: Decimal
    fixed_contribution: Decimal
    adjusted_contribution: Decimal | None
    base_units: float
    adjusted_units: float | None

    @property
    def fixed_impact(self) -> Decimal:
        return self.fixed_contribution - self.base_contribution

    @property
    def adjusted_impact(self) -> Decimal | None:
        return None if self.adjusted_contribution is None else self.adjusted_contribution - self.base_contribution

    def to_dict(self) -> dict[str, Any]:
        adjusted = self.adjusted_contribution
        return {
            "key": self.key,
            "base_contribution": str(self.base_contribution),
            "fixed_volume_contribution": str(self.fixed_contribution),
            "fixed_volume_impact": str(self.fixed_impact),
            "adjusted_contribution": None if adjusted is None else str(adjusted),
            "adjusted_impact": None if adjusted is None else str(self.adjusted_impact),
            "base_units": self.base_units,
            "adjusted_units": self.adjusted_units,
        }


@dataclass(frozen=True)
class WhatIfResult:
    """The scenario's impact per group and in total."""

    by: tuple[str, ...]
    changes: tuple[Change, ...]
    pass_through: float
    rows: tuple[WhatIfRow, ...]
    total: WhatIfRow

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "changes": [c.to_dict() for c in self.changes],
            "pass_through": self.pass_through,
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
        }


def _literal(value: Any) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _condition(data: ProfitData, change: Change) -> str:
    clauses = ["TRUE"]
    for name, value in change.filters.items():
        data.check_dimensions([name])
        clauses.append(f"{_quote(name)} = {_literal(value)}")
    if change.start is not None:
        clauses.append(f"date >= {_literal(change.start)}")
    if change.end is not None:
        clauses.append(f"date <= {_literal(change.end)}")
    return " AND ".join(clauses)


def _scaled(expression: str, factor: Fraction, condition: str) -> str:
    """``round(expression * factor)`` where ``condition`` holds, else ``expression``; integers, halves away from 0."""
    multiplier = f"(CASE WHEN {condition} THEN {factor.numerator} ELSE {factor.denominator} END)"
    product = f"(CAST({expression} AS HUGEINT) * {multiplier})"
    half = factor.denominator // 2
    return f"CAST(({product} + {half} * sign({product})) // {factor.denominator} AS BIGINT)"


def simulate_whatif(
    data: ProfitData,
    changes: Iterable[Change],
    *,
    by: Iterable[str] = ("region",),
    period: tuple[date, date] | None = None,
    elasticities: Mapping[str, float] | float | None = None,
    default_elasticity: float | None = None,
    pass_through: float = 0.0,
) -> WhatIfResult:
    """Contribution per group before and after ``changes``, at fixed volume and (with elasticities) adjusted."""
    changes = tuple(changes)
    by = data.check_dimensions(by)
    if not changes:
        raise InputError("no change given")
    if not 0.0 <= pass_through <= 1.0:
        raise InputError(f"pass_through must be between 0 and 1, got {pass_through}")
    for change in changes:
        if change.target != "price":
            data.check_drivers([change.target])
        if change.relative <= -1:
            raise InputError(f"a change of {change.relative:%} would make {change.target} negative")
    unit = {d: _quote(f"unit_{d}_e4") for d in data.drivers}
    revenue = "revenue_c"
    for change in changes:
        factor, condition = Fraction(1 + change.relative), _condition(data, change)
        if change.target == "price":
            revenue = _scaled(revenue, factor, condition)
        else:
            unit[change.target] = _scaled(unit[change.target], factor, condition)
    new_costs = [
        f"CAST((units_m * {unit[d]} + 50000 * sign(units_m * {unit[d]})) // 100000 AS BIGINT)" for d in data.drivers
    ]
    base_cost = " + ".join(_quote(f"cost_{d}_c") for d in data.drivers)
    scenario = (
        f"SELECT *, {revenue} AS rev_fv, {' + '.join(new_costs)} AS cost_fv, {base_cost} AS cost_base FROM lines_units"
    )
    where, where_params = data.where(period)
    pass_through_c = f"CAST(round({float(pass_through)!r} * (cost_fv - cost_base)) AS BIGINT)"
    keys = ", ".join(_quote(name) for name in by)
    elastic_sql, elastic_join = "NULL", ""
    if elasticities is not None:
        elastic_join = _register_elasticities(data, elasticities, default_elasticity)
        ratio = "CASE WHEN revenue_c > 0 AND rev_fv + pt > 0 THEN (rev_fv + pt) / revenue_c ELSE 1.0 END"
        elastic_sql = f"pow({ratio}, e.elasticity)"
    query = (
        f"SELECT {keys + ',' if by else ''} sum(units_m), sum(revenue_c - cost_base), "
        f"sum(rev_fv + pt - cost_fv), sum((rev_fv + pt - cost_fv) * v), sum(units_m * v) "
        f"FROM (SELECT s.*, {pass_through_c} AS pt FROM ({scenario}) s WHERE {where}) x {elastic_join} "
        f", LATERAL (SELECT {elastic_sql} AS v) "
        f"GROUP BY {'GROUPING SETS ((' + keys + '), ())' if by else '()'} ORDER BY ALL"
    )
    fetched = data.connection.execute(query, where_params).fetchall()
    rows, total = [], None
    n = len(by)
    for record in fetched:
        units_m, base_c, fixed_c, adjusted, adjusted_units_m = record[n:]
        is_total = by and all(value is None for value in record[:n])
        row = WhatIfRow(
            key={} if is_total else {name: _text(value) for name, value in zip(by, record[:n])},
            base_contribution=from_cents(int(base_c)),
            fixed_contribution=from_cents(int(fixed_c)),
            adjusted_contribution=None if adjusted is None else from_cents(round(adjusted)),
            base_units=int(units_m) / 1000,
            adjusted_units=None if adjusted_units_m is None else adjusted_units_m / 1000,
        )
        if is_total or not by:
            total = row
        else:
            rows.append(row)
    if total is None:
        raise InputError("no sales lines in the period")
    rows.sort(key=lambda r: r.fixed_impact)
    return WhatIfResult(by=by, changes=changes, pass_through=pass_through, rows=tuple(rows), total=total)


def _register_elasticities(data: ProfitData, elasticities: Mapping[str, float] | float, default: float | None) -> str:
    """Register the elasticities as table ``whatif_elasticity``; return the join clause that gives ``e.elasticity``."""
    import pandas as pd

    if isinstance(elasticities, (int, float)):
        return f"CROSS JOIN (SELECT {float(elasticities)!r} AS elasticity) e"
    frame = pd.DataFrame({"sku": list(elasticities), "elasticity": [float(v) for v in elasticities.values()]})
    data.connection.register("whatif_elasticity", frame)
    if default is None:
        missing = data.connection.execute(
            "SELECT count(DISTINCT sku), min(sku) FROM lines WHERE sku NOT IN (SELECT sku FROM whatif_elasticity)"
        ).fetchone()
        if missing[0]:
            raise InputError(
                f"{missing[0]} SKU(s) have no elasticity (first {missing[1]!r}); give default_elasticity"
            )
    fallback = "NULL" if default is None else repr(float(default))
    return (
        f"LEFT JOIN whatif_elasticity w ON x.sku = w.sku "
        f"CROSS JOIN LATERAL (SELECT coalesce(w.elasticity, {fallback}) AS elasticity) e"
    )
