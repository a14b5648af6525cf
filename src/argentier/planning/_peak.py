"""Peak planning: a peak event's demand (a multiple of a baseline week by day and hour) -> weekly staffing plan.

Volumes per hour are staffed with Erlang C/A, grossed up for shrinkage and summed into paid hours per week. A
small integer program then covers each week's hours at least cost with the current headcount, overtime (capped
per person, paid at a premium) and temporary staff, whom it costs a hire to add, who start only after the hiring
lead time and can be released any week; hours nobody can cover are a costed shortfall, shown rather than hidden.
It plans hours, not shifts: ``schedule_shifts`` checks that the hours fit allowed shifts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argentier.errors import InfeasibleError, InputError
from argentier.planning._io import money, numeric_column, read_table, read_yaml, require_columns
from argentier.planning._staffing import StaffingTargets, required_agents

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PeakPlan",
    "PeakWeek",
    "Workforce",
    "peak_volumes",
    "plan_peak",
    "plan_peak_file",
    "read_weekly_shape",
]

_WEEKDAYS = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


@dataclass(frozen=True)
class Workforce:
    """Who is available and what people cost: hours are per person per week, costs per hour."""

    headcount: int
    hours_per_week: float = 37.5
    hourly_cost: float = 20.0
    max_overtime_hours: float = 0.0
    overtime_premium: float = 1.5
    hiring_lead_weeks: int = 4
    cost_per_hire: float = 0.0
    hire_hourly_cost: float = 20.0
    max_hires: int | None = None
    shortfall_cost_per_hour: float = 500.0


@dataclass(frozen=True)
class PeakWeek:
    """One week of a peak plan: hours needed, people (staff and temporary), new hires, overtime and cost."""

    week_start: str
    required_hours: float
    peak_agents: int
    headcount: int
    hires_starting: int
    hire_by: str | None
    overtime_hours: float
    shortfall_hours: float
    cost: float

    def to_dict(self) -> dict:
        data = asdict(self)
        data["cost"] = str(money(self.cost))
        return data


@dataclass(frozen=True)
class PeakPlan:
    """The weekly plan and its cost, split into regular staff, temporary hires, overtime and hiring."""

    weeks: tuple[PeakWeek, ...]
    cost_regular: float
    cost_hires: float
    cost_overtime: float
    cost_hiring: float
    shortfall_hours: float
    status: str

    @property
    def total_cost(self) -> float:
        return self.cost_regular + self.cost_hires + self.cost_overtime + self.cost_hiring

    def to_dict(self) -> dict:
        parts = ("regular", "hires", "overtime", "hiring")
        return {
            "status": self.status,
            "total_cost": str(money(self.total_cost)),
            "costs": {part: str(money(getattr(self, f"cost_{part}"))) for part in parts},
            "shortfall_hours": round(self.shortfall_hours, 2),
            "weeks": [week.to_dict() for week in self.weeks],
        }


def _weekly_hours(hourly: pd.DataFrame, aht_seconds: float, targets: StaffingTargets) -> pd.DataFrame:
    """Paid agent-hours needed per week and the peak agents on the floor, from volumes per hour."""
    cache: dict[float, tuple[int, int]] = {}
    agents, scheduled = [], []
    for volume in hourly["volume"].round(3):
        if volume not in cache:
            result = required_agents(volume, interval_minutes=60, aht_seconds=aht_seconds, targets=targets)
            cache[volume] = (result.agents, result.scheduled_agents)
        agents.append(cache[volume][0])
        scheduled.append(cache[volume][1])
    hourly = hourly.assign(agents=agents, scheduled=scheduled)
    return hourly.groupby("week").agg(required_hours=("scheduled", "sum"), peak_agents=("agents", "max"))


def plan_peak(
    hourly: pd.DataFrame,
    *,
    aht_seconds: float,
    targets: StaffingTargets,
    workforce: Workforce,
    time_limit_seconds: float = 20.0,
) -> PeakPlan:
    """Cover the hours that ``hourly`` volumes (columns ``ds``, ``volume``; one row per hour) need, week by week.

    >>> import pandas as pd
    >>> ds = pd.date_range("2026-11-02", periods=2 * 7 * 24, freq="h")
    >>> hourly = pd.DataFrame({"ds": ds, "volume": [0.0] * (7 * 24) + [60.0] * (7 * 24)})
    >>> plan = plan_peak(hourly, aht_seconds=300, targets=StaffingTargets(0.8, 20),
    ...                  workforce=Workforce(headcount=20, hours_per_week=40, hiring_lead_weeks=1))
    >>> [(w.required_hours, w.headcount, w.hires_starting) for w in plan.weeks]
    [(0.0, 20, 0), (1344.0, 34, 14)]
    """
    from ortools.sat.python import cp_model

    if hourly.empty:
        raise InputError("no hours to plan")
    starts = hourly["ds"].dt.normalize() - hourly["ds"].dt.weekday * timedelta(days=1)
    weekly = _weekly_hours(hourly.assign(week=starts), aht_seconds, targets)
    need = [math.ceil(h) for h in weekly["required_hours"]]
    w = workforce
    model = cp_model.CpModel()
    hire_cap = w.max_hires if w.max_hires is not None else max(need) // max(1, int(w.hours_per_week)) + 1
    temps = [model.new_int_var(0, hire_cap, f"t{k}") for k in range(len(need))]
    hires = [
        model.new_int_var(0, hire_cap if k >= w.hiring_lead_weeks else 0, f"h{k}") for k in range(len(need))
    ]
    model.add(sum(hires) <= hire_cap)
    overtime, short, terms = [], [], []
    for k, hours in enumerate(need):
        # Temporary staff can be released any week; every new one costs a hire and waits for the lead time.
        model.add(hires[k] >= temps[k] - (temps[k - 1] if k else 0))
        people = w.headcount + temps[k]
        ot = model.new_int_var(0, max(0, int(w.max_overtime_hours * (w.headcount + hire_cap))), f"o{k}")
        model.add(ot * 100 <= people * round(w.max_overtime_hours * 100))
        gap = model.new_int_var(0, hours, f"s{k}")
        model.add(people * round(w.hours_per_week * 100) + 100 * ot + 100 * gap >= 100 * hours)
        overtime.append(ot)
        short.append(gap)
        terms.append(hires[k] * round(100 * w.cost_per_hire))
        terms.append(temps[k] * round(100 * w.hire_hourly_cost * w.hours_per_week))
        terms.append(ot * round(100 * w.hourly_cost * w.overtime_premium))
        terms.append(gap * round(100 * w.shortfall_cost_per_hour))
    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError("no peak plan found within the time limit")
    weeks = []
    totals = {"hires": 0.0, "overtime": 0.0, "hiring": 0.0}
    for k, (start, row) in enumerate(weekly.iterrows()):
        hired, on_contract, ot, gap = (int(solver.value(v[k])) for v in (hires, temps, overtime, short))
        headcount = w.headcount + on_contract
        week_cost = (
            w.headcount * w.hours_per_week * w.hourly_cost
            + on_contract * w.hours_per_week * w.hire_hourly_cost
            + ot * w.hourly_cost * w.overtime_premium
            + hired * w.cost_per_hire
        )
        totals["hires"] += on_contract * w.hours_per_week * w.hire_hourly_cost
        totals["overtime"] += ot * w.hourly_cost * w.overtime_premium
        totals["hiring"] += hired * w.cost_per_hire
        hire_by = (start - timedelta(weeks=w.hiring_lead_weeks)).date().isoformat() if hired else None
        weeks.append(
            PeakWeek(
                start.date().isoformat(),
                float(need[k]),
                int(row["peak_agents"]),
                headcount,
                hired,
                hire_by,
                float(ot),
                float(gap),
                week_cost,
            )
        )
    return PeakPlan(
        weeks=tuple(weeks),
        cost_regular=len(weeks) * w.headcount * w.hours_per_week * w.hourly_cost,
        cost_hires=totals["hires"],
        cost_overtime=totals["overtime"],
        cost_hiring=totals["hiring"],
        shortfall_hours=float(sum(week.shortfall_hours for week in weeks)),
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
    )


def peak_volumes(baseline: pd.DataFrame, profile: pd.DataFrame, first_day: date, weeks: int) -> pd.DataFrame:
    """Hourly volumes: baseline (weekday, hour) times the profile's multiplier for that date (and hour)."""
    import pandas as pd

    ds = pd.date_range(pd.Timestamp(first_day), periods=weeks * 7 * 24, freq="h")
    frame = pd.DataFrame({"ds": ds, "weekday": ds.weekday, "hour": ds.hour, "date": ds.normalize()})
    frame = frame.merge(baseline, on=["weekday", "hour"], how="left").fillna({"volume": 0.0})
    daily = (
        profile[profile["hour"].isna()].drop(columns="hour").rename(columns={"multiplier": "day_multiplier"})
    )
    hourly = profile[profile["hour"].notna()].astype({"hour": int})
    frame = frame.merge(daily, on="date", how="left").merge(hourly, on=["date", "hour"], how="left")
    multiplier = frame["multiplier"].fillna(frame["day_multiplier"]).fillna(1.0)
    return pd.DataFrame({"ds": frame["ds"], "volume": frame["volume"] * multiplier})


