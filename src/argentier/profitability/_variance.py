"""Variance bridge between two periods or versions: price, volume, mix and one cost-rate effect per driver.

Convention (items are the groups of ``level``, SKU x region by default; base A, comparison B; per item: units
``q``, unit price ``p = revenue / q``, unit cost ``c_d = cost_d / q``, unit margin ``m = p - sum c_d``):

- price effect            ``sum_i (p_iB - p_iA) * q_iB``         (at comparison volume)
- cost-rate effect of d   ``-sum_i (c_idB - c_idA) * q_iB``      (at comparison volume)
- volume effect           ``(Q_B - Q_A) * M_A / Q_A``            (at base average unit margin)
- mix effect              ``sum_i (q_iB - q_iA) * (m_iA - M_A / Q_A)``
- new items               contribution of items with units only in B
- discontinued items      minus the contribution of items with units only in A

over continuing items (units in both) for the first four. These add up algebraically to the change in
contribution. Each effect is computed exactly (rational arithmetic on integer cents) and then rounded to the
cent by largest remainder, so the rounded effects sum **exactly** to the change in contribution.

>>> from decimal import Decimal
>>> base = {("A",): ItemTotals(10, 1000, {"cogs": 600}), ("B",): ItemTotals(10, 500, {"cogs": 200})}
>>> new = {("A",): ItemTotals(12, 1320, {"cogs": 720}), ("B",): ItemTotals(10, 500, {"cogs": 250})}
>>> bridge = bridge_from_totals(base, new, level=("sku",), drivers=("cogs",))
>>> [(e.name, e.amount) for e in bridge.effects if e.amount]
[('price', Decimal('1.20')), ('volume', Decimal('0.70')), ('mix', Decimal('0.10')), ('cost rate: cogs', Decimal('-0.50'))]
>>> bridge.total_change, sum(e.amount for e in bridge.effects)
(Decimal('1.50'), Decimal('1.50'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import gcd
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import ProfitData, _quote
from argentier.profitability._margins import WaterfallStep
from argentier.profitability._money import fetch_exact, from_cents, round_preserving_total

__all__ = ["BridgeEffect", "ItemTotals", "ItemVariance", "VarianceBridge", "bridge_from_totals", "item_totals", "variance_bridge"]


@dataclass(frozen=True)
class ItemTotals:
    """One item's totals in integer minor units: units in thousandths, money in cents."""

    units_m: int
    revenue_c: int
    costs_c: dict[str, int]

    @property
    def contribution_c(self) -> int:
        return self.revenue_c - sum(self.costs_c.values())


@dataclass(frozen=True)
class BridgeEffect:
    """One effect of the bridge (money, currency units)."""

    name: str
    kind: str  # price | volume | mix | cost | new | discontinued
    amount: Decimal
    driver: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "driver": self.driver, "amount": str(self.amount)}


@dataclass(frozen=True)
class ItemVariance:
    """An item's exact share of each effect (Fractions of a currency unit) and its change in contribution."""

    key: tuple[str, ...]
    status: str  # continuing | new | discontinued
    price: Fraction
    volume: Fraction
    mix: Fraction
    cost: dict[str, Fraction]
    change: Fraction


