"""Measuring anomaly detection: inject known anomalies into real series and score the detections as events.

Injections mimic what finance teams meet: a level shift (a regional price change), a ramp (a supply-cost
drift building up over two seasons), a seasonal change (the seasonal swing grows) and a spike (one odd period:
a bulk order, a booking error). A labelled anomaly is
found when a flagged period falls in ``[start, start + tolerance]``; the delay is the distance to the first
one. A detected event (a run of flagged periods) is a true positive when it touches such a window.

>>> y = np.full(12, 100.0)
>>> inject(y, "level_shift", 8, magnitude=-0.1, season_length=4).tolist()[6:]
[100.0, 100.0, 90.0, 90.0, 90.0, 90.0]
>>> score_events({"a": np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], bool)}, {"a": 8}, tolerance=2)
{'labelled': 1, 'detected_events': 2, 'true_positive_events': 1, 'found': 1, 'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'mean_delay': 1.0, 'median_delay': 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["INJECTIONS", "inject", "score_events"]

INJECTIONS = ("level_shift", "ramp", "seasonal_change", "spike")


def _seasonal_profile(y: np.ndarray, m: int) -> np.ndarray:
    """Classical additive seasonal component (centred moving average removed), repeated over the series."""
    if m <= 1 or len(y) < 2 * m:
        return np.zeros_like(y)
    kernel = np.ones(m) / m
    trend = np.convolve(y, kernel, mode="same")
    detrended = y - trend
    half = m // 2
    positions = np.arange(len(y)) % m
    profile = np.array(
        [np.mean(detrended[half : len(y) - half][positions[half : len(y) - half] == p]) for p in range(m)]
    )
    return (profile - profile.mean())[positions]


def inject(
    y: np.ndarray, kind: str, start: int, *, magnitude: float, season_length: int, ramp_length: int | None = None
) -> np.ndarray:
    """A copy of ``y`` with one anomaly from ``start`` on (``magnitude``: relative size, see the module doc).

    ``level_shift``: ``y * (1 + magnitude)``; ``ramp``: the same change reached linearly over ``ramp_length``
    periods (default two seasons);
    ``seasonal_change``: the seasonal component multiplied by ``1 + magnitude``; ``spike``: ``y[start]`` alone
    times ``1 + magnitude``.
    """
    y = np.asarray(y, float).copy()
    if kind == "level_shift":
        y[start:] *= 1.0 + magnitude
    elif kind == "ramp":
        length = ramp_length or max(2 * season_length, 4)
        factor = np.minimum(np.arange(1, len(y) - start + 1) / length, 1.0)
        y[start:] *= 1.0 + magnitude * factor
    elif kind == "spike":
        y[start] *= 1.0 + magnitude
    elif kind == "seasonal_change":
        y[start:] += magnitude * _seasonal_profile(y, season_length)[start:]
    else:
        raise ValueError(f"unknown injection {kind!r}; choose from {', '.join(INJECTIONS)}")
    return y


def score_events(
    flags: Mapping[str, np.ndarray], starts: Mapping[str, int | Sequence[int]], *, tolerance: int
) -> dict[str, float | int | None]:
    """Event-level precision, recall, F1 and detection delay (in periods) over series with or without a label.

    ``flags``: per series, a boolean array of flagged periods; ``starts``: the labelled start per series, or
    several (series without a label are clean). Example in the module docstring.
    """
    found, delays, events, true_events, labelled = 0, [], 0, 0, 0
    for uid, flagged in flags.items():
        flagged = np.asarray(flagged, bool)
        given = starts.get(uid, ())
        windows = [(int(s), int(s) + tolerance) for s in ([given] if np.isscalar(given) else given)]
        labelled += len(windows)
        for window in windows:
            hits = np.flatnonzero(flagged[window[0] : window[1] + 1])
            if len(hits):
                found += 1
                delays.append(int(hits[0]))
        edges = np.flatnonzero(np.diff(np.concatenate([[0], flagged.astype(int), [0]])))
        for begin, end in zip(edges[::2], edges[1::2] - 1):
            events += 1
            if any(begin <= window[1] and end >= window[0] for window in windows):
                true_events += 1
    precision = true_events / events if events else None
    recall = found / labelled if labelled else None
    f1 = (2 * precision * recall / (precision + recall)) if precision and recall else 0.0
    return {
        "labelled": labelled,
        "detected_events": events,
        "true_positive_events": true_events,
        "found": found,
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": round(f1, 4),
        "mean_delay": round(float(np.mean(delays)), 3) if delays else None,
        "median_delay": float(np.median(delays)) if delays else None,
    }
