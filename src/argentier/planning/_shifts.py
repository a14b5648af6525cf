"""Shift rules (YAML) turned into the patterns the scheduler chooses from, over a requirement's timeline.

A rules file lists shift templates (start times, length, unpaid break, cost per paid hour) and optionally
``work_days``: the number of consecutive days on in the repeating cycle of days the requirement spans.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from argentier.errors import InputError
from argentier.planning._io import numeric_column, read_table, read_yaml, require_columns
from argentier.planning._scheduling import ShiftPattern, consecutive_days_patterns

__all__ = ["ShiftRules", "ShiftTemplate", "build_patterns", "load_shift_rules", "read_requirements"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _minutes(value: Any, where: str) -> int:
    try:
        hours, minutes = str(value).strip().split(":")
        total = int(hours) * 60 + int(minutes)
    except ValueError:
        raise InputError(f"{where}: expected a time HH:MM, got {value!r}") from None
    if not 0 <= total < 24 * 60:
        raise InputError(f"{where}: time {value!r} is outside the day")
    return total


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: allowed start times (minutes after midnight), length, unpaid break, cost per paid hour."""

    name: str
    starts: tuple[int, ...]
    minutes: int
    break_minutes: int = 0
    cost_per_hour: float = 1.0

    @property
    def paid_hours(self) -> float:
        return (self.minutes - self.break_minutes) / 60.0


@dataclass(frozen=True)
class ShiftRules:
    """Shift templates, consecutive days on per cycle (None: each day on its own), cost of a day (daily plans)."""

    shifts: tuple[ShiftTemplate, ...]
    work_days: int | None = None
    cost_per_day: float = 1.0


def load_shift_rules(path: str | Path) -> ShiftRules:
    """Read shift rules from YAML (see ``argentier/planning/data/shift_patterns.yaml``)."""
    data = read_yaml(path)
    source = str(path)
    shifts = []
    for number, item in enumerate(data.get("shifts") or [], start=1):
        where = f"{source}: shifts[{number}]"
        if not isinstance(item, dict) or "name" not in item or "hours" not in item:
            raise InputError(f"{where}: each shift needs a name and hours")
        if "starts" in item:
            starts = tuple(_minutes(s, where) for s in item["starts"])
        elif "earliest" in item:
            first = _minutes(item["earliest"], where)
            last = _minutes(item.get("latest", item["earliest"]), where)
            step = int(item.get("step_minutes", 60))
            if step <= 0 or last < first:
                raise InputError(f"{where}: need earliest <= latest and step_minutes > 0")
            starts = tuple(range(first, last + 1, step))
        else:
            raise InputError(f"{where}: give starts (a list of HH:MM) or earliest/latest/step_minutes")
        try:
            minutes = round(float(item["hours"]) * 60)
            break_minutes = int(item.get("unpaid_break_minutes", 0))
            cost = float(item.get("cost_per_hour", 1.0))
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}") from None
        if not (0 < minutes <= 24 * 60 and 0 <= break_minutes < minutes and cost >= 0):
            raise InputError(f"{where}: hours must be in (0, 24], break shorter than the shift, cost >= 0")
        shifts.append(ShiftTemplate(str(item["name"]), starts, minutes, break_minutes, cost))
    work_days = data.get("work_days")
    if work_days is not None and (not isinstance(work_days, int) or work_days < 1):
        raise InputError(f"{source}: work_days must be a whole number >= 1")
    return ShiftRules(tuple(shifts), work_days, float(data.get("cost_per_day", 1.0)))


def _day_names(days: Sequence[date]) -> list[str]:
    """Weekday names, with the date when the requirement spans more than a week (so names stay unique)."""
    if len(days) <= 7:
        return [_DAY_NAMES[d.weekday()] for d in days]
    return [f"{_DAY_NAMES[d.weekday()]} {d:%d.%m}" for d in days]


def _day_sets(days: Sequence[date], work_days: int | None) -> list[tuple[str, tuple[int, ...]]]:
    names = _day_names(days)
    if work_days is None:
        return [(names[i], (i,)) for i in range(len(days))]
    if work_days > len(days):
        raise InputError(f"work_days is {work_days} but the requirement spans {len(days)} day(s)")
    return [(p.name, p.periods) for p in consecutive_days_patterns(len(days), work_days, day_names=names)]