@dataclass(frozen=True)
class VarianceBridge:
    """From the base contribution to the comparison contribution, effect by effect.

    ``items`` (each item's exact share of every effect) is worked out from the item totals when first read.
    """

    level: tuple[str, ...]
    drivers: tuple[str, ...]
    base_label: str
    compare_label: str
    base_contribution: Decimal
    compare_contribution: Decimal
    effects: tuple[BridgeEffect, ...]
    totals: tuple[Mapping[tuple[str, ...], ItemTotals], Mapping[tuple[str, ...], ItemTotals]] = field(
        repr=False, compare=False, default=({}, {})
    )

    @property
    def total_change(self) -> Decimal:
        return self.compare_contribution - self.base_contribution

    @cached_property
    def items(self) -> tuple[ItemVariance, ...]:
        return tuple(_item_variances(*self.totals, self.drivers))

    def steps(self) -> list[WaterfallStep]:
        """The bridge as waterfall bars: base total, each effect, comparison total."""
        return [
            WaterfallStep(f"{self.base_label}", self.base_contribution, "total"),
            *(WaterfallStep(effect.name, effect.amount, "change") for effect in self.effects),
            WaterfallStep(f"{self.compare_label}", self.compare_contribution, "total"),
        ]

    def to_dict(self) -> dict[str, Any]:
        base, compare = self.totals
        statuses = [_status(base.get(k), compare.get(k)) for k in set(base) | set(compare)]
        return {
            "level": list(self.level),
            "base": {"label": self.base_label, "contribution": str(self.base_contribution)},
            "compare": {"label": self.compare_label, "contribution": str(self.compare_contribution)},
            "total_change": str(self.total_change),
            "effects": [effect.to_dict() for effect in self.effects],
            "n_items": {s: statuses.count(s) for s in ("continuing", "new", "discontinued")},
            "convention": "price and cost-rate effects at comparison volume; volume at base average unit margin; "
            "mix at base unit margins; new and discontinued items separately; rounded by largest remainder",
        }


def _status(a: ItemTotals | None, b: ItemTotals | None) -> str:
    if a is not None and b is not None and a.units_m > 0 and b.units_m > 0:
        return "continuing"
    return "new" if b is not None and b.units_m > 0 else "discontinued"


def item_totals(
    data: ProfitData,
    level: Iterable[str],
    *,
    period: tuple[date, date] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> dict[tuple[str, ...], ItemTotals]:
    """Units, revenue and each cost per item of ``level``, exactly, from DuckDB."""
    return _totals(data, level, [period], filters)[0]


def _totals(
    data: ProfitData, level: Iterable[str], periods: list[tuple[date, date] | None], filters: Mapping[str, Any] | None
) -> list[dict[tuple[str, ...], ItemTotals]]:
    """Item totals of each period in one scan of the lines (an item is in a period if it has a line there)."""
    level = data.check_dimensions(level)
    where, params = data.where(None, dict(filters or {}))
    conditions = ["TRUE" if p is None else f"date BETWEEN DATE '{p[0].isoformat()}' AND DATE '{p[1].isoformat()}'"
                  for p in periods]
    keys = [data.group_sql(name) for name in level]
    names = ", ".join(f"_k{i}" for i in range(len(level)))
    measures = ["units_m", "revenue_c", *(_quote("cost_" + d + "_c") for d in data.drivers)]
    key_sql = ", ".join(f"{e} AS _k{i}" for i, (e, _) in enumerate(keys))
    outer = ", ".join(text.replace("{}", f"_k{i}") for i, (_, text) in enumerate(keys))
    n, k, width = len(level), len(periods), len(measures)
    result: list[dict[tuple[str, ...], ItemTotals]] = [{} for _ in periods]
    ordered = sorted(periods) if None not in periods else []
    if len(periods) == 1 or (ordered and all(a[1] < b[0] for a, b in zip(ordered, ordered[1:]))):
        # periods apart: one plain group per item and period (cheaper than filtered sums)
        side = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(conditions)) + " END"
        fetched = fetch_exact(
            data.connection,
            f"SELECT {outer}, * EXCLUDE ({names}) FROM (SELECT {names}, _side, "
            f"{', '.join(f'CAST(sum({m}) AS {{int}})' for m in measures)} FROM (SELECT {key_sql}, {side} AS _side, "
            f"{', '.join(measures)} FROM lines WHERE {where} AND ({' OR '.join(conditions)})) GROUP BY ALL)",
            params,
        )
        for row in fetched:
            units, revenue, *costs = row[n + 1 :]
            result[row[n]][tuple(str(v) for v in row[:n])] = ItemTotals(units, revenue, dict(zip(data.drivers, costs)))
        return result
    sums = [f"count(*) FILTER (WHERE {c})" for c in conditions]
    sums += [f"CAST(sum({m}) FILTER (WHERE {c}) AS {{int}})" for c in conditions for m in measures]
    fetched = fetch_exact(
        data.connection,
        f"SELECT {outer}, * EXCLUDE ({names}) FROM (SELECT {names}, {', '.join(sums)} FROM ("
        f"SELECT {key_sql}, date, {', '.join(measures)} "
        f"FROM lines WHERE {where} AND ({' OR '.join(conditions)})) GROUP BY ALL)",
        params,
    )
    for row in fetched:
        key = tuple(str(v) for v in row[:n])
        for index in range(k):
            if row[n + index]:
                units, revenue, *costs = row[n + k + index * width : n + k + (index + 1) * width]
                result[index][key] = ItemTotals(units, revenue, dict(zip(data.drivers, costs)))
    return result


