"""A seeded multi-region catalogue with known truth: elasticities, promotion uplift, seasonality, cost shocks.

The generator is the reference every test and benchmark of the module checks against. Demand per SKU, region
and week is ``log E[units] = base + season(category, week) + elasticity * log(price / reference price)
+ uplift * promotion + noise``; units are Poisson draws split between channels. Price moves for three reasons
the analyst can see and control for: promotions (more frequent in each category's high season, so a naive
regression of units on price is biased), occasional repricings (exogenous, what identifies the elasticity) and
the partial pass-through of cost shocks to list prices.

>>> truth = generate_profit_demo("demo-data", n_skus=6, weeks=8, seed=1)
>>> sorted(path.name for path in truth.directory.iterdir())
['costs.parquet', 'products.csv', 'sales.parquet', 'truth.json']
>>> truth.n_sales_lines > 0, len(truth.elasticities)
(True, 6)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np

from argentier.errors import InputError
from argentier.profitability._files import atomic_write_text

__all__ = ["DEMO_COST_DRIVERS", "CostShock", "DemoTruth", "generate_profit_demo"]

DEMO_COST_DRIVERS = (
    "cogs",
    "inbound_freight",
    "fulfilment",
    "outbound_shipping",
    "payment_fees",
    "returns_cost",
    "marketing",
)
# (name, mean elasticity, seasonal amplitude, peak week, return rate)
_CATEGORIES = (
    ("Electronics", -2.2, 0.45, 48, 0.06),
    ("Home", -1.6, 0.15, 16, 0.03),
    ("Garden", -1.4, 0.55, 22, 0.02),
    ("Toys", -2.0, 0.60, 50, 0.04),
    ("Apparel", -1.9, 0.30, 36, 0.12),
    ("Beauty", -1.2, 0.10, 50, 0.02),
    ("Sports", -1.7, 0.35, 26, 0.05),
    ("Grocery", -0.8, 0.05, 1, 0.01),
)
# (name, price multiplier, outbound shipping per unit, online share)
_REGIONS = {"NA": (1.00, 1.80, 0.55), "EU": (1.10, 2.10, 0.45), "UK": (1.05, 1.90, 0.60), "APAC": (0.95, 2.40, 0.50)}
_TIERS = ("good", "better", "best")
_PROMO_UPLIFT = 0.15  # log-uplift of a promotion beyond its price cut (display, feature)


@dataclass(frozen=True)
class CostShock:
    """A known change of one cost driver's unit cost, from a month on, for a region and/or a category."""

    driver: str
    change: float
    start: date
    region: str | None = None
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "start": self.start.isoformat()}


@dataclass(frozen=True)
class DemoTruth:
    """Where the demo files are and the parameters that generated them."""

    directory: Path
    seed: int
    start: date
    weeks: int
    regions: tuple[str, ...]
    elasticities: dict[str, float]
    promo_uplift: float
    cost_shocks: tuple[CostShock, ...]
    n_sales_lines: int

    @property
    def sales_path(self) -> Path:
        return next(self.directory.glob("sales.*"))

    @property
    def costs_path(self) -> Path:
        return next(self.directory.glob("costs.*"))

    @property
    def products_path(self) -> Path:
        return self.directory / "products.csv"

    def to_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "seed": self.seed,
            "start": self.start.isoformat(),
            "weeks": self.weeks,
            "regions": list(self.regions),
            "elasticities": self.elasticities,
            "promo_uplift": self.promo_uplift,
            "cost_shocks": [shock.to_dict() for shock in self.cost_shocks],
            "n_sales_lines": self.n_sales_lines,
        }


