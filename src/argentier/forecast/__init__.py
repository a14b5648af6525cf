"""Revenue forecasting: statistical and global models, reconciled hierarchies, backtests, anomalies, scenarios.

>>> import pandas as pd
>>> frame = pd.DataFrame({"unique_id": "shop", "ds": range(24), "y": [100.0, 120.0, 90.0, 110.0] * 6})
>>> result = Forecaster(4, models=("seasonal_naive",), level=(80,)).fit(load_series(frame, season_length=4)).predict()
>>> result.frame["yhat"].tolist()
[100.0, 120.0, 90.0, 110.0]
"""

from argentier.forecast._anomalies import Anomaly, AnomalyDetector, AnomalyResult
from argentier.forecast._anomaly_eval import INJECTIONS, inject, score_events
from argentier.forecast._backtest import BacktestResult, backtest, score_forecast
from argentier.forecast._book import PlanBook, ScenarioInfo, VersionInfo
from argentier.forecast._data import (
    DataIssue,
    DataReport,
    SeriesData,
    default_season_length,
    load_forecast,
    load_series,
    read_table,
)
from argentier.forecast._demo import demo_sales
from argentier.forecast._findings import ANOMALY_KIND, record_anomaly_findings
from argentier.forecast._engines import ENGINES, connect_engine, disconnect_engines
from argentier.forecast._forecaster import Forecaster, ForecastResult
from argentier.forecast._hierarchy import RECONCILERS, Hierarchy, aggregate_levels, coherence_error, reconcile
from argentier.forecast._metrics import coverage, mase, owa, smape, wape, weighted_quantile_loss
from argentier.forecast._models import DEFAULT_MODELS, MODEL_NAMES
from argentier.forecast._scenarios import OVERRIDE_KINDS, Override, apply_overrides, compare_totals

__all__ = [
    "ANOMALY_KIND",
    "DEFAULT_MODELS",
    "ENGINES",
    "INJECTIONS",
    "MODEL_NAMES",
    "OVERRIDE_KINDS",
    "RECONCILERS",
    "Anomaly",
    "AnomalyDetector",
    "AnomalyResult",
    "BacktestResult",
    "DataIssue",
    "DataReport",
    "ForecastResult",
    "Forecaster",
    "Hierarchy",
    "Override",
    "PlanBook",
    "ScenarioInfo",
    "SeriesData",
    "VersionInfo",
    "aggregate_levels",
    "apply_overrides",
    "backtest",
    "coherence_error",
    "connect_engine",
    "disconnect_engines",
    "compare_totals",
    "coverage",
    "default_season_length",
    "demo_sales",
    "inject",
    "load_forecast",
    "load_series",
    "mase",
    "owa",
    "read_table",
    "reconcile",
    "record_anomaly_findings",
    "score_events",
    "score_forecast",
    "smape",
    "wape",
    "weighted_quantile_loss",
]
