"""Anomalies on actuals: points and periods that leave the expected band given trend and seasonality.

Expected values are one-step-ahead ETS forecasts (each period is judged only on what came before it); the band
is ``expected +/- z * sigma`` with a robust sigma (MAD of the one-step errors). Three tests run on the
standardised errors ``r``: a point test (``|r| > z``: spikes and dips), a CUSUM on ``r`` (runs on one side:
level shifts and drifts) and a CUSUM on ``r**2 - 1`` (repeated large errors both ways: a change in seasonal
amplitude or volatility). Each anomaly carries its score, expected value, band and a plain reason; at an
aggregate level, :meth:`AnomalyResult.drill_down` says which children explain it and by how much.

>>> import numpy as np, pandas as pd
>>> t = np.arange(60)
>>> y = 100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 60)
>>> y[40] += 30
>>> data = load_series(pd.DataFrame({"unique_id": "a", "ds": t, "y": y}), season_length=12)
>>> result = AnomalyDetector().fit(data).predict()
>>> top = result.anomalies[0]  # strongest first
>>> top.start, top.kind, round(top.expected), top.reason.split(":")[0]
('40', 'spike', 108, 'above the band at 40')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError, NotFittedError
from argentier.forecast._data import SeriesData, load_series, period_label, require_periods  # noqa: F401 - load_series: doctest
from argentier.forecast._hierarchy import Hierarchy, aggregate_levels
from argentier.forecast._models import statsforecast_engine

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
    kind: str  # spike | dip | level_shift_up | level_shift_down | volatility
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
    """Per period: ``unique_id, ds, y, expected, lo, hi, score, is_anomaly, kind``; plus the grouped anomalies."""

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
    """Flag actuals outside the expected band (``level`` percent) and sustained departures from it.

    ``cusum_slack``/``cusum_threshold`` tune the run tests in units of sigma; ``warmup`` periods at the start
    of each series (default: one season) are never flagged because the one-step forecasts are still settling.
    """

    def __init__(
        self,
        *,
        level: float = 99.0,
        season_length: int | None = None,
        cusum_slack: float = 0.75,
        cusum_threshold: float = 6.0,
        volatility_threshold: float = 12.0,
        warmup: int | None = None,
    ) -> None:
        self.level = level
        self.season_length = season_length
        self.cusum_slack = cusum_slack
        self.cusum_threshold = cusum_threshold
        self.volatility_threshold = volatility_threshold
        self.warmup = warmup

    def fit(self, data: SeriesData, hierarchy: Sequence[str] | None = None) -> AnomalyDetector:
        """Compute expected values and scores for every series (every level of the hierarchy)."""
        from statistics import NormalDist

        from statsforecast.models import AutoETS

        if not 50.0 <= float(self.level) < 100.0:
            raise InputError(f"level must be between 50 and 100, got {self.level}")
        columns = tuple(data.hierarchy if hierarchy is None else hierarchy)
        if columns:
            frame, self.hierarchy_ = aggregate_levels(data.frame[["unique_id", "ds", "y", *columns]], columns)
            frame = frame[["unique_id", "ds", "y"]]
        else:
            frame, self.hierarchy_ = data.frame[["unique_id", "ds", "y"]], None
        frame = frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)
        require_periods(frame)
        m = self.season_length or data.season_length
        self.z_ = NormalDist().inv_cdf(0.5 + float(self.level) / 200.0)
        engine = statsforecast_engine([AutoETS(season_length=m if m <= 24 else 1, alias="ets")], data.freq)
        first = self._one_step(engine, frame)
        # Refit on a copy where the first pass's outliers are interpolated from their neighbours, so that a
        # spike bends neither the seasonal estimates nor the states that follow it.
        error = first["y"] - first["ets"]
        sigma = error.abs().groupby(first["unique_id"]).transform("median") * 1.4826
        cleaned = frame.assign(y=frame["y"].mask(error.abs() > self.z_ * sigma))
        cleaned["y"] = cleaned.groupby("unique_id", sort=False)["y"].transform(
            lambda s: s.interpolate(limit_direction="both")
        )
        second = self._one_step(engine, cleaned)
        self.frame_ = self._score(frame.assign(ets=second["ets"].to_numpy()), m)
        return self

    @staticmethod
    def _one_step(engine: Any, frame: pd.DataFrame) -> pd.DataFrame:
        engine.forecast(df=frame, h=1, fitted=True)
        fitted = engine.forecast_fitted_values()
        merged = frame.merge(fitted[["unique_id", "ds", "ets"]], on=["unique_id", "ds"], how="left")
        merged["ets"] = merged["ets"].fillna(merged["y"])
        return merged

    def _score(self, frame: pd.DataFrame, m: int) -> pd.DataFrame:
        warmup = self.warmup if self.warmup is not None else max(m, 4)
        parts = []
        for _, group in frame.groupby("unique_id", sort=False):
            y, expected = group["y"].to_numpy(float), group["ets"].to_numpy(float)
            error = y - expected
            sigma = _robust_sigma(error[warmup:] if len(error) > warmup + 4 else error, y)
            r = error / sigma
            r[:warmup] = 0.0
            bounded = np.clip(r, -self.z_, self.z_)  # a spike is the point test's; runs are the CUSUMs'
            up, up_alarm = cusum_alarms(bounded, self.cusum_slack, self.cusum_threshold)
            down, down_alarm = cusum_alarms(-bounded, self.cusum_slack, self.cusum_threshold)
            vol, vol_alarm = cusum_alarms(bounded * bounded - 1.0, 1.0, self.volatility_threshold)
            point = np.abs(r) > self.z_
            kind = np.where(point, np.where(r > 0, "spike", "dip"), "")
            kind = np.where(~point & up_alarm, "level_shift_up", kind)
            kind = np.where(~point & down_alarm, "level_shift_down", kind)
            kind = np.where((kind == "") & vol_alarm, "volatility", kind)
            score = np.maximum.reduce(
                [
                    np.abs(r),
                    self.z_ * up / self.cusum_threshold,
                    self.z_ * down / self.cusum_threshold,
                    self.z_ * vol / self.volatility_threshold,
                ]
            )
            parts.append(
                group.assign(
                    expected=expected,
                    lo=expected - self.z_ * sigma,
                    hi=expected + self.z_ * sigma,
                    score=score,
                    is_anomaly=kind != "",
                    kind=kind,
                    sigma=sigma,
                )
            )
        import pandas as pd

        return pd.concat(parts, ignore_index=True).drop(columns=["ets"])

    def predict(self) -> AnomalyResult:
        """The scored periods and the anomalies (runs of flagged periods), strongest first."""
        if not hasattr(self, "frame_"):
            raise NotFittedError("call fit before predict")
        frame = self.frame_.drop(columns=["sigma"])
        result = AnomalyResult(frame, (), float(self.level), self.hierarchy_)
        anomalies = []
        for uid, group in self.frame_.groupby("unique_id", sort=False):
            flagged = group["is_anomaly"].to_numpy()
            runs = np.flatnonzero(np.diff(np.concatenate([[0], flagged.astype(int), [0]])))
            for start, stop in zip(runs[::2], runs[1::2]):
                run = group.iloc[start:stop]
                peak = run.loc[run["score"].idxmax()]
                kind = run["kind"].mode().iloc[0] if stop - start > 1 else peak["kind"]
                reason = _reason(kind, run, peak)
                drill = tuple(result.drill_down(uid, peak["ds"])) if self.hierarchy_ else ()
                anomalies.append(
                    Anomaly(
                        str(uid),
                        period_label(run["ds"].iloc[0]),
                        period_label(run["ds"].iloc[-1]),
                        period_label(peak["ds"]),
                        str(kind),
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


def _robust_sigma(error: np.ndarray, y: np.ndarray) -> float:
    """RMS of the errors below their 95th absolute percentile, rescaled to a normal sigma (divided by 0.871).

    Unlike the MAD it stays honest on series with many identical values (zeros, flat runs); unlike the plain
    standard deviation, the anomalies themselves (up to 5 % of periods) do not inflate it.
    """
    absolute = np.abs(error - np.median(error))
    kept = absolute[absolute <= np.quantile(absolute, 0.95)]
    sigma = float(np.sqrt(np.mean(kept**2)) / 0.871) if len(kept) else 0.0
    return sigma if sigma > 0 else 1e-9 * max(1.0, float(np.abs(y).mean()))


def _reason(kind: str, run: pd.DataFrame, peak: pd.Series) -> str:
    y, expected = float(peak["y"]), float(peak["expected"])
    change = f"{100 * (y - expected) / abs(expected):+.1f} %" if expected else f"{y - expected:+.4g}"
    band = f"expected {expected:,.4g} (band {float(peak['lo']):,.4g} to {float(peak['hi']):,.4g})"
    at = period_label(peak["ds"])
    periods = (
        f"{len(run)} period(s) from {period_label(run['ds'].iloc[0])} to {period_label(run['ds'].iloc[-1])}"
    )
    if kind in ("spike", "dip"):
        where = f"at {at}" if len(run) == 1 else periods
        return f"{'above' if kind == 'spike' else 'below'} the band {where}: {y:,.4g} vs {band}, {change}"
    if kind.startswith("level_shift"):
        side = "above" if kind.endswith("up") else "below"
        return (
            f"sustained run {side} expected over {periods} (level shift or drift): at {at}"
            f" {y:,.4g} vs {band}, {change}"
        )
    return (
        f"repeated large deviations both ways over {periods} (change in seasonal amplitude or volatility):"
        f" at {at} {y:,.4g} vs {band}"
    )
