"""Forecaster: the file contract, known answers, per-series choice and coherent reconciled hierarchies."""

import numpy as np
import pandas as pd
import pytest

from argentier.errors import ArgentierError, InputError, NotFittedError
from argentier.forecast import (
    RECONCILERS,
    Forecaster,
    aggregate_levels,
    coherence_error,
    demo_sales,
    load_series,
)
from argentier.forecast._models import choose_combinations, combine_members

FAST = ("seasonal_naive", "naive", "theta")


@pytest.fixture(scope="module")
def fitted():
    data = load_series(demo_sales(periods=48), hierarchy=["region", "category"])
    return Forecaster(6, models=FAST, level=(80, 95), global_model=False).fit(data)


def test_seasonal_naive_repeats_the_last_season():
    frame = pd.DataFrame({"unique_id": "s", "ds": range(24), "y": [5.0, 7.0, 6.0, 9.0] * 6})
    result = (
        Forecaster(8, models=("seasonal_naive",), level=(90,))
        .fit(load_series(frame, season_length=4))
        .predict()
    )
    assert result.frame["yhat"].tolist() == [5.0, 7.0, 6.0, 9.0] * 2
    assert list(result.frame.columns) == ["unique_id", "ds", "yhat", "yhat_lo_90", "yhat_hi_90"]
    assert result.frame["ds"].tolist() == list(range(24, 32))


def test_every_level_is_forecast_and_adds_up(fitted):
    result = fitted.predict()
    ids = set(result.frame.unique_id)
    assert ids == {"Total", "North", "South", "North/Food", "North/Tech", "South/Food", "South/Tech"}
    assert result.hierarchy.levels == ("total", "region", "region/category")
    wide = result.frame.pivot(index="ds", columns="unique_id", values="yhat")
    # Checked here without the summing matrix, so the test does not lean on the code it checks.
    assert np.allclose(wide["North"], wide["North/Food"] + wide["North/Tech"], rtol=1e-9)
    assert np.allclose(wide["Total"], wide["North"] + wide["South"], rtol=1e-9)
    assert result.coherence_error < 1e-9
    for level in (80, 95):
        assert (result.frame[f"yhat_lo_{level}"] <= result.frame["yhat"] + 1e-9).all()
        assert (result.frame["yhat"] <= result.frame[f"yhat_hi_{level}"] + 1e-9).all()
    assert (result.frame["yhat_lo_95"] <= result.frame["yhat_lo_80"] + 1e-9).all()


@pytest.mark.parametrize("method", RECONCILERS)
def test_each_reconciliation_is_coherent(fitted, method):
    result = fitted.predict(reconciliation=method)
    assert result.reconciliation == method
    assert coherence_error(result.frame, result.hierarchy, "yhat") < 1e-9


def test_base_forecasts_are_not_forced_to_add_up(fitted):
    base = fitted.predict(reconciliation="base")
    assert base.reconciliation is None and coherence_error(base.frame, fitted.hierarchy_, "yhat") > 1e-6


def test_coherence_error_sees_a_broken_sum():
    frame = pd.DataFrame(
        {"unique_id": ["a", "b"] * 2, "ds": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 4.0], "region": ["N", "N"] * 2}
    )
    y, hierarchy = aggregate_levels(frame, ["region"])
    assert sorted(y.unique_id.unique()) == ["N", "N/a", "N/b", "Total"]
    assert coherence_error(y, hierarchy, "y") == 0.0
    broken = y.copy()
    broken.loc[(broken.unique_id == "N") & (broken.ds == 2), "y"] += 1.0
    assert coherence_error(broken, hierarchy, "y") == pytest.approx(1.0 / 8.0)
    assert hierarchy.children("Total") == ("N",) and set(hierarchy.children("N")) == {"N/a", "N/b"}


