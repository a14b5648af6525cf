"""``/profitability``: margins, variance bridges, cost drivers, what-ifs, elasticity, prices and promotions over
uploaded datasets, mirroring ``argentier profit``.

Every request names a sales dataset (``dataset_id``) and a unit-costs dataset (``costs_dataset_id``), both
readable by the caller (see ``profit --sales/--costs`` for their columns). Money is exact decimal text.
Waterfalls and bridges come with ``bars``: each bar's ``start`` and ``end``, ready for a floating-bar chart.
Elasticity and price optimisation can take a while: they answer 202 with a job (poll ``GET /jobs/{id}``).
These analyses store nothing, so viewers may run them (on the datasets their groups can read); nothing here is
a write, so nothing is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from argentier.api._datasets import DatasetInfo, dataset_store, plain
from argentier.api._datasets_charts import waterfall_bars
from argentier.api._deps import Services, ServicesDep, Viewer
from argentier.api._schemas import JobOut
from argentier.api.auth import Principal
from argentier.errors import InputError

router = APIRouter(prefix="/profitability", tags=["profitability"])


class ProfitIn(BaseModel):
    dataset_id: str = Field(min_length=1, max_length=64, description="Sales lines dataset.")
    costs_dataset_id: str = Field(min_length=1, max_length=64, description="Unit costs dataset.")
    drivers: list[str] | None = Field(None, description="Cost columns to use (default: all).")


class MarginsIn(ProfitIn):
    by: list[str] = Field(default_factory=lambda: ["sku"], description="Dimensions, e.g. category, region, month.")
    period: str | None = Field(None, description="2025, 2025-Q2, 2025-03 or 2025-01-01:2025-06-30.")
    filters: dict[str, list[str]] = Field(default_factory=dict, description="Keep only these dimension values.")
    sort: Literal["contribution", "revenue", "margin_rate", "units", "key"] = "contribution"
    limit: int | None = Field(25, ge=1, description="Rows (null: all); the total is over every group.")


class CompareIn(ProfitIn):
    level: list[str] = Field(default_factory=lambda: ["sku", "region"], description="Items of the mix.")
    base_period: str | None = None
    compare_period: str | None = None
    compare_dataset_id: str | None = Field(None, description="Sales of a second version (e.g. plan).")
    compare_costs_dataset_id: str | None = None


class DriversIn(CompareIn):
    by: list[str] | None = Field(None, description="Roll items up to these dimensions (a subset of level).")
    top: int = Field(15, ge=1, le=1000)


class WhatIfIn(ProfitIn):
    changes: list[str] = Field(min_length=1, description="driver:+12%[,region=EU][,from=2025-03][,to=2025-12]")
    by: list[str] = Field(default_factory=lambda: ["region"])
    period: str | None = None
    elasticity: float | None = Field(None, description="One elasticity for every SKU.")
    elasticities_dataset_id: str | None = Field(None, description="Dataset from an elasticity run (group, elasticity).")
    default_elasticity: float | None = None
    pass_through: float = Field(0.0, ge=0, le=1)


class ElasticityIn(ProfitIn):
    method: Literal["loglog", "dml", "naive"] = "loglog"
    level: Literal["sku", "category"] = "sku"
    period: str | None = None
    min_obs: int = Field(30, ge=3)
    seed: int = 0


class PricesIn(ProfitIn):
    elasticity: float | None = None
    elasticities_dataset_id: str | None = None
    default_elasticity: float | None = None
    products_dataset_id: str | None = Field(None, description="sku, family, tier for good/better/best ordering.")
    period: str | None = None
    max_change: float = Field(0.10, ge=0, le=1)
    margin_floor: float = Field(0.0, ge=-1, le=1)
    tier_gap: float = Field(0.0, ge=0, le=1)
    min_units_ratio: float | None = Field(None, ge=0, le=2)
    solver: Literal["milp", "cp-sat"] = "milp"
    time_limit: float = Field(30.0, ge=0.1, le=600)


class PromotionsIn(ProfitIn):
    baseline_periods: int = Field(4, ge=1, le=52)
    period: str | None = None


def _dataset(services: Services, user: Principal, dataset_id: str) -> DatasetInfo:
    return dataset_store(services).get(dataset_id, groups=user.groups)


def _rename(exc: InputError, infos: list[DatasetInfo]) -> InputError:
    """The error with server paths replaced by the datasets' names (the caller never sees our disk layout)."""
    reason, source = exc.reason, exc.source
    for info in infos:
        reason = reason.replace(str(info.path), info.name)
        if source == str(info.path):
            source = info.name
    return InputError(reason, source=source)