def variance_bridge(
    base: ProfitData,
    compare: ProfitData | None = None,
    *,
    level: Iterable[str] = ("sku", "region"),
    base_period: tuple[date, date] | None = None,
    compare_period: tuple[date, date] | None = None,
    filters: Mapping[str, Any] | None = None,
    base_label: str | None = None,
    compare_label: str | None = None,
) -> VarianceBridge:
    """Bridge the contribution of ``base`` (in ``base_period``) to ``compare`` (default the same data, in
    ``compare_period``): this year vs last, or actual vs plan when the two are different files."""
    compare = compare or base
    if compare is base and base_period is None and compare_period is None:
        raise InputError("comparing the data with itself: give two periods, or a second version of the data")
    if base.drivers != compare.drivers:
        raise InputError(f"the two versions have different cost drivers: {base.drivers} vs {compare.drivers}")
    level = tuple(level)
    if compare is base:
        totals_a, totals_b = _totals(base, level, [base_period, compare_period], filters)
    else:
        totals_a = item_totals(base, level, period=base_period, filters=filters)
        totals_b = item_totals(compare, level, period=compare_period, filters=filters)
    if not totals_a or not totals_b:
        raise InputError(f"no sales lines in the {'base' if not totals_a else 'comparison'} period")

    def label(period, fallback):
        return fallback if period is None else f"{period[0].isoformat()}..{period[1].isoformat()}"

    return bridge_from_totals(
        totals_a,
        totals_b,
        level=level,
        drivers=base.drivers,
        base_label=base_label or label(base_period, "base"),
        compare_label=compare_label or label(compare_period, "compare"),
    )


