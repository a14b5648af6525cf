"""Forecast accuracy: MASE, sMAPE (M4 definition, in percent), WAPE, interval coverage, weighted quantile loss, OWA.

>>> round(smape([100.0, 200.0], [110.0, 180.0]), 3)
10.025
>>> mase([3.0, 4.0], [4.0, 4.0], insample=[1.0, 2.0, 3.0], season_length=1)
0.5
>>> wape([10.0, 30.0], [12.0, 27.0]), coverage([1.0, 5.0], [0.0, 0.0], [2.0, 2.0])
(0.125, 0.5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "coverage",
    "interval_quantiles",
    "mase",
    "mase_scale",
    "owa",
    "smape",
    "wape",
    "weighted_quantile_loss",
]

ArrayLike = Sequence[float] | np.ndarray


def smape(y: ArrayLike, yhat: ArrayLike) -> float:
    """Symmetric MAPE as in the M4 competition: ``200 * mean(|y - f| / (|y| + |f|))``; 0/0 counts as 0."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    denominator = np.abs(y) + np.abs(yhat)
    ratio = np.divide(np.abs(y - yhat), denominator, out=np.zeros_like(y), where=denominator > 0)
    return float(200.0 * ratio.mean())


def mase_scale(insample: ArrayLike, season_length: int) -> float:
    """Mean absolute seasonal difference of the history (the in-sample seasonal naive error); NaN if undefined."""
    insample = np.asarray(insample, float)
    m = season_length if len(insample) > season_length else 1
    if len(insample) <= m:
        return float("nan")
    return float(np.mean(np.abs(insample[m:] - insample[:-m])))


def mase(y: ArrayLike, yhat: ArrayLike, *, insample: ArrayLike, season_length: int) -> float:
    """Mean absolute scaled error: MAE over the in-sample seasonal naive MAE (NaN when the history is flat)."""
    scale = mase_scale(insample, season_length)
    error = float(np.mean(np.abs(np.asarray(y, float) - np.asarray(yhat, float))))
    return error / scale if scale > 0 else float("nan")


def wape(y: ArrayLike, yhat: ArrayLike) -> float:
    """Weighted absolute percentage error: ``sum|y - f| / sum|y|`` (a share, not a percent)."""
    y = np.asarray(y, float)
    total = np.abs(y).sum()
    return float(np.abs(y - np.asarray(yhat, float)).sum() / total) if total > 0 else float("nan")


def coverage(y: ArrayLike, lo: ArrayLike, hi: ArrayLike) -> float:
    """Share of actuals inside ``[lo, hi]``."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lo, float)) & (y <= np.asarray(hi, float))))


def interval_quantiles(level: int) -> tuple[float, float]:
    """The quantiles bounding a central interval: 80 -> (0.1, 0.9).

    >>> interval_quantiles(95)
    (0.025, 0.975)
    """
    tail = (100 - level) / 200
    return round(tail, 6), round(1 - tail, 6)


def weighted_quantile_loss(y: ArrayLike, quantiles: Mapping[float, ArrayLike]) -> float:
    """Mean over quantiles ``q`` of ``2 * sum(pinball_q) / sum|y|`` (Amazon Forecast's wQL, averaged).

    >>> weighted_quantile_loss([10.0], {0.5: [8.0]})
    0.2
    """
    y = np.asarray(y, float)
    total = np.abs(y).sum()
    if total <= 0 or not quantiles:
        return float("nan")
    losses = []
    for q, values in quantiles.items():
        diff = y - np.asarray(values, float)
        losses.append(2.0 * np.sum(np.maximum(q * diff, (q - 1) * diff)) / total)
    return float(np.mean(losses))


def owa(smape_value: float, mase_value: float, smape_naive2: float, mase_naive2: float) -> float:
    """M4's overall weighted average: the mean of sMAPE and MASE, each relative to Naive2 (1 = as good as it).

    >>> owa(9.0, 2.5, 10.0, 2.5)
    0.95
    """
    return 0.5 * (smape_value / smape_naive2 + mase_value / mase_naive2)
