"""Anomalies on actuals: points and periods that leave the expected band given trend and seasonality.

Each series (every level of the hierarchy) is decomposed robustly and scanned by four tests, one per kind of
anomaly (:mod:`argentier.forecast._anomaly_scan`): spikes and dips (one period outside the band), level shifts
(a regional price change), ramps (a cost drift: the trend bends) and changes in the seasonal swing; whether a
change is a step or a ramp is a model choice (:mod:`argentier.forecast._anomaly_change`). Each
anomaly carries its score, the expected value and band (for a change: what was expected had it not happened),
and a plain reason; at an aggregate level, :meth:`AnomalyResult.drill_down` says which children explain it and
by how much. Thresholds per kind (one set for series under 300 periods, one for longer ones) were chosen on a
tuning split of real series with injected anomalies and checked on a held-out split
(``benchmarks/forecast_anomalies.py``); ``level`` scales them all.

>>> import numpy as np, pandas as pd
>>> t = np.arange(60)
>>> y = 100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 60)
>>> y[40] += 30
>>> data = load_series(pd.DataFrame({"unique_id": "a", "ds": t, "y": y}), season_length=12)
>>> result = AnomalyDetector().fit(data).predict()
>>> top = result.anomalies[0]  # strongest first
>>> top.start, top.kind, round(top.expected), top.reason.split(":")[0]
('40', 'spike', 110, 'above the band at 40')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError, NotFittedError
from argentier.forecast._anomaly_scan import (
    KINDS,
    SEASONAL_CYCLES,
    default_thresholds,
    find_events,
    length_factor,
    scan_series,
)
from argentier.forecast._data import SeriesData, load_series, period_label, require_periods  # noqa: F401 - load_series: doctest
from argentier.forecast._hierarchy import Hierarchy, aggregate_levels

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Anomaly", "AnomalyDetector", "AnomalyResult", "cusum_alarms"]


def cusum_alarms(values: np.ndarray, slack: float, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided CUSUM ``S_t = max(0, S_{t-1} + x_t - slack)``; an alarm when it passes ``threshold``, then a restart.

    >>> stat, alarm = cusum_alarms(np.array([0.0, 2.0, 2.0, 2.0, 2.0]), 0.5, 2.5)
    >>> stat.tolist(), alarm.tolist()
    ([0.0, 1.5, 3.0, 1.5, 3.0], [False, False, True, False, True])
    """
    stat = np.zeros(len(values))
    alarm = np.zeros(len(values), dtype=bool)
    level = 0.0
    for i, value in enumerate(values):
        level = max(0.0, level + value - slack)
        stat[i] = level
        if level > threshold:
            alarm[i], level = True, 0.0
    return stat, alarm


@dataclass(frozen=True)
class Anomaly:
    """One anomalous point or period of one series, with the evidence a reviewer needs."""

    unique_id: str
    start: str
    end: str
    peak: str
    kind: str  # spike | dip | level_shift_up/down | ramp_up/down | seasonal_swing_up/down
    score: float
    y: float
    expected: float
    lo: float
    hi: float
    reason: str
    drill_down: tuple[dict[str, Any], ...] = ()

    @property
    def confidence(self) -> float:
        """``1 - p`` of the peak's standardised error under a normal law (a plain, comparable confidence)."""
        return float(1.0 - math.erfc(min(self.score, 37.0) / math.sqrt(2.0)))

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "drill_down": list(self.drill_down), "confidence": round(self.confidence, 6)}


@dataclass(frozen=True)
class AnomalyResult:
    """Per period: ``unique_id, ds, y, expected, lo, hi, score, is_anomaly, kind, reason``; plus the anomalies."""

    frame: pd.DataFrame = field(repr=False)
    anomalies: tuple[Anomaly, ...]
    level: float
    hierarchy: Hierarchy | None = field(default=None, repr=False)

    def drill_down(self, unique_id: str, ds: Any, top: int = 5) -> list[dict[str, Any]]:
        """The children of ``unique_id`` ranked by how much of its deviation from expected at ``ds`` they carry.

        ``share`` is each child's deviation over the sum of the children's deviations (so shares add to 1).
        """
        if self.hierarchy is None:
            return []
        children = self.hierarchy.children(unique_id)
        same = self.frame["ds"].map(period_label) == period_label(ds)
        rows = self.frame[self.frame["unique_id"].isin(children) & same]
        deviation = (rows["y"] - rows["expected"]).to_numpy()
        total = deviation.sum()
        out = [
            {
                "unique_id": uid,
                "y": float(y),
                "expected": float(e),
                "deviation": float(d),
                "share": float(d / total) if total else None,
            }
            for uid, y, e, d in zip(rows["unique_id"], rows["y"], rows["expected"], deviation)
        ]
        return sorted(out, key=lambda item: -abs(item["deviation"]))[:top]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "n_points": int(self.frame["is_anomaly"].sum()),
            "anomalies": [anomaly.to_dict() for anomaly in self.anomalies],
        }