def bridge_from_totals(
    base: Mapping[tuple[str, ...], ItemTotals],
    compare: Mapping[tuple[str, ...], ItemTotals],
    *,
    level: tuple[str, ...],
    drivers: tuple[str, ...],
    base_label: str = "base",
    compare_label: str = "compare",
) -> VarianceBridge:
    """The bridge from per-item totals (the exact core of :func:`variance_bridge`)."""
    continuing = [k for k in base if k in compare and base[k].units_m > 0 and compare[k].units_m > 0]
    units_a = sum(base[k].units_m for k in continuing)
    margin_a = sum(base[k].contribution_c for k in continuing)
    # Exact totals without a Fraction per item: numerators over a shared denominator are added as integers,
    # grouped by the item's base units (price, cost rate and mix have 100 x q_A in the denominator).
    by_units: dict[int, list[int]] = {}
    volume_numerator, changes = 0, {"new": 0, "discontinued": 0}
    for key in continuing:
        a, b = base[key], compare[key]
        qa, qb = a.units_m, b.units_m
        sums = by_units.get(qa)
        if sums is None:
            sums = by_units[qa] = [0] * (2 + len(drivers))
        sums[0] += b.revenue_c * qa - qb * a.revenue_c  # price, over 100 qa
        delta = qb - qa
        sums[1] += delta * (a.contribution_c * units_a - margin_a * qa)  # mix, over 100 qa units_a
        volume_numerator += delta * margin_a  # over 100 units_a
        for index, d in enumerate(drivers):
            sums[2 + index] -= b.costs_c[d] * qa - qb * a.costs_c[d]  # cost rate, over 100 qa
    for key in set(base) | set(compare):
        a, b = base.get(key), compare.get(key)
        status = _status(a, b)
        if status != "continuing":
            changes[status] += (0 if b is None else b.contribution_c) - (0 if a is None else a.contribution_c)
    sums = _sums_over_units(by_units, 2 + len(drivers))  # each column: sum of v / q_A, exactly
    price, mix = sums[0] / 100, (sums[1] / (100 * units_a) if units_a else Fraction(0))
    exact = [("price", "price", None, price)]
    exact.append(("volume", "volume", None, Fraction(volume_numerator, 100 * units_a) if units_a else Fraction(0)))
    exact.append(("mix", "mix", None, mix))
    for index, d in enumerate(drivers):
        exact.append((f"cost rate: {d}", "cost", d, sums[2 + index] / 100))
    for status, name in (("new", "new items"), ("discontinued", "discontinued items")):
        exact.append((name, status, None, Fraction(changes[status], 100)))
    rounded = round_preserving_total(amount for *_, amount in exact)
    effects = tuple(
        BridgeEffect(name, kind, from_cents(c), driver) for (name, kind, driver, _), c in zip(exact, rounded)
    )
    return VarianceBridge(
        level=level,
        drivers=drivers,
        base_label=base_label,
        compare_label=compare_label,
        base_contribution=from_cents(sum(t.contribution_c for t in base.values())),
        compare_contribution=from_cents(sum(t.contribution_c for t in compare.values())),
        effects=effects,
        totals=(dict(base), dict(compare)),
    )


def _sums_over_units(by_units: Mapping[int, list[int]], width: int) -> list[Fraction]:
    """``sum over q of v[j] / q`` for each column ``j``, exactly: over the least common multiple ``L`` of every
    ``q``, each numerator is an integer ``sum of v[j] * (L / q)`` (one Fraction per column, not per item).

    >>> _sums_over_units({2: [1, 0], 3: [1, 3]}, 2)
    [Fraction(5, 6), Fraction(1, 1)]
    """
    common = 1
    for q in by_units:
        common = common * q // gcd(common, q)
    numerators = [0] * width
    for q, values in by_units.items():
        factor = common // q
        for j, value in enumerate(values):
            if value:
                numerators[j] += value * factor
    return [Fraction(n, common) for n in numerators]


def _item_variances(
    base: Mapping[tuple[str, ...], ItemTotals], compare: Mapping[tuple[str, ...], ItemTotals], drivers: tuple[str, ...]
) -> list[ItemVariance]:
    """Each item's exact share of every effect, by the convention above (sorted by key)."""
    continuing = [k for k in base if k in compare and base[k].units_m > 0 and compare[k].units_m > 0]
    units_a = sum(base[k].units_m for k in continuing)
    margin_a = sum(base[k].contribution_c for k in continuing)
    zero = {d: Fraction(0) for d in drivers}
    items = []
    for key in sorted(set(base) | set(compare)):
        a, b = base.get(key), compare.get(key)
        status = _status(a, b)
        change = Fraction((0 if b is None else b.contribution_c) - (0 if a is None else a.contribution_c), 100)
        if status != "continuing":
            items.append(ItemVariance(key, status, Fraction(0), Fraction(0), Fraction(0), zero, change))
            continue
        qa, qb = a.units_m, b.units_m
        delta = qb - qa
        items.append(
            ItemVariance(
                key,
                "continuing",
                Fraction(b.revenue_c * qa - qb * a.revenue_c, 100 * qa),
                Fraction(delta * margin_a, 100 * units_a),
                Fraction(delta * (a.contribution_c * units_a - margin_a * qa), 100 * qa * units_a),
                {d: Fraction(-(b.costs_c[d] * qa - qb * a.costs_c[d]), 100 * qa) for d in drivers},
                change,
            )
        )
    return items
