"""The numerical core of anomaly detection: a robust decomposition and one test per kind of anomaly, per series.

Each series (on the log scale when it is strictly positive, so that a +10 % price change is one step whatever the
level) is split into seasonal components (running medians across cycles, one per season length:
:mod:`argentier.forecast._anomaly_decompose`, with end corrections for series of a few cycles), a local level
(a running median of the seasonally adjusted series, which keeps a step as a step) and a remainder. Four scans
then give a score for every period, a t-statistic divided by its own spread over the series (real series wander
and are autocorrelated, so a change must stand out of what the same test finds everywhere else):

* ``spike``: the remainder over the local noise (one period off its level and season; on series under
  ``SHORT_SERIES`` periods, off the median of its four neighbours, so that the noise is not understated);
* ``level_shift``: the mean over ``w`` periods after ``t`` against the ``w`` before, once the series' overall
  (robust) slope is removed (a regional price change: the level moves and stays);
* ``ramp``: a bend at ``t`` in a local line over the same windows (a cost drift: the slope changes);
* ``seasonal_change``: the regression slope of the detrended series on the series' overall seasonal profile over
  up to three seasons after ``t`` against the same before (the swing grows or shrinks and stays).

The step and bend tests run with ``w`` = the window, half of it and a quarter of it (a large change in a series
that wanders shows over a short window, a small one in a noisy series over a long one). A peak of either is then
a *change*, and :mod:`argentier.forecast._anomaly_change` decides what kind by fitting a step and a ramp to the
same segment (model choice), and where it starts (a ramp's start, not its middle where the step test peaks).

:func:`find_events` keeps, per kind, the local maxima above that kind's threshold and lets the strongest of
nearby candidates win, so one change gives one event. Thresholds (one set for short series, one for long ones:
:mod:`argentier.forecast._anomaly_thresholds`) were chosen on a tuning split of series with injected anomalies
and checked on a held-out split (``benchmarks/forecast_anomalies.py``).

>>> t = np.arange(80)
>>> y = 100 + 10 * np.sin(2 * np.pi * t / 4) + np.random.default_rng(0).normal(0, 1, 80)
>>> y[50:] += 8
>>> scan = scan_series(y, (4,))
>>> [(e.kind, e.position) for e in find_events(scan, default_thresholds(len(y)))]
[('level_shift', 50)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from argentier.forecast._anomaly_change import Choice, choose_change
from argentier.forecast._anomaly_decompose import decompose, running_median
from argentier.forecast._anomaly_thresholds import (
    DEFAULT_SHORT_THRESHOLDS,
    DEFAULT_THRESHOLDS,
    KINDS,
    SHORT_SERIES,
    default_thresholds,
    length_factor,
)

__all__ = [
    "DEFAULT_MIN_CHANGE",
    "DEFAULT_SHORT_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "KINDS",
    "SHORT_SERIES",
    "Event",
    "Scan",
    "default_thresholds",
    "find_events",
    "length_factor",
    "material",
    "robust_sigma",
    "scan_series",
]

# Materiality: a change under 5 % (a spike, a shift, a ramp's total; 10 % of the seasonal swing) is not raised.
DEFAULT_MIN_CHANGE = 0.05

# The step and bend tests run over the window times each of these (at least 4 periods, at most a third of the series).
WINDOW_FACTORS = (1.0, 0.5, 0.25)
SEASONAL_CYCLES = 3


@dataclass(frozen=True)
class Scan:
    """Per period: the fitted normal value (trend + season, on the working scale) and each kind's score."""

    z: np.ndarray  # the series on the working scale (log or as is)
    fit: np.ndarray  # trend + season
    seasonal: np.ndarray
    sigma: float  # robust sigma of the remainder
    log: bool
    window: int
    scores: dict[str, np.ndarray]  # kind -> signed score per period (0 where the test does not apply)
    baseline: dict[str, np.ndarray]  # kind -> the value expected at t had the change not happened (working scale)
    size: dict[str, np.ndarray]  # kind -> the estimated size of the change (working scale)
    spike_unit: np.ndarray  # working-scale value of one unit of spike score per period (band = threshold * unit)
    adjusted: np.ndarray | None = None  # seasonally adjusted, spikes clipped: what the change models are fitted to
    season: np.ndarray | None = None  # all seasonal components (adjusted + season = the series)
    choices: dict[int, Choice] = field(default_factory=dict)  # step-or-ramp model choice per change peak (cache)

    def choice(self, peak: int) -> Choice:
        """The step-or-ramp model choice for a change test's peak at ``peak`` (computed once, then cached)."""
        if peak not in self.choices:
            self.choices[peak] = choose_change(self.adjusted, peak, self.window)
        return self.choices[peak]

    def to_level(self, values: np.ndarray) -> np.ndarray:
        return np.exp(values) if self.log else values


