"""Cost-driver attribution: which cost components, and which items, explain a change in contribution, ranked.

Built on the exact per-item decomposition of :func:`variance_bridge`: each cost driver's rate effect, each
item's total change (price, cost rates, volume and mix), and each (item, driver) cell, rolled up to any subset
of the bridge's level (e.g. ``region`` out of ``sku, region``) and ranked by absolute amount.

>>> from argentier.profitability._variance import ItemTotals, bridge_from_totals
>>> base = {("A", "EU"): ItemTotals(10, 1000, {"cogs": 600, "ship": 100}),
...         ("B", "NA"): ItemTotals(10, 1000, {"cogs": 600, "ship": 100})}
>>> new = {("A", "EU"): ItemTotals(10, 1000, {"cogs": 600, "ship": 160}),
...        ("B", "NA"): ItemTotals(10, 1000, {"cogs": 610, "ship": 100})}
>>> bridge = bridge_from_totals(base, new, level=("sku", "region"), drivers=("cogs", "ship"))
>>> result = attribute_drivers(bridge, by=("region",))
>>> [(d.driver, d.amount) for d in result.drivers]
[('ship', Decimal('-0.60')), ('cogs', Decimal('-0.10'))]
>>> [(c.key, c.driver, c.amount) for c in result.cells][:1]
[({'region': 'EU'}, 'ship', Decimal('-0.60'))]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from argentier.errors import InputError
from argentier.profitability._money import cents, from_cents
from argentier.profitability._variance import VarianceBridge

__all__ = ["CellEffect", "DriverAttribution", "DriverEffect", "ItemAttribution", "attribute_drivers"]


@dataclass(frozen=True)
class DriverEffect:
    """A cost driver's rate effect on contribution and its share of the total change."""

    driver: str
    amount: Decimal
    share_of_change: float | None

    def to_dict(self) -> dict[str, Any]:
        share = None if self.share_of_change is None else round(self.share_of_change, 6)
        return {"driver": self.driver, "amount": str(self.amount), "share_of_change": share}


@dataclass(frozen=True)
class ItemAttribution:
    """An item's change in contribution, split into price, cost rate, volume+mix and new/discontinued."""

    key: dict[str, str]
    change: Decimal
    price: Decimal
    cost_rate: Decimal
    volume_mix: Decimal
    largest_driver: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "change": str(self.change),
            "price": str(self.price),
            "cost_rate": str(self.cost_rate),
            "volume_mix": str(self.volume_mix),
            "largest_driver": self.largest_driver,
        }


@dataclass(frozen=True)
class CellEffect:
    """One (item, driver) cost-rate effect."""

    key: dict[str, str]
    driver: str
    amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "driver": self.driver, "amount": str(self.amount)}


@dataclass(frozen=True)
class DriverAttribution:
    """Drivers, items and (item, driver) cells ranked by absolute effect (amounts rounded to the cent)."""

    by: tuple[str, ...]
    total_change: Decimal
    drivers: tuple[DriverEffect, ...]
    items: tuple[ItemAttribution, ...]
    cells: tuple[CellEffect, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "total_change": str(self.total_change),
            "drivers": [d.to_dict() for d in self.drivers],
            "items": [i.to_dict() for i in self.items],
            "cells": [c.to_dict() for c in self.cells],
        }


def attribute_drivers(bridge: VarianceBridge, *, by: Iterable[str] | None = None, top: int = 20) -> DriverAttribution:
    """Rank cost drivers, items (rolled up to ``by``, a subset of the bridge level) and (item, driver) cells."""
    by = tuple(by) if by is not None else bridge.level
    unknown = [name for name in by if name not in bridge.level]
    if unknown:
        raise InputError(f"cannot roll up to {unknown}: the bridge level is {list(bridge.level)}")
    positions = [bridge.level.index(name) for name in by]
    rolled: dict[tuple[str, ...], dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for item in bridge.items:
        key = tuple(item.key[i] for i in positions)
        parts = rolled[key]
        parts["change"] += item.change
        parts["price"] += item.price
        parts["volume_mix"] += item.volume + item.mix
        for driver, amount in item.cost.items():
            parts["cost:" + driver] += amount
    total = bridge.total_change
    driver_amounts = {e.driver: e.amount for e in bridge.effects if e.kind == "cost"}
    drivers = sorted(
        (DriverEffect(d, a, float(a / total) if total else None) for d, a in driver_amounts.items()),
        key=lambda effect: -abs(effect.amount),
    )
    items, cells = [], []
    for key, parts in rolled.items():
        named = dict(zip(by, key))
        costs = {d: parts["cost:" + d] for d in bridge.drivers}
        largest = max(costs, key=lambda d: abs(costs[d])) if costs and any(costs.values()) else None
        items.append(
            ItemAttribution(
                key=named,
                change=from_cents(cents(parts["change"])),
                price=from_cents(cents(parts["price"])),
                cost_rate=from_cents(cents(sum(costs.values(), Fraction(0)))),
                volume_mix=from_cents(cents(parts["volume_mix"])),
                largest_driver=largest,
            )
        )
        cells += [(abs(amount), named, d, amount) for d, amount in costs.items() if amount]
    items.sort(key=lambda item: (-abs(item.change), tuple(item.key.values())))
    cells.sort(key=lambda cell: (-cell[0], tuple(cell[1].values()), cell[2]))
    return DriverAttribution(
        by=by,
        total_change=total,
        drivers=tuple(drivers),
        items=tuple(items[:top]),
        cells=tuple(CellEffect(named, d, from_cents(cents(amount))) for _, named, d, amount in cells[:top]),
    )
