"""Scale-out: the same Forecaster call on a local Dask cluster gives the local answer."""

import pytest

from argentier.forecast import Forecaster, demo_sales, load_series


def test_dask_engine_matches_local():
    distributed = pytest.importorskip("distributed")
    data = load_series(demo_sales(periods=36), hierarchy=["region", "category"])
    settings = {
        "models": ("seasonal_naive", "naive"),
        "level": (80,),
        "global_model": False,
        "reconciliation": "bottom_up",
    }
    local = Forecaster(6, **settings).fit(data).predict()
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        remote = Forecaster(6, engine="dask", n_jobs=2, **settings).fit(data).predict()
    merged = local.frame.merge(remote.frame, on=["unique_id", "ds"], suffixes=("_local", "_dask"))
    assert len(merged) == len(local.frame) == 7 * 6
    for column in ("yhat", "yhat_lo_80", "yhat_hi_80"):
        # statsforecast's distributed path computes in float32.
        assert (merged[f"{column}_local"] - merged[f"{column}_dask"]).abs().max() < 1e-3
    assert remote.choices == local.choices and remote.coherence_error < 1e-9