def read_weekly_shape(path: str | Path) -> pd.DataFrame:
    """A typical week's volumes by weekday (Mon..Sun or 0..6) and hour (0..23): columns weekday, hour, volume."""
    frame = read_table(path)
    require_columns(frame, ["weekday", "hour", "volume"], str(path))
    names = frame["weekday"].astype(str).str.strip().str[:3].str.lower()
    weekday = names.map(_WEEKDAYS).fillna(_to_number(frame["weekday"]))
    if weekday.isna().any() or not weekday.between(0, 6).all():
        row = int((weekday.isna() | ~weekday.between(0, 6)).to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column 'weekday': expected Mon..Sun or 0..6", source=str(path))
    hour = numeric_column(frame, "hour", str(path))
    return frame.assign(
        weekday=weekday.astype(int), hour=hour.astype(int), volume=numeric_column(frame, "volume", str(path))
    )[["weekday", "hour", "volume"]]


def _to_number(values: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(values, errors="coerce")


def _read_profile(path: Path) -> pd.DataFrame:
    import pandas as pd

    frame = read_table(path)
    require_columns(frame, ["date", "multiplier"], str(path))
    dates = pd.to_datetime(frame["date"], errors="coerce")
    if dates.isna().any():
        raise InputError(
            f"row {int(dates.isna().to_numpy().nonzero()[0][0]) + 2}, column 'date': not a date",
            source=str(path),
        )
    hours = _to_number(frame["hour"]) if "hour" in frame.columns else pd.Series(math.nan, index=frame.index)
    return pd.DataFrame(
        {
            "date": dates.dt.normalize(),
            "hour": hours,
            "multiplier": numeric_column(frame, "multiplier", str(path)),
        }
    )


def plan_peak_file(path: str | Path) -> PeakPlan:
    """Plan a peak from a YAML file naming the baseline and profile CSVs (see ``data/peak_plan.yaml``)."""
    path = Path(path)
    data: Mapping[str, Any] = read_yaml(path)
    where = str(path)
    try:
        first = date.fromisoformat(str(data["start"]))
        weeks = int(data.get("weeks", 8))
        staff = data.get("workforce") or {}
        overtime, hiring = staff.get("overtime") or {}, staff.get("hiring") or {}
        workforce = Workforce(
            headcount=int(staff["headcount"]),
            hours_per_week=float(staff.get("hours_per_week", 37.5)),
            hourly_cost=float(staff.get("hourly_cost", 20.0)),
            max_overtime_hours=float(overtime.get("max_hours_per_week", 0.0)),
            overtime_premium=float(overtime.get("premium", 1.5)),
            hiring_lead_weeks=int(hiring.get("lead_time_weeks", 4)),
            cost_per_hire=float(hiring.get("cost_per_hire", 0.0)),
            hire_hourly_cost=float(hiring.get("hourly_cost", staff.get("hourly_cost", 20.0))),
            max_hires=None if hiring.get("max_hires") is None else int(hiring["max_hires"]),
            shortfall_cost_per_hour=float(staff.get("shortfall_cost_per_hour", 500.0)),
        )
        targets = StaffingTargets(
            service_level=float(data.get("service_level", 0.8)),
            answer_seconds=float(data.get("answer_seconds", 20)),
            shrinkage=float(data.get("shrinkage", 0.0)),
            patience_seconds=None
            if data.get("patience_seconds") is None
            else float(data["patience_seconds"]),
        )
        aht = float(data["aht_seconds"])
        baseline_path, profile_path = path.parent / data["baseline"], path.parent / data["peak_profile"]
    except KeyError as exc:
        raise InputError(f"missing key {exc.args[0]!r}", source=where) from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"invalid value: {exc}", source=where) from None
    if weeks < 1:
        raise InputError("weeks must be >= 1", source=where)
    hourly = peak_volumes(read_weekly_shape(baseline_path), _read_profile(profile_path), first, weeks)
    return plan_peak(hourly, aht_seconds=aht, targets=targets, workforce=workforce)
