"""Rolling-origin backtests: refit at each cutoff, forecast, and score every hierarchy level.

>>> import numpy as np, pandas as pd
>>> t = np.arange(40)
>>> frame = pd.DataFrame({"unique_id": "a", "ds": t, "y": 10.0 + (t % 4) + 0.5 * t})  # seasonal naive: 2 low
>>> result = backtest(load_series(frame, season_length=4), Forecaster(4, models=("seasonal_naive",), level=(80,)),
...                   n_windows=2)
>>> row = result.metrics.iloc[0]
>>> row["method"], row["level"], float(row["mase"]), float(row["wape"].round(4))
('forecast', 'series', 1.0, 0.0684)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError
from argentier.forecast._data import SeriesData, load_series  # noqa: F401 - load_series: doctest
from argentier.forecast._forecaster import Forecaster, ForecastResult
from argentier.forecast._hierarchy import aggregate_levels
from argentier.forecast._metrics import (
    coverage,
    interval_quantiles,
    mase,
    smape,
    wape,
    weighted_quantile_loss,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BacktestResult", "backtest", "score_forecast"]


@dataclass(frozen=True)
class BacktestResult:
    """Metrics per method and level (mean over series and windows) and the per-series scores behind them."""

    metrics: pd.DataFrame = field(repr=False)  # method, level, n_series, mase, smape, wape, coverage_L, wql
    per_series: pd.DataFrame = field(repr=False)  # method, level, unique_id, cutoff, mase, smape ...
    horizon: int
    n_windows: int
    cutoffs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizon": self.horizon,
            "n_windows": self.n_windows,
            "cutoffs": list(self.cutoffs),
            "metrics": self.metrics.to_dict(orient="records"),
        }


def score_forecast(
    result: ForecastResult, actuals: pd.DataFrame, *, method: str = "forecast", cutoff: Any = None
) -> pd.DataFrame:
    """Per-series scores of one forecast against ``actuals`` (``unique_id, ds, y``, every level)."""
    import pandas as pd

    merged = result.frame.merge(actuals[["unique_id", "ds", "y"]], on=["unique_id", "ds"], how="inner")
    if merged.empty:
        raise InputError("no actuals overlap the forecast periods")
    history = {uid: group["y"].to_numpy() for uid, group in result.history.groupby("unique_id", sort=False)}
    rows = []
    for uid, group in merged.groupby("unique_id", sort=False):
        y, yhat = group["y"].to_numpy(), group["yhat"].to_numpy()
        row = {
            "method": method,
            "level": result.hierarchy.level_of(uid) if result.hierarchy else "series",
            "unique_id": uid,
            "cutoff": str(cutoff),
            "mase": mase(y, yhat, insample=history[uid], season_length=result.season_length),
            "smape": smape(y, yhat),
            "wape": wape(y, yhat),
            "abs_error": float(abs(y - yhat).sum()),
            "abs_actual": float(abs(y).sum()),
        }
        quantiles = {0.5: yhat}
        for value in result.level:
            lo, hi = group[f"yhat_lo_{value}"].to_numpy(), group[f"yhat_hi_{value}"].to_numpy()
            row[f"coverage_{value}"] = coverage(y, lo, hi)
            q_lo, q_hi = interval_quantiles(value)
            quantiles[q_lo], quantiles[q_hi] = lo, hi
        row["wql"] = weighted_quantile_loss(y, quantiles)
        rows.append(row)
    return pd.DataFrame(rows)


def _summarise(per_series: pd.DataFrame) -> pd.DataFrame:
    metric_columns = [c for c in per_series.columns if c.startswith("coverage_")] + ["mase", "smape", "wql"]
    grouped = per_series.groupby(["method", "level"], sort=False)
    summary = grouped[metric_columns].mean()
    summary["wape"] = grouped["abs_error"].sum() / grouped["abs_actual"].sum()
    summary["n_series"] = grouped["unique_id"].nunique()
    columns = [
        "n_series",
        "mase",
        "smape",
        "wape",
        *[c for c in metric_columns if c.startswith("coverage_")],
        "wql",
    ]
    return summary[columns].reset_index()


def backtest(
    data: SeriesData,
    forecaster: Forecaster,
    *,
    n_windows: int = 3,
    step: int | None = None,
    hierarchy: Sequence[str] | None = None,
    compare: Sequence[str] = (),
    progress: Any = None,
) -> BacktestResult:
    """Refit ``forecaster`` at ``n_windows`` cutoffs ``step`` periods apart (default: the horizon), the last one
    a horizon before the end of the data, and score each forecast on every level.

    ``compare`` adds methods scored from the same fits: ``"base"`` (unreconciled) and any reconciliation
    (``bottom_up``, ``min_trace`` ...). ``progress(i, n)`` is called after each window. Example above.
    """
    import pandas as pd

    if n_windows < 1:
        raise InputError("n_windows must be at least 1")
    h = forecaster.horizon
    step = step or h
    columns = tuple(data.hierarchy if hierarchy is None else hierarchy)
    frame = data.frame
    stamps = sorted(frame["ds"].unique())
    if len(stamps) < h + (n_windows - 1) * step + 4:
        raise InputError(f"{len(stamps)} periods are too few for {n_windows} window(s) of {h} periods")
    cutoffs = [stamps[-1 - h - i * step] for i in range(n_windows)][::-1]
    actuals = aggregate_levels(frame, columns)[0] if columns else frame[["unique_id", "ds", "y"]]
    scores = []
    for number, cutoff in enumerate(cutoffs, start=1):
        train = SeriesData(
            frame[frame["ds"] <= cutoff].reset_index(drop=True),
            data.freq,
            data.season_length,
            data.hierarchy,
            data.exog,
            data.report,
        )
        ahead = frame[(frame["ds"] > cutoff)] if data.exog and not columns else None
        fitted = forecaster.fit(train, hierarchy=columns, future=ahead)
        for method in ("forecast", *compare):
            result = fitted.predict(reconciliation=None if method == "forecast" else method)
            scores.append(score_forecast(result, actuals, method=method, cutoff=cutoff))
        if progress is not None:
            progress(number, len(cutoffs))
    per_series = pd.concat(scores, ignore_index=True)
    return BacktestResult(_summarise(per_series), per_series, h, n_windows, tuple(str(c) for c in cutoffs))
