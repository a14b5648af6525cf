"""Exogenous drivers with a hierarchy: aggregated per column rule at every level, used, and still coherent."""

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.forecast import Forecaster, load_series
from argentier.forecast._drivers import parse_rules

CELLS = (("North", "Food", 300.0), ("North", "Tech", 200.0), ("South", "Food", 150.0), ("South", "Tech", 100.0))


def _sales(periods=72, horizon=6, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for region, category, level in CELLS:
        price = rng.uniform(8, 12, periods + horizon)
        promo = (rng.random(periods + horizon) < 0.3).astype(float)
        y = level * (1.6 - 0.06 * price) + 0.2 * level * promo + rng.normal(0, 0.01 * level, periods + horizon)
        rows.append(
            pd.DataFrame(
                {
                    "unique_id": f"{region}/{category}",
                    "ds": np.arange(periods + horizon),
                    "y": y,
                    "region": region,
                    "category": category,
                    "price": price,
                    "promo": promo,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    history, future = frame[frame.ds < periods], frame[frame.ds >= periods]
    return history, future


@pytest.fixture(scope="module")
def fitted():
    history, future = _sales()
    data = load_series(history, hierarchy=["region", "category"])
    forecaster = Forecaster(6, models=("arima",), level=(80,), driver_aggregation=["price=wmean", "promo=sum"])
    result = forecaster.fit(data, future=future[["unique_id", "ds", "price", "promo"]]).predict()
    blind = Forecaster(6, models=("arima",), level=(80,)).fit(data).predict()
    return history, future, forecaster, result, blind


def test_drivers_are_aggregated_by_their_rule_at_every_level(fitted):
    history, _, forecaster, _, _ = fitted
    levels = forecaster.history_.set_index(["unique_id", "ds"])
    north = history[history.region == "North"]
    promo = north.groupby("ds")["promo"].sum()
    assert np.allclose(levels.loc["North"]["promo"].to_numpy(), promo.to_numpy())
    weights = north.groupby("unique_id")["y"].apply(lambda y: y.tail(1).abs().mean())  # season 1: last value
    expected_price = north.assign(w=north.unique_id.map(weights)).groupby("ds").apply(
        lambda g: (g.price * g.w).sum() / g.w.sum(), include_groups=False
    )
    assert np.allclose(levels.loc["North"]["price"].to_numpy(), expected_price.to_numpy())
    assert np.allclose(levels.loc["Total"]["promo"].to_numpy(), history.groupby("ds")["promo"].sum().to_numpy())
    assert any("price by wmean" in note and "promo by sum" in note for note in fitted[3].notes)


def test_drivers_improve_every_level_and_reconciled_forecasts_still_add_up(fitted):
    _, future, _, result, blind = fitted
    assert result.coherence_error < 1e-6
    actual_bottom = future.set_index(["unique_id", "ds"])["y"]
    actual = {
        **{uid: g.to_numpy() for uid, g in future.groupby("unique_id")["y"]},
        **{r: g.groupby("ds")["y"].sum().to_numpy() for r, g in future.groupby("region")},
        "Total": future.groupby("ds")["y"].sum().to_numpy(),
    }
    assert len(actual_bottom) == 24
    for uid, values in actual.items():
        with_drivers = result.frame[result.frame.unique_id == uid]["yhat"].to_numpy()
        without = blind.frame[blind.frame.unique_id == uid]["yhat"].to_numpy()
        assert np.abs(with_drivers - values).mean() < 0.5 * np.abs(without - values).mean(), uid


def test_driver_rules_and_future_are_checked():
    assert parse_rules(None, ("price", "promo")) == {"price": "mean", "promo": "mean"}
    assert parse_rules({"promo": "sum"}, ("price", "promo")) == {"price": "mean", "promo": "sum"}
    with pytest.raises(InputError, match="choose one of sum, mean, wmean"):
        parse_rules(["price=median"], ("price",))
    with pytest.raises(InputError, match="not an exogenous column"):
        parse_rules(["cost=sum"], ("price",))
    with pytest.raises(InputError, match="COLUMN=RULE"):
        parse_rules(["price"], ("price",))
    history, future = _sales(periods=30)
    data = load_series(history, hierarchy=["region", "category"])
    partial = future[future.unique_id != "South/Tech"][["unique_id", "ds", "price", "promo"]]
    with pytest.raises(InputError, match="future drivers missing for series"):
        Forecaster(6, models=("arima",)).fit(data, future=partial)