@dataclass(frozen=True)
class Event:
    kind: str
    position: int
    score: float  # signed, in units of the noise
    expected: float | None = None  # for a change: the value had it not happened (working scale), else None
    size: float | None = None  # for a change: its full size (working scale)
    length: int = 0  # for a change: the periods it took to build up (1: a step)


def robust_sigma(error: np.ndarray, scale: float = 1.0) -> float:
    """RMS of the errors below their 95th absolute percentile, rescaled to a normal sigma (divided by 0.871).

    Unlike the MAD it stays honest on series with many identical values (zeros, flat runs); unlike the plain
    standard deviation, the anomalies themselves (up to 5 % of periods) do not inflate it.

    >>> round(robust_sigma(np.r_[np.random.default_rng(1).normal(0, 2, 2000), [50.0] * 20]), 1)
    2.0
    """
    error = np.asarray(error, float)
    if not len(error):
        return 1e-9 * max(1.0, scale)
    absolute = np.abs(error - np.median(error))
    kept = absolute[absolute <= np.quantile(absolute, 0.95)]
    sigma = float(np.sqrt(np.mean(kept**2)) / 0.871) if len(kept) else 0.0
    return sigma if sigma > 1e-12 * max(1.0, scale) else 1e-9 * max(1.0, scale)


def _self_scaled(statistic: np.ndarray, exclude: int = 0) -> np.ndarray:
    """A change statistic over its own robust spread across the series (MAD of all its split points).

    Real series drift, wander and are autocorrelated, so a textbook t-statistic is far too large on them; the
    same statistic over every split of the same series is its null distribution, and a change has to stand out
    of it. Its 90th percentile, leaving out the ``exclude`` splits on each side of the strongest one (a real
    change lifts its whole neighbourhood), measures how heavy the tails are.
    """
    keep = np.ones(len(statistic), bool)
    if exclude and len(statistic) > 4 * exclude:
        peak = int(np.argmax(np.abs(statistic - np.median(statistic))))
        keep[max(peak - exclude, 0) : peak + exclude + 1] = False
    spread = max(_spread(statistic[keep]), 1.0)  # it may shrink a t-statistic, never inflate it
    return statistic / spread


def _spread(statistic: np.ndarray) -> float:
    """The 90th percentile of ``|statistic - median|`` rescaled to a normal sigma (divided by 1.645)."""
    return float(np.quantile(np.abs(statistic - np.median(statistic)), 0.9)) / 1.645 if len(statistic) else 0.0


def _local_fits(a: np.ndarray, window: int, hinge: bool, min_before: int, min_after: int):
    """For every split ``t``: a line over ``[t - window, t + window)`` with a step (or a bend) at ``t``.

    Returns the split positions, the change's estimate, its standard error factor, the line's value at ``t``
    without the change, and the residual sigma of each fit.
    """
    n = len(a)
    taus = np.arange(min_before, n - min_after + 1)
    if not len(taus):
        return taus, *(np.zeros(0) for _ in range(4))
    offsets = np.arange(-window, window)
    index = taus[:, None] + offsets[None, :]
    valid = (index >= 0) & (index < n)
    s = offsets / max(window, 1)
    # A step is a change of mean between the two windows (on a series whose overall slope was removed); a bend
    # is a change of slope in a local line.
    middle = s if hinge else np.zeros_like(s)
    design = np.stack([np.ones_like(s), middle, np.maximum(s, 0.0) if hinge else (s >= 0).astype(float)], axis=1)
    xb = design[None, :, :] * valid[..., None]
    yb = np.where(valid, a[np.clip(index, 0, n - 1)], 0.0)
    xtx = np.einsum("tjp,tjq->tpq", xb, xb) + 1e-9 * np.eye(3)
    xty = np.einsum("tjp,tj->tp", xb, yb)
    inverse = np.linalg.inv(xtx)
    coef = np.einsum("tpq,tq->tp", inverse, xty)
    rss = np.maximum((yb**2).sum(axis=1) - (coef * xty).sum(axis=1), 0.0)
    dof = np.maximum(valid.sum(axis=1) - 3, 1)
    return taus, coef[:, 2], np.sqrt(inverse[:, 2, 2]), coef[:, 0], np.sqrt(rss / dof)


