"""``/planning``: staffing (Erlang C/A), shift schedules, peak plans, supply-network simulation and capital
allocation, mirroring ``argentier plan``.

Tables come from uploaded datasets; configurations (shift rules, peak plan, supply network, capital rules) are
YAML text in the body, as in the files the CLI reads (``GET /planning/examples`` gives the shipped ones). A
configuration that names CSV files (a peak plan's ``baseline`` and ``peak_profile``) maps each name to a dataset
in ``files``. Solvers and simulations run as jobs (202, poll ``GET /jobs/{id}``); staffing answers at once.
These computations store nothing, so viewers may run them on the datasets their groups can read.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from argentier.api._datasets import DatasetInfo, dataset_store, plain
from argentier.api._deps import Services, ServicesDep, Viewer
from argentier.api._schemas import JobOut
from argentier.api.auth import Principal
from argentier.errors import InputError

router = APIRouter(prefix="/planning", tags=["planning"])

_EXAMPLES = ("shift_patterns.yaml", "peak_plan.yaml", "supply_network.yaml", "capital_rules.yaml")


class TargetsIn(BaseModel):
    service_level: float = Field(0.8, ge=0, lt=1)
    answer_seconds: float = Field(20.0, ge=0)
    asa_seconds: float | None = Field(None, gt=0, description="Maximum average speed of answer.")
    max_occupancy: float | None = Field(None, gt=0, le=1)
    max_abandonment: float | None = Field(None, gt=0, lt=1, description="Abandonment cap (Erlang A).")
    shrinkage: float = Field(0.0, ge=0, lt=1)
    patience_seconds: float | None = Field(None, gt=0, description="Mean caller patience: Erlang A.")


class StaffingIn(TargetsIn):
    volume: float | None = Field(None, ge=0, description="Contacts in one interval (or give dataset_id).")
    dataset_id: str | None = Field(None, description="Volumes per interval, or a forecast (unique_id, ds, yhat).")
    volume_column: str | None = Field(None, description="e.g. yhat_hi_80 (default: volume or yhat).")
    interval_minutes: float | None = Field(None, gt=0)
    aht_seconds: float | None = Field(None, gt=0, description="Average handling time.")


class ScheduleIn(BaseModel):
    needs: list[int] | None = Field(None, description="People needed per day of a repeating cycle.")
    dataset_id: str | None = Field(None, description="Requirements per period (ds, required).")
    work_days: int | None = Field(None, ge=1)
    shifts: str | None = Field(None, description="Shift rules YAML (needed for intraday requirements).")
    column: str | None = None
    max_headcount: int | None = Field(None, ge=0)
    shortfall_cost: float | None = Field(None, ge=0)
    time_limit: float = Field(30.0, ge=0.1, le=600)
    solver: Literal["scip", "cp-sat"] = "scip"


class PeakIn(BaseModel):
    config: str = Field(min_length=1, max_length=200_000, description="Peak plan YAML (see the example).")
    files: dict[str, str] = Field(default_factory=dict, description="CSV name in the YAML -> dataset id.")


class SupplyIn(BaseModel):
    config: str = Field(min_length=1, max_length=500_000, description="Supply network YAML.")
    files: dict[str, str] = Field(default_factory=dict)
    replications: int | None = Field(None, ge=1, le=100_000)
    seed: int | None = None
    plans: list[str] | None = None


class CapitalIn(BaseModel):
    dataset_id: str = Field(description="Projects table (see capital_projects.csv).")
    rules: str | None = Field(None, max_length=200_000, description="Budgets, discount rate, rules (YAML).")
    budgets: dict[int, float] = Field(default_factory=dict, description="Budget per year (overrides rules).")
    objective: Literal["npv", "risk_adjusted"] = "npv"
    risk_aversion: float = Field(1.0, ge=0)
    samples: int = Field(2000, ge=2, le=200_000)
    correlation: float = Field(0.3, ge=0, le=1)
    seed: int = 0
    frontier: int | None = Field(None, ge=2, le=50, description="Also trace a frontier of N points.")
    time_limit: float = Field(60.0, ge=0.1, le=600)


def _dataset(services: Services, user: Principal, dataset_id: str) -> DatasetInfo:
    return dataset_store(services).get(dataset_id, groups=user.groups)


def _renamed(exc: InputError, names: dict[str, str]) -> InputError:
    reason, source = exc.reason, exc.source
    for path, name in names.items():
        reason = reason.replace(path, name)
        source = name if source == path else source
    return InputError(reason, source=source)


@contextmanager
def _workspace(services: Services, user: Principal, files: dict[str, str], config: str | None = None,
               config_name: str = "config.yaml") -> Iterator[tuple[Path, dict[str, str]]]:
    """A private folder with ``config`` and each dataset copied under the name the configuration uses; errors
    name the files as the caller does, never by their place on the server."""
    folder = Path(tempfile.mkdtemp(prefix="argentier-plan-"))
    names = {}
    try:
        for name, dataset_id in files.items():
            if Path(name).name != name or name.startswith(".") or not name.strip():
                raise InputError(f"{name!r} is not a plain file name", source="files")
            info = _dataset(services, user, dataset_id)
            shutil.copyfile(info.path, folder / name)
            names[str(folder / name)] = name
        if config is not None:
            (folder / config_name).write_text(config, encoding="utf-8")
            names[str(folder / config_name)] = config_name
        names[str(folder)] = "."
        try:
            yield folder, names
        except InputError as exc:
            raise _renamed(exc, names) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _targets(body: TargetsIn) -> Any:
    from argentier.planning import StaffingTargets

    return StaffingTargets(body.service_level, body.answer_seconds, body.asa_seconds, body.max_occupancy,
                           body.max_abandonment, body.shrinkage, body.patience_seconds)


@router.post("/staffing")
def staffing(services: ServicesDep, user: Viewer, body: StaffingIn) -> dict:
    """Agents needed on the floor and to schedule (Erlang C, or Erlang A with ``patience_seconds``): for one
    ``volume`` or per interval of a volumes dataset (a forecast file works: pick ``volume_column``)."""
    from argentier.planning import read_volumes, required_agents, staff_intervals

    if (body.volume is None) == (body.dataset_id is None):
        raise InputError("give exactly one of volume or dataset_id")
    targets = _targets(body)
    if body.volume is not None:
        if body.aht_seconds is None:
            raise InputError("aht_seconds is required with volume", source="aht_seconds")
        return plain(required_agents(body.volume, interval_minutes=body.interval_minutes or 30.0,
                                     aht_seconds=body.aht_seconds, targets=targets).to_dict())
    info = _dataset(services, user, body.dataset_id)
    with _workspace(services, user, {info.name: info.id}) as (folder, _names):
        table = read_volumes(folder / info.name, volume_column=body.volume_column)
        plan = staff_intervals(table, aht_seconds=body.aht_seconds, interval_minutes=body.interval_minutes,
                               targets=targets)
    return plain(plan.to_dict())


@router.post("/schedule", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def schedule(services: ServicesDep, user: Viewer, body: ScheduleIn) -> dict:
    """Cheapest set of shifts covering the people needed in every period (OR-Tools SCIP or CP-SAT), as a job:
    a repeating cycle of daily ``needs``, or a requirements dataset with ``shifts`` rules."""
    from argentier.planning import (
        ShiftRules,
        build_patterns,
        consecutive_days_patterns,
        load_shift_rules,
        read_requirements,
        schedule_shifts,
    )

    if (body.needs is None) == (body.dataset_id is None):
        raise InputError("give needs or dataset_id")
    if body.needs is not None:
        if not body.needs or any(need < 0 for need in body.needs):
            raise InputError("needs must be whole numbers of at least 0", source="needs")
        required, labels = body.needs, [f"day {d + 1}" for d in range(len(body.needs))]
        patterns = consecutive_days_patterns(len(required), body.work_days or 5)
    else:
        info = _dataset(services, user, body.dataset_id)
        with _workspace(services, user, {info.name: info.id}, body.shifts, "shifts.yaml") as (folder, _):
            stamps, required, minutes = read_requirements(folder / info.name, column=body.column)
            rules = load_shift_rules(folder / "shifts.yaml") if body.shifts else ShiftRules(())
            if body.work_days is not None:
                rules = ShiftRules(rules.shifts, body.work_days, rules.cost_per_day)
            patterns = build_patterns(stamps, minutes, rules)
        labels = [s.strftime("%a %Y-%m-%d %H:%M" if minutes < 1440 else "%a %Y-%m-%d") for s in stamps]

    def work(progress) -> dict[str, Any]:
        progress(0, None, f"solving with {body.solver}")
        return plain(schedule_shifts(required, patterns, labels=labels, max_headcount=body.max_headcount,
                                     shortfall_cost=body.shortfall_cost, time_limit_seconds=body.time_limit,
                                     solver=body.solver).to_dict())

    return services.jobs.submit("planning.schedule", user.username, work).to_dict()


@router.post("/peak", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def peak(services: ServicesDep, user: Viewer, body: PeakIn) -> dict:
    """Weekly staffing plan and cost for a peak (baseline x peak profile, hiring lead time, overtime), as a job.
    The YAML's ``baseline`` and ``peak_profile`` name CSVs given in ``files``."""
    from argentier.planning import plan_peak_file

    def work(progress) -> dict[str, Any]:
        progress(0, None, "planning the peak")
        with _workspace(services, user, body.files, body.config, "peak_plan.yaml") as (folder, _):
            return plain(plan_peak_file(folder / "peak_plan.yaml").to_dict())

    import yaml

    for dataset_id in body.files.values():
        _dataset(services, user, dataset_id)  # 404 now, not in the job
    try:
        config = yaml.safe_load(body.config)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {str(exc).splitlines()[0]}", source="config") from None
    if not isinstance(config, dict):
        raise InputError("a peak plan is a YAML mapping (see GET /planning/examples)", source="config")
    for key in ("baseline", "peak_profile"):
        if config.get(key) not in body.files:
            raise InputError(f"map the {key} file {config.get(key)!r} to a dataset in files", source="files")
    return services.jobs.submit("planning.peak", user.username, work).to_dict()