def build_patterns(
    timestamps: Sequence[datetime], interval_minutes: float, rules: ShiftRules
) -> list[ShiftPattern]:
    """Every allowed (days, shift, start) combination as a pattern over the periods of ``timestamps``.

    Daily requirements (intervals of a day or more) get day patterns only. Shifts running past midnight go on
    into the next day; with ``work_days`` the cycle of days wraps around (the week repeats).

    >>> from datetime import datetime, timedelta
    >>> stamps = [datetime(2026, 11, 30, 8) + timedelta(minutes=30 * k) for k in range(16)]
    >>> rules = ShiftRules((ShiftTemplate("day", (480, 600), 360, 30, 20.0),))
    >>> [(p.name, len(p.periods), p.cost) for p in build_patterns(stamps, 30, rules)]
    [('Mon day 08:00', 11, 110.0), ('Mon day 10:00', 11, 110.0)]
    """
    days = sorted({stamp.date() for stamp in timestamps})
    day_index = {day: i for i, day in enumerate(days)}
    if interval_minutes >= 24 * 60:
        names = _day_names(days)
        work = rules.work_days or 1
        return consecutive_days_patterns(len(days), work, cost=rules.cost_per_day * work, day_names=names)
    if not rules.shifts:
        raise InputError("the shift rules list no shifts, but the requirement is intraday")
    step = round(interval_minutes)
    period_of = {
        (day_index[stamp.date()], stamp.hour * 60 + stamp.minute): i for i, stamp in enumerate(timestamps)
    }
    patterns = []
    wrap = rules.work_days is not None
    for day_label, day_set in _day_sets(days, rules.work_days):
        for shift in rules.shifts:
            slots = math.ceil(shift.minutes / step)
            break_first = (slots // 2) if shift.break_minutes else slots
            break_slots = math.ceil(shift.break_minutes / step)
            for start in shift.starts:
                periods = set()
                for day in day_set:
                    for slot in range(slots):
                        if break_first <= slot < break_first + break_slots:
                            continue
                        minute = start + slot * step
                        spill, minute = divmod(minute, 24 * 60)
                        target = day + spill
                        if wrap:
                            target %= len(days)
                        if (target, minute) in period_of:
                            periods.add(period_of[(target, minute)])
                if periods:
                    name = f"{day_label} {shift.name} {start // 60:02d}:{start % 60:02d}"
                    cost = shift.paid_hours * shift.cost_per_hour * len(day_set)
                    patterns.append(ShiftPattern(name, tuple(sorted(periods)), cost))
    return patterns


def read_requirements(
    path: str | Path, *, column: str | None = None
) -> tuple[list[datetime], list[int], float]:
    """People needed per period from a CSV/Parquet file: timestamps, whole-number needs, interval in minutes.

    The need is ``column``, else ``required``, else ``scheduled_agents`` (the staffing output, so
    ``argentier plan staffing --output`` feeds this directly); fractional needs are rounded up.
    """
    import numpy as np
    import pandas as pd

    source = str(path)
    frame = read_table(path)
    column = column or next(
        (c for c in ("required", "scheduled_agents", "agents") if c in frame.columns), "required"
    )
    time_column = next((c for c in ("ds", "period", "date", "interval") if c in frame.columns), "ds")
    require_columns(frame, [time_column, column], source)
    stamps = pd.to_datetime(frame[time_column], errors="coerce")
    if stamps.isna().any():
        row = int(stamps.isna().to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column {time_column!r}: not a date/time", source=source)
    if stamps.duplicated().any():
        row = int(stamps.duplicated().to_numpy().nonzero()[0][0])
        raise InputError(f"row {row + 2}, column {time_column!r}: duplicate period", source=source)
    needs = np.ceil(numeric_column(frame, column, source).to_numpy() - 1e-9).astype(int)
    order = np.argsort(stamps.to_numpy(), kind="stable")
    stamps = stamps.iloc[order]
    steps = stamps.diff().dropna()
    minutes = float(steps.min().total_seconds() / 60.0) if not steps.empty else 24 * 60.0
    return [stamp.to_pydatetime() for stamp in stamps], [int(needs[i]) for i in order], minutes