def _cache_dir(services: Services) -> Path:
    """Checked sales lines are cached by the files' hashes, so a second request on a dataset skips the checks."""
    return Path(services.settings.home) / "cache" / "profit"


@contextmanager
def _opened(services: Services, user: Principal, sales_id: str, costs_id: str,
            drivers: list[str] | None) -> Iterator[Any]:
    from argentier.profitability import ProfitData

    infos = [_dataset(services, user, sales_id), _dataset(services, user, costs_id)]
    try:
        data = ProfitData.load(infos[0].path, infos[1].path, drivers=drivers, cache_dir=_cache_dir(services))
    except InputError as exc:
        raise _rename(exc, infos) from None
    try:
        yield data
    except InputError as exc:
        raise _rename(exc, infos) from None
    finally:
        data.close()


def _period(value: str | None) -> Any:
    from argentier.profitability import parse_period

    return None if value is None else parse_period(value)


@router.post("/margins")
def margins(services: ServicesDep, user: Viewer, body: MarginsIn) -> dict:
    """Contribution margin by any grouping, with the margin waterfall of the total."""
    from argentier.profitability import contribution_margin

    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        report = contribution_margin(data, body.by, period=_period(body.period), filters=body.filters,
                                     sort=body.sort, limit=body.limit)
    waterfall = report.waterfall()
    return plain({**report.to_dict(), "waterfall": [step.to_dict() for step in waterfall],
            "bars": waterfall_bars(waterfall)})


def _bridge(services: Services, user: Principal, body: CompareIn, data: Any) -> Any:
    from argentier.profitability import ProfitData, variance_bridge

    base_period, compare_period = _period(body.base_period), _period(body.compare_period)
    if (body.compare_dataset_id is None) != (body.compare_costs_dataset_id is None):
        raise InputError("give both compare_dataset_id and compare_costs_dataset_id, or neither")
    if body.compare_dataset_id is None:
        return variance_bridge(data, level=body.level, base_period=base_period, compare_period=compare_period)
    infos = [_dataset(services, user, body.compare_dataset_id), _dataset(services, user, body.compare_costs_dataset_id)]
    try:
        with ProfitData.load(
            infos[0].path, infos[1].path, drivers=data.drivers, cache_dir=_cache_dir(services)
        ) as other:
            return variance_bridge(data, other, level=body.level, base_period=base_period,
                                   compare_period=compare_period, base_label="base", compare_label="compare")
    except InputError as exc:
        raise _rename(exc, infos) from None


@router.post("/variance")
def variance(services: ServicesDep, user: Viewer, body: CompareIn) -> dict:
    """Bridge contribution between two periods or versions: price, volume, mix and cost-rate effects (they add
    up to the change exactly), with the bridge as waterfall ``bars``."""
    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        bridge = _bridge(services, user, body, data)
    steps = bridge.steps()
    return plain({**bridge.to_dict(), "steps": [step.to_dict() for step in steps], "bars": waterfall_bars(steps)})


@router.post("/drivers")
def drivers(services: ServicesDep, user: Viewer, body: DriversIn) -> dict:
    """Rank the cost drivers, items and (item, driver) cells that explain a change in contribution."""
    from argentier.profitability import attribute_drivers

    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        bridge = _bridge(services, user, body, data)
    result = attribute_drivers(bridge, by=body.by, top=body.top)
    return plain(result.to_dict())