@router.post("/supply", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def supply(services: ServicesDep, user: Viewer, body: SupplyIn) -> dict:
    """Simulate a supply network (SimPy) under disruptions and compare contingency plans, as a job with
    progress per replication."""
    from argentier.planning import load_network, run_supply_file

    with _workspace(services, user, body.files, body.config, "network.yaml") as (folder, _):
        total = body.replications or int(load_network(folder / "network.yaml")[2].get("replications", 100))

    def work(progress) -> dict[str, Any]:
        with _workspace(services, user, body.files, body.config, "network.yaml") as (folder, _):
            result = run_supply_file(folder / "network.yaml", replications=body.replications, seed=body.seed,
                                     plans=body.plans,
                                     on_progress=lambda done: progress(done, total, "simulating"))
        return plain(result.to_dict())

    return services.jobs.submit("planning.supply", user.username, work).to_dict()


@router.post("/capital", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def capital(services: ServicesDep, user: Viewer, body: CapitalIn) -> dict:
    """Choose capital projects under budgets and rules with Monte Carlo NPV (and an efficient frontier), as a job."""
    from argentier.planning import (
        allocate_capital,
        efficient_frontier,
        load_capital_rules,
        load_projects,
        simulate_npv,
    )

    info = _dataset(services, user, body.dataset_id)
    with _workspace(services, user, {info.name: info.id}, body.rules, "rules.yaml") as (folder, _):
        candidates = load_projects(folder / info.name)
        rules = load_capital_rules(folder / "rules.yaml" if body.rules else None, budgets=body.budgets)

    def work(progress) -> dict[str, Any]:
        progress(0, 2, f"simulating NPV ({body.samples} draws)")
        simulation = simulate_npv(candidates, discount_rate=rules.discount_rate, base_year=rules.base_year,
                                  samples=body.samples, demand_correlation=body.correlation, seed=body.seed)
        progress(1, 2, "choosing projects")
        plan = allocate_capital(candidates, rules, simulation=simulation, objective=body.objective,
                                risk_aversion=body.risk_aversion, time_limit_seconds=body.time_limit)
        points = None
        if body.frontier:
            points = efficient_frontier(candidates, rules, simulation, points=body.frontier,
                                        time_limit_seconds=body.time_limit)
        projects = [{"id": p.id, "name": p.name, "category": p.category, "selected": p.id in plan.selected,
                     "npv": simulation.project(i).to_dict()} for i, p in enumerate(candidates)]
        return plain({"plan": plan.to_dict(), "projects": projects,
                      "frontier": None if points is None else [point.to_dict() for point in points]})

    return services.jobs.submit("planning.capital", user.username, work).to_dict()


@router.get("/examples")
def examples(user: Viewer) -> dict:
    """The shipped example configurations (YAML text) and the names of the example CSVs they use."""
    from importlib import resources

    data = resources.files("argentier.planning") / "data"
    return {
        "configs": {name: (data / name).read_text(encoding="utf-8") for name in _EXAMPLES},
        "tables": sorted(item.name for item in data.iterdir() if item.name.endswith(".csv")),
    }
