"""``Forecaster``: base models on every level, a combination per series chosen by rolling-origin CV, reconciliation.

>>> import numpy as np, pandas as pd
>>> t = np.arange(48)
>>> frame = pd.DataFrame({"unique_id": np.repeat(["N", "S"], 48), "ds": np.tile(t, 2),
...                       "y": np.concatenate([100 + 10 * np.sin(t * np.pi / 6), 50 + 5 * np.sin(t * np.pi / 6)]),
...                       "region": np.repeat(["N", "S"], 48)})
>>> data = load_series(frame, hierarchy=["region"], season_length=12)
>>> result = Forecaster(horizon=6, models=("seasonal_naive", "naive"), level=(80,)).fit(data).predict()
>>> list(result.frame.columns)
['unique_id', 'ds', 'yhat', 'yhat_lo_80', 'yhat_hi_80']
>>> sorted(result.frame.unique_id.unique()), result.coherence_error < 1e-9
(['N', 'S', 'Total'], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from argentier.errors import ArgentierError, InputError, NotFittedError
from argentier.forecast._data import SeriesData, load_series, require_periods  # noqa: F401 - load_series: doctest
from argentier.forecast._engines import ENGINES, engine_frame, pandas_frame
from argentier.forecast._hierarchy import RECONCILERS, Hierarchy, reconcile
from argentier.forecast._models import (
    DEFAULT_MODELS,
    choose_combinations,
    combine_members,
    statistical_models,
    statsforecast_engine,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ForecastResult", "Forecaster", "public_columns"]

Engine = Literal["local", "dask", "ray", "spark"]


def public_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``yhat-lo-80`` (statsforecast's names) -> ``yhat_lo_80`` (the file contract)."""
    return frame.rename(columns=lambda c: c.replace("-", "_"))


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts of every series (all hierarchy levels), how each was made, and the history they extend."""

    frame: pd.DataFrame = field(repr=False)  # unique_id, ds, yhat, yhat_lo_L, yhat_hi_L
    history: pd.DataFrame = field(repr=False)  # unique_id, ds, y (every level)
    horizon: int
    level: tuple[int, ...]
    freq: str | int
    season_length: int
    choices: dict[str, tuple[str, ...]] = field(repr=False)
    hierarchy: Hierarchy | None = field(default=None, repr=False)
    reconciliation: str | None = None
    coherence_error: float | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Everything but the rows: sizes, settings and how often each combination was chosen."""
        counts: dict[str, int] = {}
        for members in self.choices.values():
            counts["+".join(members)] = counts.get("+".join(members), 0) + 1
        return {
            "horizon": self.horizon,
            "level": list(self.level),
            "freq": str(self.freq),
            "season_length": self.season_length,
            "n_series": int(self.frame["unique_id"].nunique()),
            "levels": list(self.hierarchy.levels) if self.hierarchy else None,
            "reconciliation": self.reconciliation,
            "coherence_error": self.coherence_error,
            "chosen": dict(sorted(counts.items(), key=lambda item: -item[1])),
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict[str, Any]:
        rows = self.frame.assign(ds=self.frame["ds"].astype(str)).to_dict(orient="records")
        return {**self.summary(), "choices": {k: list(v) for k, v in self.choices.items()}, "forecast": rows}


def _future_drivers(
    future: pd.DataFrame, history: pd.DataFrame, exog: Sequence[str], horizon: int, freq: str | int
) -> pd.DataFrame:
    """The drivers for the ``horizon`` periods after each series, checked complete."""
    import pandas as pd

    missing = [c for c in ("unique_id", "ds", *exog) if c not in future.columns]
    if missing:
        raise InputError(f"future drivers lack column(s) {', '.join(missing)}")
    last = history.groupby("unique_id")["ds"].max()
    grid = []
    for uid, end in last.items():
        if isinstance(freq, int):
            periods = [end + freq * (i + 1) for i in range(horizon)]
        else:
            periods = list(pd.date_range(end, periods=horizon + 1, freq=freq)[1:])
        grid.append(pd.DataFrame({"unique_id": uid, "ds": periods}))
    given = future.assign(unique_id=future["unique_id"].astype(str))[["unique_id", "ds", *exog]]
    merged = pd.concat(grid, ignore_index=True).merge(given, on=["unique_id", "ds"], how="left")
    gaps = merged[list(exog)].isna().any(axis=1)
    if gaps.any():
        first = merged[gaps].iloc[0]
        raise InputError(f"future drivers missing for series {first['unique_id']!r} at {first['ds']}")
    return merged


class Forecaster:
    """Forecast every series of ``data`` (and every aggregate level of its hierarchy) ``horizon`` periods ahead.

    Configuration only here; :meth:`fit` does the work and :meth:`predict` returns a :class:`ForecastResult`.
    ``global_model="auto"`` adds a LightGBM model over all series when there is enough data;
    ``reconciliation`` is one of ``bottom_up``, ``min_trace`` (shrunk covariance), ``min_trace_ols``,
    ``wls_struct``; ``engine="dask"``, ``"ray"`` or ``"spark"`` runs statsforecast through fugue on the Dask
    cluster of the current ``distributed.Client``, the Ray cluster of ``ray.init`` or the active Spark session
    (a local one when none is connected; see :mod:`argentier.forecast._engines`).
    ``driver_aggregation`` says how each exogenous driver adds up a hierarchy (``["price=wmean", "promo=sum"]``
    or a mapping; ``mean`` by default; see :mod:`argentier.forecast._drivers`).
    """

    def __init__(
        self,
        horizon: int,
        *,
        models: Sequence[str] = DEFAULT_MODELS,
        level: Sequence[int] = (80, 95),
        season_length: int | None = None,
        cv_windows: int = 2,
        max_members: int = 3,
        global_model: bool | Literal["auto"] = "auto",
        reconciliation: str = "min_trace",
        nonnegative: bool = False,
        engine: Engine = "local",
        n_jobs: int = 1,
        seed: int = 0,
        driver_aggregation: Sequence[str] | dict[str, str] | None = None,
    ) -> None:
        self.horizon = horizon
        self.models = models
        self.level = level
        self.season_length = season_length
        self.cv_windows = cv_windows
        self.max_members = max_members
        self.global_model = global_model
        self.reconciliation = reconciliation
        self.nonnegative = nonnegative
        self.engine = engine
        self.n_jobs = n_jobs
        self.seed = seed
        self.driver_aggregation = driver_aggregation

    def _validate(self) -> None:
        if not isinstance(self.horizon, int) or isinstance(self.horizon, bool) or self.horizon < 1:
            raise InputError(f"horizon must be a positive integer, got {self.horizon!r}")
        if any(not 0 < float(value) < 100 for value in self.level):
            raise InputError(f"interval levels must be between 0 and 100, got {list(self.level)}")
        if self.cv_windows < 1 or self.max_members < 1:
            raise InputError("cv_windows and max_members must be at least 1")
        if self.reconciliation not in RECONCILERS:
            raise InputError(
                f"unknown reconciliation {self.reconciliation!r}; choose from {', '.join(RECONCILERS)}"
            )
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine {self.engine!r}; choose from {', '.join(ENGINES)}")

    def _frame_for_engine(self, frame: pd.DataFrame) -> Any:
        """The frame as the engine's own distributed frame; statsforecast (through fugue) then runs on it."""
        return engine_frame(self.engine, frame, self.n_jobs)

    @staticmethod
    def _collect(frame: Any) -> pd.DataFrame:
        """A pandas frame with plain dtypes (a distributed result comes back with Arrow types and float32)."""
        import pandas as pd

        if isinstance(frame, pd.DataFrame):
            return frame
        frame = pandas_frame(frame).reset_index(drop=True)
        frame["unique_id"] = frame["unique_id"].astype(str).astype(object)
        for column in ("ds", "cutoff"):
            if column not in frame.columns:
                continue
            if pd.api.types.is_integer_dtype(frame[column]):
                frame[column] = frame[column].astype("int64")
            else:
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        numeric = [c for c in frame.columns if c not in ("unique_id", "ds", "cutoff")]
        frame[numeric] = frame[numeric].astype("float64")
        return frame.sort_values(
            ["unique_id", "ds"] + (["cutoff"] if "cutoff" in frame.columns else [])
        ).reset_index(drop=True)

    def fit(
        self, data: SeriesData, hierarchy: Sequence[str] | None = None, future: pd.DataFrame | None = None
    ) -> Forecaster:
        """Build the levels, validate the models on rolling origins, choose per series and forecast.

        ``future`` holds the exogenous drivers (``unique_id, ds`` and the data's exogenous columns) for the
        ``horizon`` periods after each series; models that take regressors (ARIMA) then use them. With a
        hierarchy, give them for the bottom series: every level gets them aggregated by ``driver_aggregation``.
        """
        import pandas as pd

        self._validate()
        if not isinstance(data, SeriesData):
            raise InputError("fit expects the SeriesData returned by load_series")
        columns = tuple(data.hierarchy if hierarchy is None else hierarchy)
        m = self.season_length or data.season_length
        notes: list[str] = []
        exog = data.exog if future is not None else ()
        if data.exog and not exog:
            notes.append(f"exogenous columns {', '.join(data.exog)} are not used without their future values")
        frame = data.frame[["unique_id", "ds", "y", *columns, *exog]]
        if columns:
            from argentier.forecast._drivers import (
                aggregate_future,
                aggregate_with_drivers,
                driver_weights,
                parse_rules,
            )

            missing = [c for c in columns if c not in data.frame.columns]
            if missing:
                raise InputError(f"hierarchy column(s) {', '.join(missing)} not in the data")
            rules = parse_rules(self.driver_aggregation, exog)
            weights = driver_weights(frame, m)
            y_all, self.hierarchy_ = aggregate_with_drivers(frame, columns, rules, weights)
            y_all = y_all[["unique_id", "ds", "y", *exog]]
            if exog:
                future = aggregate_future(future, frame, columns, rules, weights)
                notes.append(
                    "drivers aggregated up the hierarchy: "
                    + ", ".join(f"{column} by {rule}" for column, rule in rules.items())
                )
        else:
            y_all, self.hierarchy_ = frame[["unique_id", "ds", "y", *exog]].copy(), None
        y_all = y_all.sort_values(["unique_id", "ds"]).reset_index(drop=True)
        x_future = _future_drivers(future, y_all, exog, self.horizon, data.freq) if exog else None
        h, level = self.horizon, sorted({int(v) for v in self.level})
        names = list(dict.fromkeys(self.models))
        engine = statsforecast_engine(statistical_models(names, m), data.freq, self.n_jobs)
        require_periods(y_all)
        lengths = y_all.groupby("unique_id")["y"].size()
        long_ids = lengths.index[lengths >= h * self.cv_windows + max(2 * m, 8)]
        self.choices_: dict[str, tuple[str, ...]] = {}
        self.cv_scores_ = pd.Series(dtype=float)
        try:
            cv = None
            if len(long_ids):
                cv = self._collect(
                    engine.cross_validation(
                        df=self._frame_for_engine(y_all[y_all["unique_id"].isin(long_ids)]),
                        h=h,
                        n_windows=self.cv_windows,
                        step_size=h,
                    )
                )
            if len(long_ids) < len(lengths):
                notes.append(
                    f"{len(lengths) - len(long_ids)} series too short to validate: mean of all models"
                )
            local = self.engine == "local"
            forecast = self._collect(
                engine.forecast(
                    df=self._frame_for_engine(y_all), h=h, level=level, fitted=local, X_df=x_future
                )
            )
            fitted = engine.forecast_fitted_values() if local else None
            if self._use_global(y_all, m, cv is not None, notes):
                from argentier.forecast._global import global_forecast

                lgbm_cv, lgbm_forecast, lgbm_fitted = global_forecast(
                    y_all,
                    horizon=h,
                    freq=data.freq,
                    season_length=m,
                    level=level,
                    cv_windows=self.cv_windows,
                    seed=self.seed,
                )
                cv = cv.merge(lgbm_cv, on=["unique_id", "ds", "cutoff"], how="left")
                forecast = forecast.merge(lgbm_forecast, on=["unique_id", "ds"], how="left")
                if fitted is not None:
                    fitted = fitted.merge(lgbm_fitted, on=["unique_id", "ds"], how="left")
                names.append("lgbm")
        except ArgentierError:
            raise
        except Exception as exc:  # a model library's own error, translated at our boundary
            raise ArgentierError(f"model fitting failed: {type(exc).__name__}: {exc}") from exc
        if cv is not None:
            self.choices_, self.cv_scores_ = choose_combinations(cv, names, max_members=self.max_members)
        self.base_ = combine_members(forecast, self.choices_, level, names)
        self.fitted_ = None
        if fitted is not None:
            self.fitted_ = combine_members(fitted, self.choices_, (), names).dropna(subset=["yhat"])
        self.history_, self.data_, self.notes_ = y_all, data, notes
        self.season_length_ = m
        return self

    def _use_global(self, y_all: pd.DataFrame, m: int, validated: bool, notes: list[str]) -> bool:
        if self.global_model is False or self.engine != "local" or len(y_all.columns) > 3:
            return False  # the global model takes no exogenous drivers here
        from argentier.forecast._global import global_data_allow

        reason = global_data_allow(y_all, self.horizon, m, self.cv_windows)
        if not validated:
            reason = reason or "no series is long enough to validate it"
        if reason and self.global_model is True:
            notes.append(f"no LightGBM global model: {reason}")
        return reason is None

    def predict(self, *, reconciliation: str | None = None) -> ForecastResult:
        """The forecasts, reconciled across the hierarchy when there is one.

        ``reconciliation`` overrides the configured method for this call; ``"base"`` returns the unreconciled
        base forecasts (not coherent), for comparisons.
        """
        if not hasattr(self, "base_"):
            raise NotFittedError("call fit before predict")
        level = tuple(sorted({int(v) for v in self.level}))
        frame, method, error = self.base_.drop(columns=["y"], errors="ignore"), None, None
        if self.hierarchy_ is not None and reconciliation != "base":
            method = reconciliation or self.reconciliation
            if method == "min_trace" and self.fitted_ is None:
                method = "wls_struct"
            frame = reconcile(
                frame,
                self.hierarchy_,
                method=method,
                nonnegative=self.nonnegative,
                fitted=self.fitted_,
                level=level,
            )
            from argentier.forecast._hierarchy import coherence_error

            error = coherence_error(frame, self.hierarchy_, "yhat")
        elif self.nonnegative:
            frame = frame.assign(
                **{c: frame[c].clip(lower=0.0) for c in frame.columns if c.startswith("yhat")}
            )
        frame = public_columns(frame).sort_values(["unique_id", "ds"]).reset_index(drop=True)
        return ForecastResult(
            frame=frame,
            history=self.history_,
            horizon=self.horizon,
            level=level,
            freq=self.data_.freq,
            season_length=self.season_length_,
            choices=dict(self.choices_),
            hierarchy=self.hierarchy_,
            reconciliation=method,
            coherence_error=error,
            notes=tuple(self.notes_),
        )
