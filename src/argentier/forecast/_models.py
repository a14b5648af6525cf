"""The statistical model catalogue and the per-series combination chosen by rolling-origin cross-validation.

Each candidate is one model or the mean of the best two or three (ranked on the same validation windows);
the candidate with the lowest mean absolute error on those windows is chosen, series by series.

>>> import pandas as pd
>>> cv = pd.DataFrame({"unique_id": ["a"] * 2, "ds": [5, 6], "cutoff": [4, 4], "y": [10.0, 12.0],
...                    "ets": [11.0, 13.0], "theta": [9.0, 11.0], "naive": [13.0, 13.0]})
>>> choice, scores = choose_combinations(cv, ("ets", "theta", "naive"), max_members=2)
>>> choice["a"]
('ets', 'theta')
>>> float(scores.loc[("a", "ets")]), float(scores.loc[("a", "ets+theta")]), float(scores.loc[("a", "naive")])
(1.0, 0.0, 2.0)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_MODELS",
    "MODEL_NAMES",
    "choose_combinations",
    "combine_members",
    "statistical_models",
    "statsforecast_engine",
]

MODEL_NAMES = ("ets", "arima", "theta", "dot", "ces", "seasonal_naive", "naive", "drift", "mstl")
DEFAULT_MODELS = ("ets", "arima", "theta", "seasonal_naive", "mstl")
# Second seasonal periods MSTL adds to the main one (hourly: weekly; daily: yearly; weekly: none).
_EXTRA_SEASON = {24: 168, 7: 365, 48: 336}


def statistical_models(names: Sequence[str], season_length: int) -> list[Any]:
    """statsforecast models named in :data:`MODEL_NAMES`, each with its name as alias.

    ETS and ARIMA only model seasons up to 24 periods (longer ones are left to Theta's decomposition and
    MSTL); MSTL adds a second period where one is usual (hourly data: 24 and 168).

    >>> [type(model).__name__ for model in statistical_models(["ets", "mstl"], 24)]
    ['AutoETS', 'MSTL']
    """
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")  # compiled kernels are reused across runs
    from statsforecast.models import (
        MSTL,
        AutoARIMA,
        AutoCES,
        AutoETS,
        AutoTheta,
        DynamicOptimizedTheta,
        Naive,
        RandomWalkWithDrift,
        SeasonalNaive,
    )

    m = max(int(season_length), 1)
    short_m = m if m <= 24 else 1
    unknown = [name for name in names if name not in MODEL_NAMES]
    if unknown:
        raise InputError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODEL_NAMES)}")
    factories = {
        "ets": lambda: AutoETS(season_length=short_m, alias="ets"),
        "arima": lambda: AutoARIMA(season_length=short_m, alias="arima"),
        "theta": lambda: AutoTheta(season_length=m, alias="theta"),
        "dot": lambda: DynamicOptimizedTheta(season_length=m, alias="dot"),
        "ces": lambda: AutoCES(season_length=short_m, alias="ces"),
        "seasonal_naive": lambda: SeasonalNaive(season_length=m, alias="seasonal_naive"),
        "naive": lambda: Naive(alias="naive"),
        "drift": lambda: RandomWalkWithDrift(alias="drift"),
        "mstl": lambda: MSTL(
            season_length=[m, _EXTRA_SEASON[m]] if m in _EXTRA_SEASON else m,
            trend_forecaster=AutoETS(model="ZZN"),
            alias="mstl",
        ),
    }
    return [factories[name]() for name in dict.fromkeys(names)]


def statsforecast_engine(models: list[Any], freq: str | int, n_jobs: int = 1) -> Any:
    """A ``StatsForecast`` whose failing models (too short a series for MSTL, say) fall back to the naive one."""
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(models=models, freq=freq, n_jobs=n_jobs, fallback_model=Naive())


def choose_combinations(
    cv: pd.DataFrame, names: Sequence[str], *, max_members: int = 3
) -> tuple[dict[str, tuple[str, ...]], pd.Series]:
    """Per series, the model or mean of the best ``k <= max_members`` models with the lowest validation MAE.

    ``cv`` has ``unique_id, ds, cutoff, y`` and one column per model. Returns the choice per series and the
    MAE of every candidate (a Series indexed by ``(unique_id, candidate)``). Example in the module docstring.
    """
    import numpy as np
    import pandas as pd

    names = [name for name in names if name in cv.columns]
    if not names:
        raise InputError("no model forecasts to choose from")
    errors = cv[names].sub(cv["y"], axis=0).abs()
    errors["unique_id"] = cv["unique_id"].to_numpy()
    single = errors.groupby("unique_id", sort=False)[names].mean()
    ranked = np.argsort(single.to_numpy(), axis=1, kind="stable")
    choices: dict[str, tuple[str, ...]] = {}
    records = []
    values = cv[names].to_numpy()
    uids = cv["unique_id"].to_numpy()
    y = cv["y"].to_numpy()
    for row, uid in enumerate(single.index):
        mask = uids == uid
        best, best_members = np.inf, (names[ranked[row, 0]],)
        for k in range(1, min(max_members, len(names)) + 1):
            members = tuple(names[i] for i in ranked[row, :k])
            mae = float(np.mean(np.abs(values[mask][:, ranked[row, :k]].mean(axis=1) - y[mask])))
            records.append((uid, "+".join(sorted(members)), mae))
            if mae < best - 1e-12:
                best, best_members = mae, members
        for name in names:
            if name not in (names[i] for i in ranked[row, :1]):
                records.append((uid, name, float(single.loc[uid, name])))
        choices[str(uid)] = tuple(sorted(best_members))
    scores = pd.DataFrame(records, columns=["unique_id", "candidate", "mae"]).drop_duplicates(
        ["unique_id", "candidate"]
    )
    return choices, scores.set_index(["unique_id", "candidate"])["mae"]


def combine_members(
    forecasts: pd.DataFrame, choices: dict[str, tuple[str, ...]], level: Sequence[int], default: Sequence[str]
) -> pd.DataFrame:
    """``unique_id, ds, yhat, yhat-lo-L, yhat-hi-L``: the mean of each series' chosen models.

    Intervals are the mean of the members' bounds (quantile averaging), which keeps them ordered. Series
    without a choice (too short to validate) take the mean of ``default``.
    """
    import numpy as np

    out = forecasts[["unique_id", "ds"] + (["y"] if "y" in forecasts.columns else [])].copy()
    suffixes = [""] + [f"-{side}-{value}" for value in level for side in ("lo", "hi")]
    uids = forecasts["unique_id"].astype(str).to_numpy()
    for suffix in suffixes:
        result = np.full(len(forecasts), np.nan)
        for members in {tuple(m) for m in choices.values()} | {tuple(default)}:
            ids = [uid for uid, chosen in choices.items() if tuple(chosen) == members]
            mask = (
                np.isin(uids, ids)
                if tuple(members) != tuple(default)
                else (np.isin(uids, ids) | ~np.isin(uids, list(choices)))
            )
            columns = [f"{name}{suffix}" for name in members if f"{name}{suffix}" in forecasts.columns]
            if mask.any() and columns:
                result[mask] = forecasts.loc[mask, columns].mean(axis=1).to_numpy()
        out[f"yhat{suffix}"] = result
    return out
