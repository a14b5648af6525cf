"""``/forecast``: forecasts, anomalies and backtests of an uploaded dataset, and the store's versions and scenarios.

Forecasts and backtests are background jobs (202, poll ``GET /jobs/{id}``); anomalies answer at once for small
data (or as a job with ``background``). The data is read and checked before a job starts, so bad input is a 422
at once. Results carry the raw rows and a ``series`` list shaped for charts (history, forecast, bands,
anomalies per series, top of the hierarchy first).

Versions and scenarios have no groups of their own in the store: a version saved through the API keeps the
groups of its dataset in its metadata, and only callers sharing one of them see it (and its scenarios);
versions saved by the CLI have none and are visible to every user.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from argentier.api._audit import record_write
from argentier.api._datasets import dataset_store, records, require_columns
from argentier.api._datasets_charts import forecast_series
from argentier.api._deps import Analyst, Services, ServicesDep, Viewer
from argentier.api._schemas import JobOut
from argentier.api.auth import Principal, RoleError
from argentier.api.routers._paging import Limit, Offset, page_of
from argentier.errors import InputError, NotFoundError

router = APIRouter(prefix="/forecast", tags=["forecast"])

SYNC_ANOMALY_ROWS = 5000


class SeriesIn(BaseModel):
    """Which dataset, and how to read it as series (like ``argentier forecast``'s data options)."""

    dataset_id: str = Field(min_length=1, max_length=64)
    freq: str | int | None = Field(None, description="pandas alias (MS, W-SUN, D, h) or 1; inferred if absent.")
    season_length: int | None = Field(None, ge=1, le=10_000)
    levels: list[str] = Field(default_factory=list, description="Hierarchy columns, top first.")
    fill: Literal["interpolate", "zero", "error"] = "interpolate"
    duplicates: Literal["error", "sum", "last"] = "error"


class ForecasterIn(SeriesIn):
    horizon: int = Field(ge=1, le=1000)
    level: list[int] = Field(default_factory=lambda: [80, 95], description="Interval levels in percent.")
    models: list[str] = Field(default_factory=lambda: ["ets", "arima", "theta", "seasonal_naive", "mstl"])
    global_model: bool | None = Field(None, description="Force or forbid the LightGBM global model.")
    cv_windows: int = Field(2, ge=1, le=20)
    reconciliation: str = "min_trace"
    nonnegative: bool = False


class RunIn(ForecasterIn):
    anomalies: bool = Field(True, description="Also mark anomalies in the history (no review findings).")
    anomaly_level: float = Field(99.0, ge=50, lt=100)
    save_version: str | None = Field(None, min_length=1, max_length=200, description="Keep it as a version.")
    version_kind: Literal["forecast", "budget"] = "forecast"
    max_series: int = Field(200, ge=1, le=10_000, description="Series in the chart list (rows have them all).")


class BacktestIn(ForecasterIn):
    windows: int = Field(3, ge=1, le=50)
    step: int | None = Field(None, ge=1)
    compare: list[str] = Field(default_factory=list, description="'base' and/or reconciliation methods.")


class AnomaliesIn(SeriesIn):
    level: float = Field(99.0, ge=50, lt=100, description="Width of the expected band in percent.")
    findings: bool = Field(True, description="Record each anomaly in the review queue.")
    background: bool | None = Field(None, description=f"Run as a job (default: above {SYNC_ANOMALY_ROWS} rows).")
    max_series: int = Field(200, ge=1, le=10_000)


class ScenarioIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=200, description="Version name (its latest number unless `number`).")
    number: int | None = Field(None, ge=1)
    overrides: list[dict[str, Any]] = Field(min_length=1, description="Overrides as in the scenario YAML.")
    replace: bool = False


def _series(services: Services, user: Principal, body: SeriesIn) -> tuple[Any, Any]:
    """The dataset (readable by the caller) loaded and checked as series; errors are 4xx before any job."""
    from argentier.forecast import load_series

    datasets = dataset_store(services)
    info = datasets.get(body.dataset_id, groups=user.groups)
    if "unique_id" not in info.column_names and body.levels:
        require_columns(info, ["ds", "y", *body.levels], "a forecast")
    else:
        require_columns(info, ["unique_id", "ds", "y", *body.levels], "a forecast")
    freq = int(body.freq) if isinstance(body.freq, str) and body.freq.isdigit() else body.freq
    try:
        series = load_series(datasets.frame(info.id), freq=freq, season_length=body.season_length,
                             hierarchy=tuple(body.levels), fill=body.fill, duplicates=body.duplicates)
    except InputError as exc:
        raise InputError(exc.reason, source=info.name) from None
    return info, series


def _require_analyst(user: Principal, what: str) -> None:
    if not user.has_role("analyst"):
        raise RoleError(f"{what} needs the analyst role; {user.username} is {user.role}")