def scan_series(
    y: np.ndarray, periods: Sequence[int], *, window: int | None = None, min_after: int = 3
) -> Scan:
    """Decompose one series and score every period for each kind (see the module doc)."""
    y = np.asarray(y, float)
    n = len(y)
    log = bool(n and np.all(y > 0))
    z = np.log(y) if log else y.copy()
    periods = tuple(int(p) for p in periods if p and p > 1)
    m = periods[0] if periods else 1
    window = int(window or min(max(2 * m, 8), 52, max(n // 3, 4)))
    seasonal, other = decompose(z, periods) if n >= 8 else (np.zeros(n), np.zeros(n))
    adjusted = z - seasonal - other
    # The local level is a running median of the seasonally adjusted series: it keeps a step as a step (where
    # a smooth trend would spread it over several periods) and ignores a lone spike.
    level = running_median(adjusted, 5) if n >= 5 else adjusted.copy()
    fit = level + seasonal + other
    remainder = z - fit
    sigma = robust_sigma(remainder, float(np.abs(z).mean()) if n else 1.0)
    scores = {kind: np.zeros(n) for kind in KINDS}
    baseline = {kind: fit.copy() for kind in KINDS}
    size = {kind: np.zeros(n) for kind in KINDS}
    # A spike is judged against the noise around it: a period that is odd in a calm stretch, not one more
    # large value in a volatile one.
    odd, spike_sigma = remainder, sigma
    if 5 <= n < SHORT_SERIES:
        # Short series: each period against the median of its four neighbours, not of a window holding it. A
        # running median passes through a fifth of the points and shrinks the rest, so on a few dozen periods the
        # remainder's spread understates the noise and an ordinary 3-sigma period scores 5 to 7. (On the
        # benchmark's long series the running median did better: BENCHMARKS.md.)
        padded = np.pad(adjusted, 2, mode="reflect")  # d c | b a ... : the edge value is not repeated
        around = np.median(np.stack([padded[k : k + n] for k in (0, 1, 3, 4)]), axis=0)
        odd = adjusted - around
        spike_sigma = robust_sigma(odd, float(np.abs(z).mean()))
        baseline["spike"] = around + seasonal + other
    local = 1.4826 * running_median(np.abs(odd), 2 * window + 1) if n >= 5 else np.full(n, spike_sigma)
    raw = odd / np.maximum(local, spike_sigma)
    scores["spike"] = _self_scaled(raw)
    spike_unit = np.maximum(local, spike_sigma) * max(_spread(raw), 1.0)
    size["spike"] = odd
    min_before = max(m, 4)
    clipped = None
    if n >= min_before + min_after + 4:
        # Changes are judged on the seasonally adjusted series with its spikes clipped, so that one odd period
        # moves neither a step nor a bend.
        adjusted = clipped = level + np.clip(remainder, -3 * sigma, 3 * sigma)
        lag = min(window, n // 2)
        slope = float(np.median((adjusted[lag:] - adjusted[:-lag]) / lag))  # robust to a step: most pairs miss it
        for kind, hinge in (("level_shift", False), ("ramp", True)):
            series = adjusted - slope * np.arange(n) if not hinge else adjusted
            # Several windows: a long one sees a small change in a noisy series, a short one a large change in a
            # series that wanders (over a long window, its own drift drowns the change). Each is scaled by its
            # own spread over the series; the strongest wins at each split.
            for width in sorted({max(min(int(window * f), n // 3), 4) for f in WINDOW_FACTORS}, reverse=True):
                # A bend needs half a window after it to be told from noise at the end of the series.
                after = max(min_after, width // 2) if hinge else min_after
                taus, change, factor, before, local_sigma = _local_fits(series, width, hinge, min_before, after)
                if not len(taus):
                    continue
                if not hinge:
                    before = before + slope * taus
                noise = max(float(np.median(local_sigma)), sigma * 0.5)
                scaled = _self_scaled(change / (noise * factor), width)
                better = np.abs(scaled) > np.abs(scores[kind][taus])
                taus = taus[better]
                scores[kind][taus] = scaled[better]
                size[kind][taus] = change[better]
                if kind == "level_shift":
                    baseline[kind][taus] = before[better] + seasonal[taus] + other[taus]
        if periods and np.any(seasonal):
            trend = running_median(z - seasonal - other, m + 1 - m % 2) + other
            _seasonal_scan(z - trend, trend, m, min_before, min_after, scores, baseline, size)
    return Scan(z, fit, seasonal, sigma, log, window, scores, baseline, size, spike_unit, clipped, seasonal + other)


def _seasonal_scan(detrended, trend, m, min_before, min_after, scores, baseline, size) -> None:
    """Seasonal swing after ``t`` against before, as regression slopes on one *fixed* profile.

    The decomposition's seasonal component follows a lasting change of the swing within a few cycles (it is a
    running median across cycles), so the swing is measured against the series' overall profile instead (the
    median of each season's detrended values over all full cycles): its regression slope over ``2m`` periods
    after ``t`` over the slope over ``2m`` before is the change of the swing, ``x(after / before)``.
    """
    n = len(detrended)
    cycles = n // m
    if cycles < 3:
        return
    profile = np.median(detrended[: cycles * m].reshape(cycles, m), axis=0)
    profile = (profile - profile.mean())[np.arange(n) % m]
    if not np.any(profile):
        return
    noise = robust_sigma(detrended - profile, float(np.abs(detrended).mean()))
    taus = np.arange(max(min_before, m), n - max(min_after, m // 2) + 1)
    # fewer cycles on a short series, so that the test's spread can be measured away from a change
    width = max(next((c * m for c in range(SEASONAL_CYCLES, 1, -1) if 4 * c * m < len(taus)), 2 * m), 1)
    sxy = np.concatenate([[0.0], np.cumsum(detrended * profile)])
    sxx = np.concatenate([[0.0], np.cumsum(profile * profile)])
    if not len(taus):
        return
    lo, hi = np.maximum(taus - width, 0), np.minimum(taus + width, n)
    before_xx, after_xx = sxx[taus] - sxx[lo], sxx[hi] - sxx[taus]
    if not np.all(before_xx > 0) or not np.all(after_xx > 0):
        return
    before = (sxy[taus] - sxy[lo]) / before_xx
    after = (sxy[hi] - sxy[taus]) / after_xx
    scale = np.sqrt(1.0 / before_xx + 1.0 / after_xx)
    scores["seasonal_change"][taus] = _self_scaled((after - before) / (noise * scale), width)
    # the size is the relative change of the swing (after / before - 1) where the old swing is clear
    size["seasonal_change"][taus] = np.where(before > 0.1, after / np.maximum(before, 0.1) - 1.0, 0.0)
    baseline["seasonal_change"][taus] = trend[taus] + profile[taus] * before


def material(scan: Scan, kind: str, min_change: float) -> np.ndarray:
    """Per period, whether the change is at least ``min_change`` (relative; twice that for the seasonal swing)."""
    size = np.abs(scan.size[kind])
    floor = 2 * min_change if kind == "seasonal_change" else min_change
    if kind == "seasonal_change":
        return size >= floor
    if scan.log:
        return size >= np.log1p(floor)
    return size >= floor * np.maximum(np.abs(scan.fit), 1e-12)


def _change_event(scan: Scan, kind: str, peak: int, score: float, min_change: float) -> Event | None:
    """A step or bend test's peak as an event: step or ramp by model choice, at the change's first period.

    None when the fitted change is below materiality.
    """
    if kind not in ("level_shift", "ramp") or scan.adjusted is None:
        return Event(kind, peak, score)
    choice = scan.choice(peak)
    if not choice.size:
        return Event(kind, peak, score)
    floor = np.log1p(min_change) if scan.log else min_change * max(abs(float(scan.fit[peak])), 1e-12)
    if abs(choice.size) < floor:
        return None
    position = min(max(choice.position, 0), len(scan.z) - 1)
    expected = choice.expected + float(scan.season[position])
    return Event(choice.kind, position, float(np.copysign(abs(score), choice.size)), expected, choice.size,
                 choice.length)


def find_events(
    scan: Scan,
    thresholds: Mapping[str, float],
    *,
    scale: float = 1.0,
    start: int = 0,
    min_change: float = DEFAULT_MIN_CHANGE,
) -> list[Event]:
    """The events of one scan: local maxima above ``thresholds[kind] * scale``, strongest first wins.

    Changes (shift, ramp, seasonal) closer than half a window to a stronger change are the same change; a spike
    next to an accepted change is part of it. ``start`` ignores earlier periods. A change smaller than
    ``min_change`` (relative) is never an event, however clear: below materiality for a reviewer.
    """
    window = scan.window
    scale = scale * length_factor(len(scan.z))
    candidates: list[tuple[float, Event]] = []
    for kind in KINDS:
        score = scan.scores[kind]
        threshold = float(thresholds[kind]) * scale
        above = np.flatnonzero((np.abs(score) > threshold) & material(scan, kind, min_change))
        above = above[above >= start]
        if kind == "spike":
            candidates += [(abs(score[i]) / threshold, Event(kind, int(i), float(score[i]))) for i in above]
            continue
        radius = max(window // 2, 1)
        for i in above:
            lo, hi = max(i - radius, 0), min(i + radius + 1, len(score))
            if abs(score[i]) >= np.abs(score[lo:hi]).max():
                event = _change_event(scan, kind, int(i), float(score[i]), min_change)
                if event is not None and event.position >= start:
                    candidates.append((abs(score[i]) / threshold, event))
    candidates.sort(key=lambda item: -item[0])
    accepted: list[Event] = []
    for _, event in candidates:
        clash = False
        for other in accepted:
            gap = abs(other.position - event.position)
            if event.kind != "spike" and other.kind != "spike" and gap <= window // 2:
                clash = True
            elif event.kind == "spike" and other.kind != "spike" and gap <= 1:
                clash = True
            elif event.kind == "spike" and other.kind == "spike" and gap == 0:
                clash = True
            if clash:
                break
        if not clash:
            accepted.append(event)
    return sorted(accepted, key=lambda e: e.position)
