"""A LightGBM model over all series at once (mlforecast), with lags and conformal prediction intervals.

One model learns from every series, each standardised on its own scale, so short but similar series lend
each other strength; it enters the per-series choice like any statistical model.

>>> import pandas as pd
>>> global_data_allow(pd.DataFrame({"unique_id": ["a"] * 10, "ds": range(10), "y": 1.0}), 4, 1, 2)
'needs at least 3 series and 300 rows'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["global_data_allow", "global_forecast", "global_lags"]


def global_lags(season_length: int) -> list[int]:
    """Lags 1-3 and one season (when the season is not absurdly long).

    >>> global_lags(12), global_lags(1)
    ([1, 2, 3, 12], [1, 2, 3])
    """
    return sorted({1, 2, 3} | ({season_length} if 3 < season_length <= 168 else set()))


def global_data_allow(frame: pd.DataFrame, horizon: int, season_length: int, cv_windows: int) -> str | None:
    """``None`` when a global model can be trained and validated on ``frame``; otherwise the reason why not."""
    lengths = frame.groupby("unique_id")["y"].size()
    if len(lengths) < 3 or len(frame) < 300:
        return "needs at least 3 series and 300 rows"
    needed = max(global_lags(season_length)) + horizon * (cv_windows + 2) + 10
    if lengths.min() < needed:
        return f"the shortest series has {lengths.min()} periods, {needed} are needed"
    return None


def global_forecast(
    frame: pd.DataFrame,
    *,
    horizon: int,
    freq: str | int,
    season_length: int,
    level: Sequence[int],
    cv_windows: int,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rolling-origin validation forecasts, future forecasts (with intervals) and in-sample fitted values.

    Columns follow statsforecast's names with the model called ``lgbm`` (``lgbm``, ``lgbm-lo-80`` ...).
    """
    from lightgbm import LGBMRegressor
    from mlforecast import MLForecast
    from mlforecast.target_transforms import LocalStandardScaler
    from mlforecast.utils import PredictionIntervals

    def make() -> MLForecast:
        model = LGBMRegressor(
            n_estimators=200,
            learning_rate=0.05,
            num_leaves=31,
            min_child_samples=10,
            random_state=seed,
            n_jobs=1,
            deterministic=True,
            verbose=-1,
        )
        return MLForecast(
            models={"lgbm": model},
            freq=freq,
            lags=global_lags(season_length),
            target_transforms=[LocalStandardScaler()],
        )

    data = frame[["unique_id", "ds", "y"]]
    cv = make().cross_validation(data, n_windows=cv_windows, h=horizon, step_size=horizon)
    final = make().fit(data, prediction_intervals=PredictionIntervals(n_windows=2, h=horizon), fitted=True)
    forecast = final.predict(horizon, level=list(level)) if level else final.predict(horizon)
    fitted = final.forecast_fitted_values()
    return (cv[["unique_id", "ds", "cutoff", "lgbm"]], forecast, fitted[["unique_id", "ds", "lgbm"]])