def _forecaster(body: ForecasterIn, settings: Any) -> Any:
    """The Forecaster the body asks for, on the engine of the server's ``[forecast]`` settings."""
    from argentier.forecast import MODEL_NAMES, RECONCILERS, Forecaster

    for name in body.models:
        if name not in MODEL_NAMES:
            raise InputError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}", source="models")
    if body.reconciliation not in RECONCILERS:
        raise InputError(f"unknown reconciliation {body.reconciliation!r}; choose from {', '.join(RECONCILERS)}")
    if not body.level or any(not 1 <= value <= 99 for value in body.level):
        raise InputError("interval levels must be between 1 and 99", source="level")
    return Forecaster(body.horizon, models=tuple(body.models), level=tuple(body.level),
                      season_length=body.season_length,
                      global_model="auto" if body.global_model is None else body.global_model,
                      cv_windows=body.cv_windows, reconciliation=body.reconciliation, nonnegative=body.nonnegative,
                      engine=settings.forecast.engine)


def _connect(services: Services) -> None:
    """Join the configured cluster (once per process) from the job's thread: an unreachable one fails the job."""
    from argentier.forecast import connect_engine

    connect_engine(services.settings.forecast.engine, services.settings.forecast.address)


def _hierarchy_dict(hierarchy: Any) -> dict[str, Any] | None:
    if hierarchy is None:
        return None
    return {"columns": list(hierarchy.columns), "levels": list(hierarchy.levels),
            "tags": {level: list(ids) for level, ids in hierarchy.tags.items()}}