class AnomalyDetector:
    """Flag spikes, level shifts, ramps and seasonal-swing changes in actuals, each with expected value and band.

    ``level`` (percent) scales every kind's threshold by ``z(level) / z(99)``: the defaults, chosen on the
    tuning split (one set for series under 300 periods, one for longer ones), apply at 99. ``thresholds``
    overrides them per kind for every length (``spike``, ``level_shift``, ``ramp``, ``seasonal_change``; in
    units of each test's own spread). ``window`` is the half-width, in periods, of the
    change tests (default two seasons, 8 to 52). Hourly data (season 24) also get a weekly season (168).

    ``score`` is the strongest test at each period on the band's scale: a period is flagged when its score
    passes ``z(level)`` *and* it is the strongest of its neighbours (one change, one event).
    """

    def __init__(
        self,
        *,
        level: float = 99.0,
        season_length: int | None = None,
        thresholds: dict[str, float] | None = None,
        window: int | None = None,
    ) -> None:
        self.level = level
        self.season_length = season_length
        self.thresholds = dict(thresholds or {})  # overrides of the defaults, which depend on the series' length
        self.window = window

    def fit(self, data: SeriesData, hierarchy: Sequence[str] | None = None) -> AnomalyDetector:
        """Score every period of every series (every level of the hierarchy)."""
        from statistics import NormalDist

        if not 50.0 <= float(self.level) < 100.0:
            raise InputError(f"level must be between 50 and 100, got {self.level}")
        unknown = sorted(set(self.thresholds) - set(KINDS))
        if unknown or any(not value > 0 for value in self.thresholds.values()):
            raise InputError(f"thresholds must be positive numbers for {', '.join(KINDS)}")
        columns = tuple(data.hierarchy if hierarchy is None else hierarchy)
        if columns:
            frame, self.hierarchy_ = aggregate_levels(data.frame[["unique_id", "ds", "y", *columns]], columns)
            frame = frame[["unique_id", "ds", "y"]]
        else:
            frame, self.hierarchy_ = data.frame[["unique_id", "ds", "y"]], None
        frame = frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)
        require_periods(frame)
        m = int(self.season_length or data.season_length or 1)
        periods = (m, 168) if m == 24 else (m,)
        self.z_ = NormalDist().inv_cdf(0.5 + float(self.level) / 200.0)
        self.scale_ = self.z_ / NormalDist().inv_cdf(0.995)
        parts = [
            self._score(group, scan_series(group["y"].to_numpy(float), periods, window=self.window))
            for _, group in frame.groupby("unique_id", sort=False)
        ]
        import pandas as pd

        self.frame_ = pd.concat(parts, ignore_index=True)
        return self

    def _score(self, group: pd.DataFrame, scan: Any) -> pd.DataFrame:
        n = len(group)
        factor = self.scale_ * length_factor(n)
        thresholds = {**default_thresholds(n), **self.thresholds}
        limits = {kind: thresholds[kind] * factor for kind in KINDS}
        score = np.max([np.abs(scan.scores[kind]) / limits[kind] for kind in KINDS], axis=0) * self.z_
        half = limits["spike"] * scan.spike_unit
        expected, lo, hi = scan.fit.copy(), scan.fit - half, scan.fit + half
        kinds, events = np.full(n, "", dtype=object), {}
        for event in find_events(scan, thresholds, scale=self.scale_):
            i = event.position
            # a step or a ramp: the old line extrapolated (at this season); otherwise the scan's baseline
            base = event.expected if event.expected is not None else scan.baseline[event.kind][i]
            expected[i], lo[i], hi[i] = base, base - half[i], base + half[i]
            kinds[i] = _kind_name(event.kind, event.score)
            events[i] = event  # the reason is written below, once the values are on the level scale
        frame = group.assign(
            expected=scan.to_level(expected),
            lo=scan.to_level(lo),
            hi=scan.to_level(hi),
            score=score,
            is_anomaly=kinds != "",
            kind=kinds,
            reason="",
        )
        for i in np.flatnonzero(kinds != ""):
            frame.iloc[i, frame.columns.get_loc("reason")] = _reason(events[i], kinds[i], frame.iloc[i], scan)
        return frame

    def predict(self) -> AnomalyResult:
        """The scored periods and the anomalies (runs of flagged periods), strongest first."""
        if not hasattr(self, "frame_"):
            raise NotFittedError("call fit before predict")
        frame = self.frame_
        result = AnomalyResult(frame, (), float(self.level), self.hierarchy_)
        anomalies = []
        for uid, group in frame.groupby("unique_id", sort=False):
            flagged = group["is_anomaly"].to_numpy()
            runs = np.flatnonzero(np.diff(np.concatenate([[0], flagged.astype(int), [0]])))
            for start, stop in zip(runs[::2], runs[1::2]):
                run = group.iloc[start:stop]
                peak = run.loc[run["score"].idxmax()]
                reason = str(peak["reason"])
                if stop - start > 1:
                    reason += (
                        f" ({stop - start} flagged periods from {period_label(run['ds'].iloc[0])}"
                        f" to {period_label(run['ds'].iloc[-1])})"
                    )
                drill = tuple(result.drill_down(uid, peak["ds"])) if self.hierarchy_ else ()
                anomalies.append(
                    Anomaly(
                        str(uid),
                        period_label(run["ds"].iloc[0]),
                        period_label(run["ds"].iloc[-1]),
                        period_label(peak["ds"]),
                        str(peak["kind"]),
                        round(float(peak["score"]), 4),
                        float(peak["y"]),
                        float(peak["expected"]),
                        float(peak["lo"]),
                        float(peak["hi"]),
                        reason,
                        drill,
                    )
                )
        anomalies.sort(key=lambda a: -a.score)
        return AnomalyResult(frame, tuple(anomalies), float(self.level), self.hierarchy_)


