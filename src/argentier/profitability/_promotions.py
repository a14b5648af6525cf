"""Promotion ROI from history, and the pricing inputs (price, unit cost, units, elasticity) taken from the data.

A promotion event is a run of consecutive dates on which a SKU in a region sold with a discount. Its baseline
is the ``baseline_periods`` non-promoted dates just before it, seasonally adjusted: each date's units are divided
by the seasonal index of the SKU's category in that region (non-promoted units relative to each SKU's mean),
averaged, then multiplied back by the index of the promoted dates. Then:

- incremental units = promoted units - baseline units;
- incremental contribution = promoted contribution - baseline units x baseline unit margin;
- investment = the discount given; ROI = incremental contribution / investment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from argentier.errors import InputError
from argentier.profitability._data import ProfitData
from argentier.profitability._pricing import PricingItem

__all__ = ["PromotionEvent", "PromotionReport", "pricing_items", "promotion_roi"]

_TIERS = {"good": 0, "better": 1, "best": 2}


@dataclass(frozen=True)
class PromotionEvent:
    """One promotion with its seasonally adjusted baseline and its return (money in currency units)."""

    sku: str
    region: str
    category: str
    start: date
    end: date
    periods: int
    units: float
    baseline_units: float
    incremental_contribution: float
    investment: float

    @property
    def lift(self) -> float | None:
        return self.units / self.baseline_units - 1 if self.baseline_units > 0 else None

    @property
    def roi(self) -> float | None:
        return self.incremental_contribution / self.investment if self.investment > 0 else None

    def to_dict(self) -> dict[str, Any]:
        def r(value):
            return None if value is None else round(value, 4)

        return {
            "sku": self.sku,
            "region": self.region,
            "category": self.category,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "periods": self.periods,
            "units": r(self.units),
            "baseline_units": r(self.baseline_units),
            "lift": r(self.lift),
            "incremental_contribution": r(self.incremental_contribution),
            "investment": r(self.investment),
            "roi": r(self.roi),
        }


@dataclass(frozen=True)
class PromotionReport:
    """Every evaluated promotion, a summary per category, and events skipped for lack of a baseline."""

    events: tuple[PromotionEvent, ...]
    by_category: dict[str, dict[str, float]]
    skipped: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_events": len(self.events),
            "skipped_without_baseline": self.skipped,
            "by_category": self.by_category,
            "events": [event.to_dict() for event in self.events],
        }


def _daily(data: ProfitData, period):
    if not data.has_discount:
        raise InputError("promotion ROI needs a discount column in the sales file")
    where, params = data.where(period)
    category = "category" if "category" in data.dimensions else "sku"
    costs = " + ".join(f'"cost_{d}_c"' for d in data.drivers)
    return data.connection.execute(
        f"SELECT sku, region, any_value({category}) AS category, date, sum(units_m) / 1000.0 AS units, "
        f"sum(revenue_c - ({costs})) / 100.0 AS contribution, sum(discount_c) / 100.0 AS discount, "
        f"bool_or(discount_c > 0) AS promo FROM lines WHERE {where} GROUP BY sku, region, date "
        "ORDER BY sku, region, date",
        params,
    ).df()


def promotion_roi(
    data: ProfitData, *, baseline_periods: int = 4, period: tuple[date, date] | None = None
) -> PromotionReport:
    """Evaluate every promotion in the data against its seasonally adjusted baseline."""
    if baseline_periods < 1:
        raise InputError("baseline_periods must be at least 1")
    frame = _daily(data, period)
    quiet = frame[~frame["promo"]]
    level = quiet.groupby(["sku", "region"])["units"].mean().rename("level")
    frame = frame.join(level, on=["sku", "region"])
    relative = (frame["units"] / frame["level"]).where(~frame["promo"])
    index = relative.groupby([frame["category"], frame["region"], frame["date"]]).transform("mean")
    frame["season"] = index.fillna(1.0).clip(lower=0.05)
    events, skipped = [], 0
    sku, region, category = (frame[c].astype(str).to_numpy() for c in ("sku", "region", "category"))
    dates = frame["date"].dt.date.to_numpy() if hasattr(frame["date"], "dt") else frame["date"].to_numpy()
    promo = frame["promo"].to_numpy(dtype=bool)
    units, season = frame["units"].to_numpy(float), frame["season"].to_numpy(float)
    contribution, discount = frame["contribution"].to_numpy(float), frame["discount"].to_numpy(float)
    new_series = np.concatenate([[True], (sku[1:] != sku[:-1]) | (region[1:] != region[:-1])])
    series = np.cumsum(new_series)
    starts = np.flatnonzero(promo & (new_series | ~np.concatenate([[False], promo[:-1]])))
    for first in starts:
        last = first
        while last + 1 < len(promo) and promo[last + 1] and series[last + 1] == series[first]:
            last += 1
        begin = first
        quiet_before: list[int] = []
        while begin > 0 and series[begin - 1] == series[first] and len(quiet_before) < baseline_periods:
            begin -= 1
            if not promo[begin]:
                quiet_before.append(begin)
        if len(quiet_before) < min(2, baseline_periods):
            skipped += 1
            continue
        before = np.array(quiet_before)
        run = slice(first, last + 1)
        baseline_units = float(np.mean(units[before] / season[before])) * float(season[run].sum())
        unit_margin = float(contribution[before].sum() / units[before].sum()) if units[before].sum() else 0.0
        events.append(
            PromotionEvent(
                sku=sku[first],
                region=region[first],
                category=category[first],
                start=dates[first],
                end=dates[last],
                periods=last - first + 1,
                units=float(units[run].sum()),
                baseline_units=baseline_units,
                incremental_contribution=float(contribution[run].sum()) - baseline_units * unit_margin,
                investment=float(discount[run].sum()),
            )
        )
    summary: dict[str, dict[str, float]] = {}
    for event in events:
        entry = summary.setdefault(event.category, {"events": 0, "incremental_contribution": 0.0, "investment": 0.0,
                                                    "units": 0.0, "baseline_units": 0.0})
        entry["events"] += 1
        entry["incremental_contribution"] += event.incremental_contribution
        entry["investment"] += event.investment
        entry["units"] += event.units
        entry["baseline_units"] += event.baseline_units
    for entry in summary.values():
        entry["roi"] = entry["incremental_contribution"] / entry["investment"] if entry["investment"] else None
        entry["lift"] = entry["units"] / entry["baseline_units"] - 1 if entry["baseline_units"] else None
    return PromotionReport(tuple(events), dict(sorted(summary.items())), skipped)


def pricing_items(
    data: ProfitData,
    elasticities: Mapping[str, float],
    *,
    period: tuple[date, date] | None = None,
    products=None,
    default_elasticity: float | None = None,
    by_region: bool = True,
) -> list[PricingItem]:
    """Current price (net revenue / units), variable unit cost and units per item over ``period``.

    ``elasticities`` maps a SKU or a category to its elasticity (the SKU's own wins). ``products`` (a frame with
    ``sku, family, tier``; tier ``good/better/best`` or an integer) adds the good/better/best ordering.
    """
    where, params = data.where(period)
    category = "category" if "category" in data.dimensions else "sku"
    costs = " + ".join(f'"cost_{d}_c"' for d in data.drivers)
    region = "region" if by_region else "'all'"
    rows = data.connection.execute(
        f"SELECT sku, {region} AS region, any_value({category}), sum(units_m), sum(revenue_c), sum({costs}) "
        f"FROM lines WHERE {where} AND units_m > 0 GROUP BY ALL HAVING sum(revenue_c) > 0 ORDER BY 1, 2",
        params,
    ).fetchall()
    family, tier = {}, {}
    if products is not None:
        missing = {"sku", "family", "tier"} - set(products.columns)
        if missing:
            raise InputError(f"the products file lacks column(s) {', '.join(sorted(missing))}")
        for sku, fam, rank in products[["sku", "family", "tier"]].itertuples(index=False):
            rank = _TIERS.get(str(rank).strip().lower(), rank)
            try:
                tier[str(sku)] = int(rank)
            except (TypeError, ValueError):
                raise InputError(f"product {sku!r}: tier {rank!r} is not good/better/best or an integer") from None
            family[str(sku)] = str(fam)
    items = []
    for sku, reg, cat, units_m, revenue_c, cost_c in rows:
        elasticity = elasticities.get(sku, elasticities.get(cat, default_elasticity))
        if elasticity is None:
            raise InputError(f"no elasticity for SKU {sku!r} (category {cat!r}); give a default elasticity")
        units = Decimal(units_m) / 1000
        items.append(
            PricingItem(
                item=f"{sku}@{reg}" if by_region else sku,
                price=(Decimal(revenue_c) / 100 / units).quantize(Decimal("0.01"), ROUND_HALF_UP),
                unit_cost=(Decimal(cost_c) / 100 / units).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                units=float(units),
                elasticity=float(elasticity),
                family=None if sku not in family else f"{family[sku]}@{reg}",
                tier=tier.get(sku),
            )
        )
    if not items:
        raise InputError("no sales lines in the period to price")
    return items
