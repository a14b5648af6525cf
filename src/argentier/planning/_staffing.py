"""Agents needed per interval: the smallest staff meeting every target, then grossed up for shrinkage."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from argentier.errors import InputError
from argentier.planning._erlang import QueueMetrics, erlang_a, erlang_c
from argentier.planning._io import numeric_column, read_table, require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IntervalStaffing",
    "StaffingPlan",
    "StaffingTargets",
    "read_volumes",
    "required_agents",
    "staff_intervals",
]

Model = Literal["erlang_c", "erlang_a"]
_MAX_AGENTS = 1_000_000


@dataclass(frozen=True)
class StaffingTargets:
    """What an interval must achieve. ``patience_seconds`` switches from Erlang C to Erlang A."""

    service_level: float = 0.8
    answer_seconds: float = 20.0
    asa_seconds: float | None = None
    max_occupancy: float | None = None
    max_abandonment: float | None = None
    shrinkage: float = 0.0
    patience_seconds: float | None = None

    def __post_init__(self) -> None:
        checks = {
            "service_level": 0 <= self.service_level < 1,
            "answer_seconds": self.answer_seconds >= 0,
            "asa_seconds": self.asa_seconds is None or self.asa_seconds > 0,
            "max_occupancy": self.max_occupancy is None or 0 < self.max_occupancy <= 1,
            "max_abandonment": self.max_abandonment is None or 0 < self.max_abandonment < 1,
            "shrinkage": 0 <= self.shrinkage < 1,
            "patience_seconds": self.patience_seconds is None or self.patience_seconds > 0,
        }
        for name, ok in checks.items():
            if not ok:
                raise InputError(f"{name} is out of range: {getattr(self, name)}")
        if self.max_abandonment is not None and self.patience_seconds is None:
            raise InputError("max_abandonment needs patience_seconds (Erlang A)")

    @property
    def model(self) -> Model:
        return "erlang_c" if self.patience_seconds is None else "erlang_a"


@dataclass(frozen=True)
class IntervalStaffing:
    """The staffing of one interval: agents on the floor, agents to schedule, and what they achieve."""

    volume: float
    interval_minutes: float
    aht_seconds: float
    agents: int
    scheduled_agents: int
    metrics: QueueMetrics
    model: Model
    binding: str

    def to_dict(self) -> dict:
        data = {key: value for key, value in asdict(self).items() if key != "metrics"}
        data.update(self.metrics.to_dict())
        data["agents"] = self.agents
        return data


def _smallest(meets: Callable[[int], bool], low: int, guess: int) -> int:
    """Smallest n >= low with ``meets(n)``, for a predicate that stays true once true.

    Brackets the answer by growing steps away from ``guess`` (square-root staffing is usually within a few
    agents), then bisects: a handful of queue evaluations instead of a scan.
    """
    guess = max(low, guess)
    step = 1
    if meets(guess):
        high = guess
        while high > low:
            candidate = max(low, high - step)
            if not meets(candidate):
                low = candidate
                break
            high, step = candidate, 2 * step
        else:
            return high
    else:
        low = guess
        high = guess + step
        while not meets(high):
            low, step = high, 2 * step
            high = low + step
            if high > _MAX_AGENTS:
                raise InputError(f"no staffing up to {_MAX_AGENTS} agents meets the targets")
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if meets(middle) else (middle, high)
    return high


def required_agents(
    volume: float,
    *,
    interval_minutes: float = 30.0,
    aht_seconds: float,
    targets: StaffingTargets = StaffingTargets(),
) -> IntervalStaffing:
    """The fewest agents meeting every target for one interval, and the number to schedule after shrinkage.

    The textbook case: 100 contacts in 30 minutes, 3-minute handling, 80 % within 20 s, 30 % shrinkage.

    >>> result = required_agents(100, interval_minutes=30, aht_seconds=180,
    ...                          targets=StaffingTargets(0.8, 20, shrinkage=0.3))
    >>> result.agents, result.scheduled_agents, result.binding
    (14, 20, 'service_level')
    """
    if not (volume >= 0 and math.isfinite(volume)):
        raise InputError(f"volume must be a finite number >= 0, got {volume}")
    if not (interval_minutes > 0 and aht_seconds > 0):
        raise InputError("interval_minutes and aht_seconds must be positive")
    interval_seconds = interval_minutes * 60.0

    @functools.cache  # every target's search evaluates the same staffing levels
    def metrics(agents: int) -> QueueMetrics:
        common = {
            "interval_seconds": interval_seconds,
            "aht_seconds": aht_seconds,
            "answer_seconds": targets.answer_seconds,
        }
        if targets.patience_seconds is None:
            return erlang_c(agents, volume, **common)
        return erlang_a(agents, volume, patience_seconds=targets.patience_seconds, **common)

    if volume == 0:
        return IntervalStaffing(
            volume, interval_minutes, aht_seconds, 0, 0, metrics(0), targets.model, "none"
        )
    traffic = volume * aht_seconds / interval_seconds
    low = math.floor(traffic) + 1 if targets.patience_seconds is None else 1
    rules: dict[str, Callable[[QueueMetrics], bool]] = {
        "service_level": lambda m: m.service_level >= targets.service_level
    }
    if targets.asa_seconds is not None:
        rules["asa"] = lambda m: m.average_speed_of_answer <= targets.asa_seconds
    if targets.max_occupancy is not None:
        rules["occupancy"] = lambda m: m.occupancy <= targets.max_occupancy
    if targets.max_abandonment is not None:
        rules["abandonment"] = lambda m: m.abandonment <= targets.max_abandonment
    guess = math.ceil(traffic + math.sqrt(traffic))
    needed = {
        name: _smallest(lambda n, rule=rule: rule(metrics(n)), low, guess) for name, rule in rules.items()
    }
    binding = max(needed, key=lambda name: needed[name])
    agents = needed[binding]
    # 14 / 0.7 is 20.000000000000004 in floating point: the tolerance keeps exact ratios exact.
    scheduled = math.ceil(agents / (1.0 - targets.shrinkage) - 1e-9)
    return IntervalStaffing(
        volume, interval_minutes, aht_seconds, agents, scheduled, metrics(agents), targets.model, binding
    )


@dataclass(frozen=True)
class StaffingPlan:
    """Staffing for every interval of one or more series (queues), with totals in agent-hours."""

    series: tuple[str, ...]
    timestamps: tuple[str, ...]
    intervals: tuple[IntervalStaffing, ...]
    targets: StaffingTargets

    @property
    def peak_agents(self) -> int:
        return max((item.agents for item in self.intervals), default=0)

    @property
    def peak_scheduled_agents(self) -> int:
        return max((item.scheduled_agents for item in self.intervals), default=0)

    @property
    def agent_hours(self) -> float:
        return sum(item.agents * item.interval_minutes / 60.0 for item in self.intervals)

    @property
    def scheduled_hours(self) -> float:
        return sum(item.scheduled_agents * item.interval_minutes / 60.0 for item in self.intervals)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {"unique_id": series, "ds": ds, **item.to_dict()}
            for series, ds, item in zip(self.series, self.timestamps, self.intervals)
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "model": self.targets.model,
            "targets": asdict(self.targets),
            "totals": {
                "intervals": len(self.intervals),
                "peak_agents": self.peak_agents,
                "peak_scheduled_agents": self.peak_scheduled_agents,
                "agent_hours": round(self.agent_hours, 4),
                "scheduled_hours": round(self.scheduled_hours, 4),
            },
            "intervals": [
                {"unique_id": s, "ds": ds, **item.to_dict()}
                for s, ds, item in zip(self.series, self.timestamps, self.intervals)
            ],
        }


def read_volumes(path: str | Path, *, volume_column: str | None = None) -> pd.DataFrame:
    """Volumes per interval from a CSV/Parquet file, as columns ``unique_id, ds, volume[, aht_seconds]``.

    Accepts a plain table (``ds`` or ``interval``, ``volume``, optional ``unique_id`` and ``aht_seconds``) and
    the forecast format written by ``argentier forecast run`` (``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L]``);
    ``volume_column`` picks another column, e.g. ``yhat_hi_80`` to staff for the upper forecast bound.
    """
    import pandas as pd

    source = str(path)
    frame = read_table(path)
    if volume_column is None:
        volume_column = next((c for c in ("volume", "yhat", "y") if c in frame.columns), "volume")
    time_column = next(
        (c for c in ("ds", "interval", "interval_start", "timestamp") if c in frame.columns), "ds"
    )
    require_columns(frame, [time_column, volume_column], source)
    out = pd.DataFrame(
        {
            "unique_id": frame["unique_id"].astype(str) if "unique_id" in frame.columns else "all",
            # Forecasts of integer-indexed series have integer ds: kept as numbers, not read as epoch times.
            "ds": frame[time_column]
            if pd.api.types.is_numeric_dtype(frame[time_column])
            else pd.to_datetime(frame[time_column], errors="coerce"),
            # Forecasts of counts can dip below zero near zero volume: a negative forecast means no contacts.
            "volume": numeric_column(frame, volume_column, source, minimum=None).clip(lower=0.0),
        }
    )
    if out["ds"].isna().any():
        row = int(out["ds"].isna().to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column {time_column!r}: not a date/time", source=source)
    if "aht_seconds" in frame.columns:
        out["aht_seconds"] = numeric_column(frame, "aht_seconds", source, minimum=1e-9)
    if out.duplicated(["unique_id", "ds"]).any():
        row = int(out.duplicated(["unique_id", "ds"]).to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}: duplicate interval for the same series", source=source)
    return out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def _interval_minutes(volumes: pd.DataFrame) -> float:
    import pandas as pd

    if not pd.api.types.is_datetime64_any_dtype(volumes["ds"]):
        raise InputError("the timestamps are numbers, not dates: give interval_minutes")
    steps = volumes.groupby("unique_id")["ds"].diff().dropna()
    if steps.empty:
        raise InputError("cannot infer the interval length from a single row: give interval_minutes")
    minutes = float(steps.median().total_seconds() / 60.0)
    if minutes <= 0:
        raise InputError("cannot infer the interval length: timestamps do not increase")
    return minutes


def staff_intervals(
    volumes: pd.DataFrame,
    *,
    aht_seconds: float | None = None,
    interval_minutes: float | None = None,
    targets: StaffingTargets = StaffingTargets(),
    on_progress: Callable[[int], None] | None = None,
) -> StaffingPlan:
    """Staff every row of ``volumes`` (columns from :func:`read_volumes`); the interval is inferred if not given.

    ``on_progress`` is called with the number of rows done, every 200 rows and at the end.

    >>> import pandas as pd
    >>> volumes = pd.DataFrame({"unique_id": "sales", "ds": pd.date_range("2026-11-27 08:00", periods=3,
    ...                         freq="30min"), "volume": [50.0, 100.0, 0.0]})
    >>> plan = staff_intervals(volumes, aht_seconds=180, targets=StaffingTargets(0.8, 20, shrinkage=0.3))
    >>> [item.agents for item in plan.intervals], plan.peak_scheduled_agents, plan.agent_hours
    ([8, 14, 0], 20, 11.0)
    """
    if interval_minutes is None:
        interval_minutes = _interval_minutes(volumes)
    if aht_seconds is None and "aht_seconds" not in volumes.columns:
        raise InputError("no handling time: give aht_seconds or an aht_seconds column")
    per_row = volumes["aht_seconds"] if "aht_seconds" in volumes.columns else None
    intervals = []
    for position, volume in enumerate(volumes["volume"].to_numpy(dtype=float)):
        aht = float(per_row.iloc[position]) if per_row is not None else float(aht_seconds)
        intervals.append(
            required_agents(volume, interval_minutes=interval_minutes, aht_seconds=aht, targets=targets)
        )
        if on_progress is not None and (position % 200 == 199 or position == len(volumes) - 1):
            on_progress(position + 1)
    return StaffingPlan(
        series=tuple(volumes["unique_id"].astype(str)),
        timestamps=tuple(str(ds) for ds in volumes["ds"]),
        intervals=tuple(intervals),
        targets=targets,
    )