def _kind_name(kind: str, score: float) -> str:
    if kind == "spike":
        return "spike" if score > 0 else "dip"
    name = "seasonal_swing" if kind == "seasonal_change" else kind
    return f"{name}_{'up' if score > 0 else 'down'}"


def _change(scan: Any, size: float, reference: float) -> str:
    """A change on the working scale as a percentage (log scale) or relative to ``reference``."""
    if scan.log:
        return f"{100 * math.expm1(size):+.1f} %"
    return f"{100 * size / abs(reference):+.1f} %" if reference else f"{size:+.4g}"


def _reason(event: Any, name: str, row: Any, scan: Any) -> str:
    kind, i = event.kind, event.position
    y, expected = float(row["y"]), float(row["expected"])
    at = period_label(row["ds"])
    change = f"{100 * (y - expected) / abs(expected):+.1f} %" if expected else f"{y - expected:+.4g}"
    band = f"expected {expected:,.4g} (band {float(row['lo']):,.4g} to {float(row['hi']):,.4g})"
    size = float(scan.size[kind][i] if event.size is None else event.size)
    if kind == "spike":
        return f"{'above' if name == 'spike' else 'below'} the band at {at}: {y:,.4g} vs {band}, {change}"
    if kind == "level_shift":
        return (
            f"level shift {name.rsplit('_', 1)[1]} at {at} (a price change?): the seasonally adjusted level moved"
            f" {_change(scan, size, expected)} in one step (a step fits better than a ramp); {y:,.4g} vs {band}"
            " without the shift"
        )
    if kind == "ramp":
        length = event.length or scan.window
        return (
            f"trend bends {name.rsplit('_', 1)[1]} at {at} (a drift, e.g. a cost ramp): the level drifts"
            f" {_change(scan, size, expected)} over {length} periods (a ramp fits better than a step); {y:,.4g}"
            f" vs {band} on the old trend"
        )
    return (
        f"seasonal swing {'grows' if size > 0 else 'shrinks'} from {at}: amplitude x{1 + size:.2f} (up to"
        f" {SEASONAL_CYCLES} seasons after vs before); {y:,.4g} vs {band} with the old swing"
    )
