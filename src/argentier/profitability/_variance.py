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
from typing import Any

from argentier.errors import InputError
from argentier.profitability._data import ProfitData, _quote
from argentier.profitability._margins import WaterfallStep, _text
from argentier.profitability._money import from_cents, round_preserving_total

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
    """From the base contribution to the comparison contribution, effect by effect."""

    level: tuple[str, ...]
    drivers: tuple[str, ...]
    base_label: str
    compare_label: str
    base_contribution: Decimal
    compare_contribution: Decimal
    effects: tuple[BridgeEffect, ...]
    items: tuple[ItemVariance, ...] = field(repr=False)

    @property
    def total_change(self) -> Decimal:
        return self.compare_contribution - self.base_contribution

    def steps(self) -> list[WaterfallStep]:
        """The bridge as waterfall bars: base total, each effect, comparison total."""
        return [
            WaterfallStep(f"{self.base_label}", self.base_contribution, "total"),
            *(WaterfallStep(effect.name, effect.amount, "change") for effect in self.effects),
            WaterfallStep(f"{self.compare_label}", self.compare_contribution, "total"),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": list(self.level),
            "base": {"label": self.base_label, "contribution": str(self.base_contribution)},
            "compare": {"label": self.compare_label, "contribution": str(self.compare_contribution)},
            "total_change": str(self.total_change),
            "effects": [effect.to_dict() for effect in self.effects],
            "n_items": {s: sum(1 for i in self.items if i.status == s) for s in ("continuing", "new", "discontinued")},
            "convention": "price and cost-rate effects at comparison volume; volume at base average unit margin; "
            "mix at base unit margins; new and discontinued items separately; rounded by largest remainder",
        }


def item_totals(
    data: ProfitData,
    level: Iterable[str],
    *,
    period: tuple[date, date] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> dict[tuple[str, ...], ItemTotals]:
    """Units, revenue and each cost per item of ``level``, exactly, from DuckDB."""
    level = data.check_dimensions(level)
    where, params = data.where(period, dict(filters or {}))
    keys = ", ".join(_quote(name) for name in level)
    costs = ", ".join(f"sum({_quote('cost_' + d + '_c')})" for d in data.drivers)
    fetched = data.connection.execute(
        f"SELECT {keys}, sum(units_m), sum(revenue_c), {costs} FROM lines WHERE {where} GROUP BY ALL", params
    ).fetchall()
    n = len(level)
    return {
        tuple(_text(v) for v in row[:n]): ItemTotals(
            int(row[n]), int(row[n + 1]), {d: int(c) for d, c in zip(data.drivers, row[n + 2 :])}
        )
        for row in fetched
    }


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
    empty = ItemTotals(0, 0, {d: 0 for d in drivers})
    continuing = {k for k in base if k in compare and base[k].units_m > 0 and compare[k].units_m > 0}
    units_a = sum(base[k].units_m for k in continuing)
    margin_a = sum(base[k].contribution_c for k in continuing)
    # Exact totals without summing thousands of Fractions: numerators over a shared denominator are added as
    # integers, grouped by the item's base units (price, cost rate and mix have 100 x q_A in the denominator).
    by_units: dict[int, list[int]] = {}
    volume_numerator, changes = 0, {"new": 0, "discontinued": 0}
    items = []
    zero = {d: Fraction(0) for d in drivers}
    for key in sorted(set(base) | set(compare)):
        a, b = base.get(key, empty), compare.get(key, empty)
        change_c = b.contribution_c - a.contribution_c
        if key not in continuing:
            status = "new" if b.units_m > 0 else "discontinued"
            changes[status] += change_c
            items.append(ItemVariance(key, status, Fraction(0), Fraction(0), Fraction(0), zero, Fraction(change_c, 100)))
            continue
        qa, qb = a.units_m, b.units_m
        price_n = b.revenue_c * qa - qb * a.revenue_c  # over 100 qa
        cost_n = [-(b.costs_c[d] * qa - qb * a.costs_c[d]) for d in drivers]  # over 100 qa
        delta = qb - qa
        mix_n = delta * (a.contribution_c * units_a - margin_a * qa)  # over 100 qa units_a
        volume_n = delta * margin_a  # over 100 units_a
        volume_numerator += volume_n
        sums = by_units.setdefault(qa, [0] * (2 + len(drivers)))
        sums[0] += price_n
        sums[1] += mix_n
        for index, value in enumerate(cost_n):
            sums[2 + index] += value
        items.append(
            ItemVariance(
                key,
                "continuing",
                Fraction(price_n, 100 * qa),
                Fraction(volume_n, 100 * units_a),
                Fraction(mix_n, 100 * qa * units_a),
                {d: Fraction(n, 100 * qa) for d, n in zip(drivers, cost_n)},
                Fraction(change_c, 100),
            )
        )
    price = sum((Fraction(v[0], 100 * qa) for qa, v in by_units.items()), Fraction(0))
    mix = sum((Fraction(v[1], 100 * qa * units_a) for qa, v in by_units.items()), Fraction(0))
    exact = [("price", "price", None, price)]
    exact.append(("volume", "volume", None, Fraction(volume_numerator, 100 * units_a) if units_a else Fraction(0)))
    exact.append(("mix", "mix", None, mix))
    for index, d in enumerate(drivers):
        total = sum((Fraction(v[2 + index], 100 * qa) for qa, v in by_units.items()), Fraction(0))
        exact.append((f"cost rate: {d}", "cost", d, total))
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
        items=tuple(items),
    )