@router.post("/runs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def run_forecast(services: ServicesDep, user: Viewer, body: RunIn) -> dict:
    """Forecast every series (and hierarchy level) of a dataset in the background; the job's result has the
    rows (``unique_id, ds, yhat, yhat_lo_L, yhat_hi_L``), the hierarchy and a ``series`` list for charts.
    Viewers may forecast; keeping the result as a version (``save_version``) needs the analyst role."""
    from argentier.forecast import AnomalyDetector, PlanBook

    if body.save_version:
        _require_analyst(user, "saving a forecast version")
    info, series = _series(services, user, body)
    forecaster = _forecaster(body, services.settings)

    def work(progress) -> dict[str, Any]:
        progress(0, 3 if body.anomalies else 2, "fitting and validating models")
        _connect(services)
        result = forecaster.fit(series).predict()
        scored = None
        if body.anomalies:
            progress(1, 3, "scoring the history for anomalies")
            scored = AnomalyDetector(level=body.anomaly_level).fit(series).predict()
        version = None
        if body.save_version:
            meta = {**result.summary(), "groups": list(info.groups), "dataset_id": info.id}
            version = PlanBook(services.store).save_version(
                result.frame, body.save_version, kind=body.version_kind, created_by=user.username,
                source=info.name, hierarchy=result.hierarchy, meta=meta)
        progress(2, 2, "done")
        return {
            **result.summary(),
            "engine": forecaster.engine,
            "dataset": {"id": info.id, "name": info.name},
            "data": series.report.to_dict(),
            "hierarchy": _hierarchy_dict(result.hierarchy),
            "rows": records(result.frame),
            "series": forecast_series(result.frame, history=result.history, level=result.level,
                                      hierarchy=result.hierarchy, anomalies=None if scored is None else scored.frame,
                                      limit=body.max_series),
            "anomalies": [] if scored is None else [a.to_dict() for a in scored.anomalies],
            "version": version.to_dict() if version else None,
        }

    job = services.jobs.submit("forecast.run", user.username, work)
    if body.save_version:
        record_write(services.store, user.username, "forecast.run", "job", job.id,
                     {"dataset_id": info.id, "horizon": body.horizon, "save_version": body.save_version})
    return job.to_dict()


@router.post("/backtests", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def run_backtest(services: ServicesDep, user: Viewer, body: BacktestIn) -> dict:
    """Rolling-origin backtest in the background: MASE, sMAPE, WAPE, coverage and quantile loss per level."""
    from argentier.forecast import RECONCILERS, backtest

    for name in body.compare:
        if name not in ("base", *RECONCILERS):
            raise InputError(f"unknown method {name!r} to compare", source="compare")
    info, series = _series(services, user, body)
    forecaster = _forecaster(body, services.settings)

    def work(progress) -> dict[str, Any]:
        _connect(services)
        result = backtest(series, forecaster, n_windows=body.windows, step=body.step, compare=body.compare,
                          progress=lambda done, total: progress(done, total, f"window {done} of {total}"))
        return {**result.to_dict(), "metrics": records(result.metrics), "dataset": {"id": info.id, "name": info.name}}

    return services.jobs.submit("forecast.backtest", user.username, work).to_dict()


@router.post("/anomalies", responses={202: {"model": JobOut}})
def find_anomalies(services: ServicesDep, user: Viewer, body: AnomaliesIn) -> Any:
    """Points and periods outside the expected band, with drill-down to the children; each anomaly becomes a
    ``forecast.anomaly`` finding (``findings``, analysts only: viewers pass ``findings: false``). Small data
    answers 200 with the result, large data 202 with a job."""
    from fastapi.responses import JSONResponse

    from argentier.forecast import AnomalyDetector, record_anomaly_findings

    if body.findings:
        _require_analyst(user, "recording anomaly findings (send findings: false to only look)")
    info, series = _series(services, user, body)

    def work(progress) -> dict[str, Any]:
        progress(0, 1, "scoring actuals")
        result = AnomalyDetector(level=body.level).fit(series).predict()
        recorded = record_anomaly_findings(services.review, result.anomalies) if body.findings else []
        if recorded:
            record_write(services.store, user.username, "forecast.anomalies", "dataset", info.id,
                         {"findings": [finding.id for finding in recorded]})
        return {**result.to_dict(), "finding_ids": [finding.id for finding in recorded],
                "dataset": {"id": info.id, "name": info.name}, "data": series.report.to_dict(),
                "hierarchy": _hierarchy_dict(result.hierarchy),
                "series": forecast_series(None, anomalies=result.frame, hierarchy=result.hierarchy,
                                          limit=body.max_series)}

    background = body.background if body.background is not None else info.rows > SYNC_ANOMALY_ROWS
    if not background:
        return work(lambda *args: None)
    job = services.jobs.submit("forecast.anomalies", user.username, work)
    return JSONResponse(JobOut(**job.to_dict()).model_dump(), status_code=status.HTTP_202_ACCEPTED)


def _visible(meta: dict[str, Any], user: Principal, services: Services) -> bool:
    groups = meta.get("groups")
    if not groups:
        return True
    return bool(set(groups) & (set(user.groups) | {services.settings.search.public_group}))


def _book(services: Services) -> Any:
    from argentier.forecast import PlanBook

    return PlanBook(services.store)


@router.get("/versions")
def list_versions(services: ServicesDep, user: Viewer, name: str | None = None, limit: Limit = 50,
                  offset: Offset = 0) -> dict:
    """Kept forecast and budget versions (without their rows), by name and number."""
    versions = [v for v in _book(services).list_versions(name) if _visible(v.meta, user, services)]
    return page_of([v.to_dict() for v in versions], limit, offset)


@router.get("/versions/{name}")
def get_version(services: ServicesDep, user: Viewer, name: str,
                number: Annotated[int | None, Query(ge=1, description="Default: the latest.")] = None,
                max_series: Annotated[int, Query(ge=1, le=10_000)] = 200) -> dict:
    """One version with its rows and a ``series`` list for charts."""
    book = _book(services)
    info = book.get_version(name, number)
    if not _visible(info.meta, user, services):
        raise NotFoundError(f"no forecast version {name!r}")
    frame, hierarchy = book.version_frame(info.id)
    level = sorted({int(c.rsplit("_", 1)[1]) for c in frame.columns if c.startswith("yhat_lo_")})
    return {**info.to_dict(), "hierarchy": _hierarchy_dict(hierarchy), "rows": records(frame),
            "series": forecast_series(frame, level=level, hierarchy=hierarchy, limit=max_series)}


def _scenario_visible(book: Any, scenario: Any, user: Principal, services: Services) -> bool:
    return _visible(book.get_version(scenario.version_id).meta, user, services)


@router.get("/scenarios")
def list_scenarios(services: ServicesDep, user: Viewer, limit: Limit = 50, offset: Offset = 0) -> dict:
    """Scenarios: their base version and overrides."""
    book = _book(services)
    kept = [s.to_dict() for s in book.list_scenarios() if _scenario_visible(book, s, user, services)]
    return page_of(kept, limit, offset)


@router.post("/scenarios", status_code=status.HTTP_201_CREATED)
def create_scenario(services: ServicesDep, user: Analyst, body: ScenarioIn) -> dict:
    """Apply overrides (``price``, ``cost_shock``, ``scale``, ``lost_customer``, ``launch``) to a version."""
    from argentier.forecast import Override

    book = _book(services)
    version = body.version
    if not _visible(book.get_version(version, body.number).meta, user, services):
        raise NotFoundError(f"no forecast version {body.version!r}")
    overrides = [Override.from_dict(item) for item in body.overrides]
    # PlanBook writes the audit event (forecast.scenario.create / replace) in the same transaction.
    return book.create_scenario(body.name, version, overrides, number=body.number, created_by=user.username,
                                replace=body.replace).to_dict()


@router.get("/scenarios/compare")
def compare_scenarios(services: ServicesDep, user: Viewer,
                      names: Annotated[list[str], Query(min_length=1, description="Scenario names.")],
                      series: Annotated[str | None, Query(description="Default: the top series.")] = None) -> dict:
    """Scenarios side by side with their base version for one series, per period and in total."""
    book = _book(services)
    for scenario_name in names:
        if not _scenario_visible(book, book.get_scenario(scenario_name), user, services):
            raise NotFoundError(f"no scenario {scenario_name!r}")
    table = book.compare(names, series=series)
    return {"series": series, "columns": [str(c) for c in table.columns], "rows": records(table)}
