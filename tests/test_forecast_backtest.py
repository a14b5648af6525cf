"""Accuracy metrics (known answers) and rolling-origin backtests scored per hierarchy level."""

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.forecast import Forecaster, backtest, coverage, demo_sales, load_series, mase, owa, smape, wape
from argentier.forecast import weighted_quantile_loss as wql


def test_metric_known_answers():
    assert smape([100.0, 100.0], [100.0, 50.0]) == pytest.approx(200 * (0 + 50 / 150) / 2)
    assert smape([0.0], [0.0]) == 0.0
    # MASE: MAE 1 over the in-sample seasonal-naive MAE |3-1|, |4-2| = 2.
    assert mase([5.0], [4.0], insample=[1.0, 2.0, 3.0, 4.0], season_length=2) == 0.5
    assert np.isnan(mase([1.0], [1.0], insample=[2.0, 2.0, 2.0], season_length=1))
    assert wape([100.0, 300.0], [90.0, 330.0]) == pytest.approx(40 / 400)
    assert coverage([1.0, 2.0, 3.0, 4.0], [0.0] * 4, [2.5] * 4) == 0.5
    # One quantile at 0.9 under-forecasting by 10: pinball 0.9 * 10 = 9, wQL = 2 * 9 / 100.
    assert wql([100.0], {0.9: [90.0]}) == pytest.approx(0.18)
    assert owa(9.161, 2.777, 9.161, 2.777) == 1.0


def test_backtest_scores_every_level_and_method():
    data = load_series(demo_sales(periods=48), hierarchy=["region", "category"])
    forecaster = Forecaster(
        6, models=("seasonal_naive", "naive"), level=(80,), global_model=False, reconciliation="min_trace_ols"
    )
    calls = []
    result = backtest(
        data,
        forecaster,
        n_windows=2,
        compare=("base", "bottom_up"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 2), (2, 2)]
    assert result.cutoffs == ("2023-12-01 00:00:00", "2024-06-01 00:00:00")
    metrics = result.metrics.set_index(["method", "level"])
    assert set(metrics.index) == {
        (m, lv) for m in ("forecast", "base", "bottom_up") for lv in ("total", "region", "region/category")
    }
    assert metrics.loc[("forecast", "total"), "n_series"] == 1
    assert metrics.loc[("forecast", "region/category"), "n_series"] == 4
    # Bottom-up leaves the bottom level untouched, so it scores exactly as the base forecasts there.
    assert metrics.loc[("bottom_up", "region/category"), "mase"] == pytest.approx(
        metrics.loc[("base", "region/category"), "mase"]
    )
    for column in ("mase", "smape", "wape", "coverage_80", "wql"):
        assert metrics[column].notna().all() and (metrics[column] >= 0).all()
    assert result.per_series["cutoff"].nunique() == 2 and len(result.to_dict()["metrics"]) == 9


def test_backtest_cutoffs_end_one_horizon_before_the_data():
    frame = pd.DataFrame({"unique_id": "a", "ds": range(30), "y": np.arange(30, dtype=float)})
    result = backtest(load_series(frame), Forecaster(4, models=("drift",), level=(80,)), n_windows=3, step=2)
    assert result.cutoffs == ("21", "23", "25")
    assert result.metrics.loc[0, "mase"] == pytest.approx(0.0, abs=1e-9)  # drift is exact on a line


def test_backtest_needs_enough_history():
    frame = pd.DataFrame({"unique_id": "a", "ds": range(8), "y": 1.0})
    with pytest.raises(InputError, match="too few"):
        backtest(load_series(frame), Forecaster(4, models=("naive",)), n_windows=3)