def _month_start(day: date, months_after: int) -> date:
    index = day.year * 12 + day.month - 1 + months_after
    return date(index // 12, index % 12 + 1, 1)


def _default_shocks(start: date) -> tuple[CostShock, ...]:
    return (
        CostShock("outbound_shipping", 0.12, _month_start(start, 14), region="EU"),
        CostShock("cogs", 0.08, _month_start(start, 9), category="Electronics"),
        CostShock("cogs", -0.03, _month_start(start, 12), category="Home"),
        CostShock("inbound_freight", 0.25, _month_start(start, 5)),
        CostShock("payment_fees", 0.10, _month_start(start, 18), region="UK"),
    )


def generate_profit_demo(
    directory: str | Path,
    *,
    n_skus: int = 2000,
    weeks: int = 104,
    regions: tuple[str, ...] = ("NA", "EU", "UK", "APAC"),
    start: date = date(2024, 1, 1),
    seed: int = 0,
    file_format: Literal["parquet", "csv"] = "parquet",
) -> DemoTruth:
    """Write ``sales``, ``costs`` (Parquet or CSV), ``products.csv`` and ``truth.json`` into ``directory``.

    SKUs come in good/better/best families of three within a category. Sales lines are weekly per SKU, region and
    channel; costs are per unit by SKU, region and month for the seven standard drivers.
    """
    import pandas as pd

    if n_skus < 1 or weeks < 1:
        raise InputError("n_skus and weeks must be at least 1")
    unknown = [region for region in regions if region not in _REGIONS]
    if unknown or not regions:
        raise InputError(f"regions must be among {sorted(_REGIONS)}, got {list(regions)}")
    if start.weekday() != 0:
        raise InputError(f"start must be a Monday, got {start.isoformat()}")
    rng = np.random.default_rng(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shocks = _default_shocks(start)

    sku_ids = np.array([f"SKU{i:05d}" for i in range(n_skus)])
    family = np.arange(n_skus) // 3
    category_index = rng.integers(0, len(_CATEGORIES), size=family.max() + 1)[family]
    categories = np.array([c[0] for c in _CATEGORIES])[category_index]
    tier = np.arange(n_skus) % 3
    family_price = np.exp(rng.normal(np.log(25.0), 0.7, size=family.max() + 1))
    base_price = np.round(family_price[family] * (1.0 + 0.35 * tier), 2)
    mean_elasticity = np.array([c[1] for c in _CATEGORIES])[category_index]
    elasticity = np.clip(rng.normal(mean_elasticity, 0.35), -4.0, -0.3)

    n_regions, n_weeks = len(regions), weeks
    week_dates = np.array([start + timedelta(weeks=w) for w in range(n_weeks)])
    week_of_year = np.array([d.isocalendar()[1] for d in week_dates])
    month_index = np.array([(d.year - start.year) * 12 + d.month - start.month for d in week_dates])
    amplitude = np.array([c[2] for c in _CATEGORIES])[category_index]
    peak = np.array([c[3] for c in _CATEGORIES])[category_index]
    season = amplitude[:, None] * np.cos(2 * np.pi * (week_of_year[None, :] - peak[:, None]) / 52.0)

    region_mult = np.array([_REGIONS[r][0] for r in regions])
    n_families = family.max() + 1
    # Regional price levels and repricings are decided per family, so good < better < best holds throughout.
    ref_price = base_price[:, None] * region_mult[None, :] * np.exp(rng.normal(0, 0.03, (n_families, n_regions)))[family]
    # Two exogenous repricings per family and region, each of +-3..12 % from a random week on.
    repricing = np.ones((n_skus, n_regions, n_weeks))
    for _ in range(2):
        when = rng.integers(1, max(n_weeks, 2), size=(n_families, n_regions))[family]
        sign = rng.choice([-1, 1], (n_families, n_regions))
        step = np.exp(sign * rng.uniform(0.03, 0.12, (n_families, n_regions)))[family]
        repricing *= np.where(np.arange(n_weeks)[None, None, :] >= when[..., None], step[..., None], 1.0)

    cost_factor = {driver: np.ones((n_skus, n_regions, n_weeks)) for driver in DEMO_COST_DRIVERS}
    for shock in shocks:
        month = (shock.start.year - start.year) * 12 + shock.start.month - start.month
        mask = np.ones((n_skus, n_regions, n_weeks), dtype=bool)
        mask &= (month_index >= month)[None, None, :]
        if shock.region is not None:
            mask &= (np.array(regions) == shock.region)[None, :, None]
        if shock.category is not None:
            mask &= (categories == shock.category)[:, None, None]
        cost_factor[shock.driver] = np.where(mask, cost_factor[shock.driver] * (1 + shock.change), cost_factor[shock.driver])
    # A quarter of a COGS shock's relative change (about half of its money amount) reaches list prices 4 weeks later.
    lagged = np.concatenate([np.ones((n_skus, n_regions, 4)), cost_factor["cogs"]], axis=2)[..., :n_weeks]
    pass_through = 1 + 0.25 * (lagged - 1)
    list_price = np.round(ref_price[..., None] * repricing * pass_through, 2)

    promo_rate = 0.05 * np.exp(1.8 * season / np.maximum(amplitude[:, None], 0.05) * (amplitude[:, None] > 0.2))
    promo = rng.random((n_skus, n_regions, n_weeks)) < promo_rate[:, None, :]
    depth = np.where(promo, rng.choice([0.10, 0.15, 0.20, 0.25, 0.30], (n_skus, n_regions, n_weeks)), 0.0)
    unit_price = np.round(list_price * (1 - depth), 2)

    base_units = np.exp(rng.normal(np.log(30.0), 0.7, (n_skus, n_regions)))
    log_mean = (
        np.log(base_units)[..., None]
        + season[:, None, :]
        + elasticity[:, None, None] * np.log(unit_price / ref_price[..., None])
        + _PROMO_UPLIFT * promo
        + rng.normal(0, 0.08, (n_skus, n_regions, n_weeks))
    )
    online = np.array([_REGIONS[r][2] for r in regions])
    frames = []
    for channel, share in (("online", online), ("retail", 1 - online)):
        units = rng.poisson(np.exp(log_mean) * share[None, :, None])
        return_rate = np.array([c[4] for c in _CATEGORIES])[category_index]
        returns = rng.binomial(units, np.broadcast_to(return_rate[:, None, None], units.shape))
        s, r, w = np.nonzero(units)
        frames.append(
            pd.DataFrame(
                {
                    "date": week_dates[w],
                    "sku": sku_ids[s],
                    "region": np.array(regions)[r],
                    "channel": channel,
                    "category": categories[s],
                    "units": units[s, r, w],
                    "net_revenue_cents": np.round(units[s, r, w] * unit_price[s, r, w] * 100).astype(np.int64),
                    "list_price_cents": np.round(list_price[s, r, w] * 100).astype(np.int64),
                    "returns": returns[s, r, w],
                }
            )
        )
    sales = pd.concat(frames, ignore_index=True).sort_values(["date", "sku", "region", "channel"], kind="stable")
    sales["discount_cents"] = sales["units"] * sales["list_price_cents"] - sales["net_revenue_cents"]

    costs = _demo_costs(rng, sku_ids, categories, base_price, regions, region_mult, start, month_index, cost_factor, category_index)
    products = pd.DataFrame(
        {"sku": sku_ids, "category": categories, "family": [f"F{f:04d}" for f in family], "tier": np.array(_TIERS)[tier]}
    )
    n_lines = _write_files(directory, sales.reset_index(drop=True), costs, products, file_format)
    truth = DemoTruth(
        directory=directory,
        seed=seed,
        start=start,
        weeks=weeks,
        regions=tuple(regions),
        elasticities={sku: round(float(e), 6) for sku, e in zip(sku_ids, elasticity)},
        promo_uplift=_PROMO_UPLIFT,
        cost_shocks=shocks,
        n_sales_lines=n_lines,
    )
    atomic_write_text(directory / "truth.json", json.dumps(truth.to_dict(), indent=1))
    return truth


def _demo_costs(rng, sku_ids, categories, base_price, regions, region_mult, start, month_index, cost_factor, category_index):
    import pandas as pd

    n_skus, n_regions = len(sku_ids), len(regions)
    n_months = int(month_index.max()) + 1
    # The factor of each month is the one of its first week in the generated range.
    first_week = np.array([int(np.argmax(month_index == m)) for m in range(n_months)])
    price = base_price[:, None] * region_mult[None, :]
    ship = np.array([_REGIONS[r][1] for r in regions])
    return_rate = np.array([c[4] for c in _CATEGORIES])[category_index]
    per_unit = {
        "cogs": price * rng.uniform(0.40, 0.60, (n_skus, 1)),
        "inbound_freight": price * rng.uniform(0.02, 0.05, (n_skus, 1)),
        "fulfilment": np.broadcast_to(rng.uniform(0.8, 2.5, (n_skus, 1)), (n_skus, n_regions)),
        "outbound_shipping": np.broadcast_to(ship[None, :] * rng.uniform(0.7, 1.6, (n_skus, 1)), (n_skus, n_regions)),
        "payment_fees": price * 0.025,
        "returns_cost": price * return_rate[:, None] * 0.5,
        "marketing": price * rng.uniform(0.01, 0.05, (n_skus, 1)),
    }
    s, r, m = np.meshgrid(np.arange(n_skus), np.arange(n_regions), np.arange(n_months), indexing="ij")
    s, r, m = s.ravel(), r.ravel(), m.ravel()
    frame = pd.DataFrame(
        {"sku": sku_ids[s], "region": np.array(regions)[r], "period": [_month_start(start, k) for k in m]}
    )
    for driver, values in per_unit.items():
        factor = cost_factor[driver][:, :, first_week]
        frame[driver + "_e4"] = np.round(values[s, r] * factor[s, r, m] * 10_000).astype(np.int64)
    return frame


def _write_files(directory: Path, sales, costs, products, file_format: str) -> int:
    import duckdb

    # Integer minor units become exact DECIMALs in the files: multiplying by a DECIMAL scale factor is exact.
    money = {"net_revenue": 2, "list_price": 2, "discount": 2} | {driver: 4 for driver in DEMO_COST_DRIVERS}
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    try:
        for stale in [*directory.glob("sales.*"), *directory.glob("costs.*")]:
            stale.unlink()
        for name, frame in (("sales", sales), ("costs", costs)):
            connection.register("frame", frame)
            columns = []
            for column in frame.columns:
                base, _, suffix = column.rpartition("_")
                if suffix in ("cents", "e4") and base in money:
                    scale = money[base]
                    factor = f"0.{'0' * (scale - 1)}1"
                    columns.append(f'CAST("{column}" * {factor} AS DECIMAL(18, {scale})) AS "{base}"')
                else:
                    columns.append(f'"{column}"')
            target = directory / f"{name}.{file_format}"
            temporary = target.with_suffix(target.suffix + ".tmp")
            options = "(FORMAT parquet)" if file_format == "parquet" else "(FORMAT csv, HEADER true)"
            connection.execute(f"COPY (SELECT {', '.join(columns)} FROM frame) TO '{temporary}' {options}")
            connection.unregister("frame")
            temporary.replace(target)
    finally:
        connection.close()
    atomic_write_text(directory / "products.csv", products.to_csv(index=False))
    return len(sales)