def _elasticities(services: Services, user: Principal, value: float | None, dataset_id: str | None) -> Any:
    from argentier.profitability import read_elasticities

    if value is not None and dataset_id is not None:
        raise InputError("give elasticity or elasticities_dataset_id, not both")
    if dataset_id is None:
        return value
    info = _dataset(services, user, dataset_id)
    try:
        return read_elasticities(info.path)
    except InputError as exc:
        raise _rename(exc, [info]) from None


@router.post("/whatif")
def whatif(services: ServicesDep, user: Viewer, body: WhatIfIn) -> dict:
    """Simulate cost or price changes: impact at fixed volume (exact) and elasticity-adjusted."""
    from argentier.profitability import Change, simulate_whatif

    changes = [Change.parse(text) for text in body.changes]
    given = _elasticities(services, user, body.elasticity, body.elasticities_dataset_id)
    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        result = simulate_whatif(data, changes, by=body.by, period=_period(body.period), elasticities=given,
                                 default_elasticity=body.default_elasticity, pass_through=body.pass_through)
    return plain(result.to_dict())


@router.post("/promotions")
def promotions(services: ServicesDep, user: Viewer, body: PromotionsIn) -> dict:
    """Return on past promotions: lift and incremental contribution over a seasonally adjusted baseline."""
    from argentier.profitability import promotion_roi

    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        report = promotion_roi(data, baseline_periods=body.baseline_periods, period=_period(body.period))
    return plain(report.to_dict())


@router.post("/elasticity", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def elasticity(services: ServicesDep, user: Viewer, body: ElasticityIn) -> dict:
    """Price elasticity per SKU or category with intervals and identification warnings, in the background."""
    from argentier.profitability import ElasticityEstimator, price_panel

    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        panel = price_panel(data, period=_period(body.period))
    estimator = ElasticityEstimator(method=body.method, level=body.level, min_obs=body.min_obs, seed=body.seed)

    def work(progress) -> dict[str, Any]:
        progress(0, None, f"fitting {body.method} elasticities")
        estimates = estimator.fit(panel).estimates_
        return plain({"method": body.method, "level": body.level, "estimates": [e.to_dict() for e in estimates]})

    job = services.jobs.submit("profitability.elasticity", user.username, work)
    return job.to_dict()


@router.post("/prices", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def prices(services: ServicesDep, user: Viewer, body: PricesIn) -> dict:
    """Recommend ladder prices maximising contribution under margin, change and tier rules, in the background
    (elasticities: given, from a dataset, or estimated by category from the data)."""
    from argentier.api._datasets import read_frame
    from argentier.profitability import ElasticityEstimator, price_panel, pricing_items, recommend_prices

    given = _elasticities(services, user, body.elasticity, body.elasticities_dataset_id)
    default = body.default_elasticity
    catalogue = None
    if body.products_dataset_id is not None:
        catalogue = read_frame(_dataset(services, user, body.products_dataset_id).path)
    with _opened(services, user, body.dataset_id, body.costs_dataset_id, body.drivers) as data:
        if given is None:
            given = ElasticityEstimator(level="category").fit(price_panel(data)).elasticities()
        elif isinstance(given, float):
            given, default = {}, given
        items = pricing_items(data, given, period=_period(body.period), products=catalogue,
                              default_elasticity=default)

    def work(progress) -> dict[str, Any]:
        progress(0, None, f"optimising {len(items)} prices")
        result = recommend_prices(items, max_change=body.max_change, margin_floor=body.margin_floor,
                                tier_gap=body.tier_gap, min_units_ratio=body.min_units_ratio, solver=body.solver,
                                time_limit=body.time_limit).to_dict()
        return plain(result)

    job = services.jobs.submit("profitability.prices", user.username, work)
    return job.to_dict()
