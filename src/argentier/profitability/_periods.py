"""Periods as inclusive date ranges, from the short forms used on the command line."""

from __future__ import annotations

import re
from datetime import date, timedelta

from argentier.errors import InputError

__all__ = ["parse_period"]


def parse_period(text: str) -> tuple[date, date]:
    """A period as an inclusive date range: ``2025``, ``2025-Q2``, ``2025-03``, ``2025-01-01:2025-06-30``.

    >>> parse_period("2025-Q2")
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    >>> parse_period("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    value = text.strip()
    try:
        if ":" in value:
            first, _, last = value.partition(":")
            start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        elif re.fullmatch(r"\d{4}", value):
            start, end = date(int(value), 1, 1), date(int(value), 12, 31)
        elif match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
            year, quarter = int(match[1]), int(match[2])
            start = date(year, 3 * quarter - 2, 1)
            end = _next_month(date(year, 3 * quarter, 1)) - timedelta(days=1)
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            start = date.fromisoformat(value + "-01")
            end = _next_month(start) - timedelta(days=1)
        else:
            start = end = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"bad period {text!r}: use 2025, 2025-Q2, 2025-03 or 2025-01-01:2025-06-30") from None
    if end < start:
        raise InputError(f"bad period {text!r}: it ends before it starts")
    return start, end


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
