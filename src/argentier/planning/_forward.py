"""The forward view: forecasts (volumes, revenue) tied to staffing, capacity, capital spend and margin, by month.

Each month's forecast volume is spread over its hours with the shape of a typical week (weekday x hour), every
hour is staffed with Erlang C/A, and the paid hours become full-time equivalents and staff cost. Capital spend
comes from a capital plan (each year's capex spread evenly over its months) or from a monthly table.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError
from argentier.planning._io import money, read_yaml
from argentier.planning._peak import read_weekly_shape
from argentier.planning._staffing import StaffingTargets, read_volumes, required_agents

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ForwardMonth", "ForwardView", "forward_view", "forward_view_file"]


@dataclass(frozen=True)
class ForwardMonth:
    """One month of the forward view: volume, revenue, paid hours, FTE, agents on the floor and money."""

    month: str
    volume: float
    revenue: float
    revenue_margin: float
    paid_hours: float
    fte: int
    peak_agents: int
    capacity_used: float | None
    staff_cost: float
    capex: float
    other_costs: float

    @property
    def operating_margin(self) -> float:
        """Revenue after cost of goods, less staff and other operating costs (capex not included)."""
        return self.revenue_margin - self.staff_cost - self.other_costs

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("revenue", "staff_cost", "capex", "other_costs", "revenue_margin"):
            data[key] = str(money(data[key]))
        data["operating_margin"] = str(money(self.operating_margin))
        data["cash_after_capex"] = str(money(self.operating_margin - self.capex))
        data["paid_hours"] = round(self.paid_hours, 1)
        return data


@dataclass(frozen=True)
class ForwardView:
    """The combined plan by month, with totals."""

    months: tuple[ForwardMonth, ...]

    def to_dict(self) -> dict:
        total = lambda name: sum(getattr(m, name) for m in self.months)
        return {
            "months": [month.to_dict() for month in self.months],
            "totals": {
                "revenue": str(money(total("revenue"))),
                "staff_cost": str(money(total("staff_cost"))),
                "capex": str(money(total("capex"))),
                "operating_margin": str(money(total("operating_margin"))),
                "peak_fte": max((m.fte for m in self.months), default=0),
            },
        }


def _month_hours(month: pd.Timestamp, shape: pd.DataFrame) -> pd.Series:
    """Each hour's share of the month's volume, from the weekly shape."""
    import pandas as pd

    days = calendar.monthrange(month.year, month.month)[1]
    ds = pd.date_range(month, periods=days * 24, freq="h")
    frame = pd.DataFrame({"weekday": ds.weekday, "hour": ds.hour})
    weights = frame.merge(shape, on=["weekday", "hour"], how="left")["volume"].fillna(0.0).to_numpy()
    if weights.sum() <= 0:
        raise InputError("the weekly shape has no volume")
    return pd.Series(weights / weights.sum(), index=ds)


def forward_view(
    volumes: pd.DataFrame,
    *,
    shape: pd.DataFrame,
    aht_seconds: float,
    targets: StaffingTargets,
    hours_per_fte: float,
    cost_per_fte: float,
    revenue: pd.Series | None = None,
    revenue_per_unit: float = 0.0,
    gross_margin: float = 1.0,
    seats: int | None = None,
    capex: Mapping[str, float] | None = None,
    other_costs: float = 0.0,
) -> ForwardView:
    """Monthly plan from monthly ``volumes`` (columns ``ds``, ``volume``); ``revenue`` is a Series by month.

    >>> import pandas as pd
    >>> shape = pd.DataFrame({"weekday": range(7), "hour": 12, "volume": 1.0})   # one busy hour a day
    >>> volumes = pd.DataFrame({"ds": pd.to_datetime(["2027-02-01"]), "volume": [28 * 12.0]})
    >>> view = forward_view(volumes, shape=shape, aht_seconds=300, targets=StaffingTargets(0.8, 20),
    ...                     hours_per_fte=140, cost_per_fte=4000, revenue_per_unit=10.0)
    >>> month = view.months[0]
    >>> month.paid_hours, month.fte, month.revenue, month.operating_margin
    (84.0, 1, 3360.0, -640.0)
    """
    if hours_per_fte <= 0:
        raise InputError("hours_per_fte must be positive")
    months = []
    cache: dict[float, tuple[int, int]] = {}
    for ds, volume in zip(volumes["ds"], volumes["volume"]):
        month = ds.to_period("M").to_timestamp()
        hourly = (_month_hours(month, shape) * volume).round(3)
        scheduled, agents = [], []
        for value in hourly:
            if value not in cache:
                result = required_agents(value, interval_minutes=60, aht_seconds=aht_seconds, targets=targets)
                cache[value] = (result.agents, result.scheduled_agents)
            agents.append(cache[value][0])
            scheduled.append(cache[value][1])
        paid = float(sum(scheduled))
        fte = math.ceil(paid / hours_per_fte - 1e-9)
        key = month.strftime("%Y-%m")
        income = float(revenue.get(key, 0.0)) if revenue is not None else volume * revenue_per_unit
        months.append(
            ForwardMonth(
                month=key,
                volume=float(volume),
                revenue=income,
                revenue_margin=income * gross_margin,
                paid_hours=paid,
                fte=fte,
                peak_agents=max(agents, default=0),
                capacity_used=None
                if not seats
                else max(agents, default=0) / seats,  # agents on the floor at once
                staff_cost=fte * cost_per_fte,
                capex=float((capex or {}).get(key, 0.0)),
                other_costs=other_costs,
            )
        )
    return ForwardView(tuple(months))


def _series(frame: pd.DataFrame, name: str, source: str) -> pd.DataFrame:
    if name not in set(frame["unique_id"]):
        raise InputError(
            f"no series {name!r} in the forecast (found: {', '.join(sorted(set(frame['unique_id'])))})",
            source=source,
        )
    return frame[frame["unique_id"] == name]


def forward_view_file(path: str | Path, *, volume_column: str | None = None) -> ForwardView:
    """Build the forward view from a scenario YAML (see ``argentier/planning/data/forward_view.yaml``)."""
    from argentier.planning._capital import allocate_capital
    from argentier.planning._capital_data import load_capital_rules, load_projects

    path = Path(path)
    data: Mapping[str, Any] = read_yaml(path)
    where = str(path)
    try:
        forecast_path = path.parent / data["forecast"]
        staff = data.get("staffing") or {}
        targets = StaffingTargets(
            service_level=float(staff.get("service_level", 0.8)),
            answer_seconds=float(staff.get("answer_seconds", 20)),
            shrinkage=float(staff.get("shrinkage", 0.0)),
            patience_seconds=None
            if staff.get("patience_seconds") is None
            else float(staff["patience_seconds"]),
        )
        aht = float(staff["aht_seconds"])
        hours_per_fte, cost_per_fte = float(staff["hours_per_fte_month"]), float(staff["cost_per_fte_month"])
        shape = read_weekly_shape(path.parent / staff["weekly_shape"])
    except KeyError as exc:
        raise InputError(f"missing key {exc.args[0]!r}", source=where) from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"invalid value: {exc}", source=where) from None
    frame = read_volumes(forecast_path, volume_column=volume_column)
    volumes = _series(frame, str(data.get("volume_series", "volume")), str(forecast_path))
    revenue = None
    if data.get("revenue_series"):
        rows = _series(frame, str(data["revenue_series"]), str(forecast_path))
        revenue = rows.set_index(rows["ds"].dt.strftime("%Y-%m"))["volume"]
    capex: dict[str, float] = {}
    capital = data.get("capital") or {}
    if capital:
        projects = load_projects(path.parent / capital["projects"])
        rules = load_capital_rules(path.parent / capital["rules"])
        plan = allocate_capital(projects, rules)
        scale = float(capital.get("unit", 1.0))
        for project in projects:
            if project.id in plan.selected:
                for year, amount in project.capex.items():
                    for month in range(1, 13):
                        key = f"{year}-{month:02d}"
                        capex[key] = capex.get(key, 0.0) + amount * scale / 12
    return forward_view(
        volumes,
        shape=shape,
        aht_seconds=aht,
        targets=targets,
        hours_per_fte=hours_per_fte,
        cost_per_fte=cost_per_fte,
        revenue=revenue,
        revenue_per_unit=float(data.get("revenue_per_unit", 0.0)),
        gross_margin=float(data.get("gross_margin", 1.0)),
        seats=None if data.get("seats") is None else int(data["seats"]),
        capex=capex,
        other_costs=float(data.get("other_costs_per_month", 0.0)),
    )
