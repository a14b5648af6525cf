"""Default thresholds of the anomaly tests, one set for short series and one for long ones.

A test's score is in units of its own spread over the series, but how large a score chance produces still depends
on the series: a long one offers more places for chance to look like a change (the largest of ``n`` noise scores
grows like ``sqrt(log n)``, hence :func:`length_factor`), and the long series of the benchmark (M4 weekly and
hourly, 700-1,000 periods, which wander) need far higher thresholds than short, noisy quarterly or monthly ones
(tourism, 72 quarters). One set of thresholds for both was a poor compromise: tuned for the best mean F1 over the
three sets it sat at M4's values and missed every anomaly on tourism. So there are two regimes, each with its
thresholds chosen on the tuning split of ``benchmarks/forecast_anomalies.py``: series shorter than
:data:`SHORT_SERIES` periods (up to 25 years of months) and the rest. A tuned exponent on the length factor (one
curve for all lengths, no cliff) was also tried and did worse on the tuning split (BENCHMARKS.md).

>>> default_thresholds(72)["level_shift"], default_thresholds(1000)["level_shift"]
(4.0, 8.0)
>>> round(length_factor(100), 2), round(length_factor(1000), 2)
(1.0, 1.22)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DEFAULT_SHORT_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "KINDS",
    "SHORT_SERIES",
    "default_thresholds",
    "length_factor",
]

KINDS = ("spike", "level_shift", "ramp", "seasonal_change")

# Series with fewer periods than this use DEFAULT_SHORT_THRESHOLDS.
SHORT_SERIES = 300

# Long series: chosen on the tuning split, except two: the tuning split prefers spike 20 and level shift 10 (M4's
# heavy tails and wandering levels), shipped at 8 and 8 so that a clear spike or step in a long series is not
# missed (BENCHMARKS.md gives both).
DEFAULT_THRESHOLDS: dict[str, float] = {"spike": 8.0, "level_shift": 8.0, "ramp": 8.0, "seasonal_change": 4.5}

# Short series: as chosen on the tuning split (tourism and the short M4 weekly series), except two. The seasonal
# swing: the tuning split prefers 3, which raises an alarm on a clean 96-quarter series with 2 % noise (a unit
# test) and on clean 36-month demo series (9 alarms over 20 seeds). Spikes: the tuning split prefers 4 (since the
# short-series spike scale of issue 7 as well), which raises false spikes and dips of 5-9 % in the clean demo
# series (2 % noise: 1.8 alarms per 1,000 periods at 36 months, 0.45 at 48, against 1.0 and 0.15 at 5); at 5 the
# tuning split's mean F1 moves by -0.0001 (tourism +0.007, weekly -0.007) and its clean tourism series raise 4.7
# alarms per 1,000 quarters instead of 6.3 (BENCHMARKS.md gives both).
DEFAULT_SHORT_THRESHOLDS: dict[str, float] = {
    "spike": 5.0,
    "level_shift": 4.0,
    "ramp": 4.0,
    "seasonal_change": 3.5,
}


def default_thresholds(n: int) -> dict[str, float]:
    """The default thresholds for a series of ``n`` periods (short or long regime)."""
    return dict(DEFAULT_SHORT_THRESHOLDS if n < SHORT_SERIES else DEFAULT_THRESHOLDS)


def length_factor(n: int) -> float:
    """Longer series offer more places for chance to look like a change: thresholds grow like sqrt(log n)."""
    return float(np.sqrt(np.log(max(n, 10)) / np.log(100.0)))
