"""The robust decomposition behind anomaly detection: seasonal components by running medians across cycles.

For each season length in turn, the series less a running median over one cycle is cut into cycles, and each
position's seasonal value is a running median over up to seven neighbouring cycles: the profile may evolve
slowly, but no spike, and no change in its first half-dozen cycles, moves it.

Series with few cycles (under :data:`~argentier.forecast._anomaly_thresholds.SHORT_SERIES` periods and no more
cycles than the median across cycles spans: three years of months) get two refinements against false alarms
near their ends (issue 7). The first and last cycles use the nearest real cycles instead of mirrored ones (with
three cycles a mirror gives the first cycle its neighbour's values alone, noise and all), and the trend is taken
again from the seasonally adjusted series with straight ends (a running median over one cycle of a trending
seasonal series is pulled off-centre by the season's phase, and a mirrored end lags the trend). On series with
more cycles (tourism's 18 years of quarters, the seat-belt series) the single pass did as well or better
(BENCHMARKS.md).

>>> np.round(_straight_ends(np.array([1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0, 6.0]), 2), 1).tolist()
[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from argentier.forecast._anomaly_thresholds import SHORT_SERIES

__all__ = ["decompose", "running_median"]


def decompose(z: np.ndarray, periods: Sequence[int], cycles: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Robust seasonal components: the main one (first usable period) and the sum of the others (module doc)."""
    n = len(z)
    rest, parts = z.copy(), []
    for p in periods:
        if p < 2 or n < 2 * p:
            continue
        width = p + 1 - p % 2
        # no more cycles than the median across cycles spans: mirrored cycles would outnumber real ones
        few = n < SHORT_SERIES and n // p <= cycles
        component = _profile(rest - running_median(rest, width), p, cycles, shifted=few)
        # Few cycles, second pass: the running median of the raw series over one cycle is pulled by the season's
        # phase on a trending series (it picks a value near a zero crossing, off-centre), so the trend is taken
        # again from the seasonally adjusted series, with straight ends (a median's mirrored end lags a trend).
        if few:
            trend = _straight_ends(running_median(rest - component, width), width // 2)
            component = _profile(rest - trend, p, cycles, shifted=few)
        parts.append(component)
        rest = rest - component
    if not parts:
        return np.zeros(n), np.zeros(n)
    return parts[0], np.sum(parts[1:], axis=0) if len(parts) > 1 else np.zeros(n)


def _profile(detrended: np.ndarray, p: int, cycles: int, shifted: bool = False) -> np.ndarray:
    """Each position's running median over ``cycles`` neighbouring cycles, centred per cycle.

    ``shifted``: the first and last cycles take the first (last) ``cycles`` real cycles rather than mirrored
    ones; with only 3-4 cycles a mirror gives the first cycle its neighbour's values alone, noise and all.
    """
    n = len(detrended)
    full = -(-n // p) * p
    padded = np.concatenate([detrended, detrended[n - p : n - p + (full - n)]]) if full > n else detrended
    matrix = padded.reshape(-1, p)
    rows = matrix.shape[0]
    if shifted:
        width = min(cycles, rows)
        starts = np.clip(np.arange(rows) - width // 2, 0, rows - width)
        smooth = np.stack([np.median(matrix[i : i + width], axis=0) for i in starts])
    else:
        from scipy.ndimage import median_filter

        smooth = median_filter(matrix, size=(min(cycles, rows) | 1, 1), mode="mirror")
    return (smooth - smooth.mean(axis=1, keepdims=True)).reshape(-1)[:n]


def _straight_ends(trend: np.ndarray, half: int) -> np.ndarray:
    """The first and last ``half`` values of a running median replaced by the line through its nearest full ones."""
    n = len(trend)
    span = min(2 * half, n - 2 * half - 1)
    if half < 1 or span < 1:
        return trend
    trend = trend.copy()
    lo, hi = half, n - 1 - half
    left, right = (trend[lo + span] - trend[lo]) / span, (trend[hi] - trend[hi - span]) / span
    trend[:lo] = trend[lo] + left * (np.arange(lo) - lo)
    trend[hi + 1 :] = trend[hi] + right * (np.arange(hi + 1, n) - hi)
    return trend



def running_median(values: np.ndarray, width: int) -> np.ndarray:
    from scipy.ndimage import median_filter

    # "mirror" so that the last value is not repeated: a spike at the end stays a spike
    return median_filter(values, size=min(width, 2 * len(values) - 1) if len(values) > 1 else 1, mode="mirror")