def test_nonnegative_reconciliation_keeps_forecasts_at_or_above_zero():
    t = np.arange(30)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 30),
            "ds": np.tile(t, 2),
            "y": np.concatenate([np.maximum(30 - 1.5 * t, 0.5), 5 + 0.1 * t]),
            "region": "N",
        }
    )
    data = load_series(frame, hierarchy=["region"], season_length=1)
    for method in ("bottom_up", "min_trace_ols"):
        plain = Forecaster(8, models=("drift",), level=(80,), reconciliation=method).fit(data).predict()
        assert plain.frame["yhat"].min() < 0  # the drift runs series a below zero
        kept = Forecaster(8, models=("drift",), level=(80,), reconciliation=method, nonnegative=True)
        result = kept.fit(data).predict()
        assert result.frame["yhat"].min() >= -1e-9 and result.coherence_error < 1e-6


def test_choice_and_combination_of_members():
    cv = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": [1, 2, 1, 2],
            "cutoff": 0,
            "y": [10.0] * 4,
            "m1": [10.0, 10.0, 14.0, 14.0],
            "m2": [12.0, 12.0, 6.0, 6.0],
            "m3": [20.0, 20.0, 15.0, 15.0],
        }
    )
    choices, scores = choose_combinations(cv, ("m1", "m2", "m3"), max_members=3)
    assert choices == {"a": ("m1",), "b": ("m1", "m2")}
    assert scores.loc[("b", "m1+m2")] == 0.0 and scores.loc[("a", "m3")] == 10.0
    future = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c"],
            "ds": [3, 3, 3],
            "m1": [1.0, 1.0, 1.0],
            "m2": [3.0, 3.0, 3.0],
            "m3": [5.0, 5.0, 5.0],
        }
    )
    combined = combine_members(future, choices, (), ("m1", "m2", "m3"))
    assert combined["yhat"].tolist() == [1.0, 2.0, 3.0]  # c: too short to validate, mean of all


def test_configuration_errors():
    data = load_series(pd.DataFrame({"unique_id": "a", "ds": range(10), "y": 1.0}))
    with pytest.raises(InputError, match="horizon"):
        Forecaster(0).fit(data)
    with pytest.raises(InputError, match="interval levels"):
        Forecaster(2, level=(120,)).fit(data)
    with pytest.raises(InputError, match="unknown model"):
        Forecaster(2, models=("prophet",)).fit(data)
    with pytest.raises(InputError, match="unknown reconciliation"):
        Forecaster(2, reconciliation="magic").fit(data)
    with pytest.raises(NotFittedError):
        Forecaster(2).predict()
    assert issubclass(InputError, ArgentierError)


def test_global_model_joins_the_choice_when_data_allow():
    data = load_series(demo_sales(periods=72, noise=0.05), hierarchy=["region", "category"])
    forecaster = Forecaster(6, models=("seasonal_naive", "naive"), level=(80,), global_model=True, seed=3)
    result = forecaster.fit(data).predict()
    assert "lgbm" in set(forecaster.cv_scores_.index.get_level_values("candidate"))
    assert result.coherence_error < 1e-9 and not result.notes
    short = load_series(demo_sales(periods=20), hierarchy=["region"])
    notes = Forecaster(3, models=("naive",), global_model=True).fit(short).predict().notes
    assert any("no LightGBM global model" in note for note in notes)


def test_exogenous_drivers_are_used_when_their_future_is_given():
    rng = np.random.default_rng(0)
    price = rng.uniform(8, 12, 66)
    y = 200 - 10 * price + rng.normal(0, 0.5, 66)
    data = load_series(pd.DataFrame({"unique_id": "shop", "ds": range(60), "y": y[:60], "price": price[:60]}))
    future = pd.DataFrame({"unique_id": "shop", "ds": range(60, 66), "price": price[60:]})
    with_price = Forecaster(6, models=("arima",), level=(80,)).fit(data, future=future).predict()
    blind = Forecaster(6, models=("arima",), level=(80,)).fit(data).predict()
    assert np.abs(with_price.frame["yhat"] - y[60:]).mean() < 1.0  # noise sd 0.5
    assert np.abs(blind.frame["yhat"] - y[60:]).mean() > 3.0
    assert blind.notes == ("exogenous columns price are not used without their future values",)
    with pytest.raises(InputError, match="future drivers missing for series 'shop' at 63"):
        Forecaster(6, models=("arima",)).fit(data, future=future.iloc[:3])
