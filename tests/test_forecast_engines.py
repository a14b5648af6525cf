"""Scale-out: the same Forecaster call on a local Dask cluster and on a local Ray cluster gives the local answer."""

import contextlib

import pytest

from argentier.errors import InputError
from argentier.forecast import Forecaster, demo_sales, load_series

SETTINGS = {
    "models": ("seasonal_naive", "naive"),
    "level": (80,),
    "global_model": False,
    "reconciliation": "bottom_up",
}


@pytest.fixture(scope="module")
def data():
    return load_series(demo_sales(periods=36), hierarchy=["region", "category"])


@pytest.fixture(scope="module")
def local(data):
    return Forecaster(6, **SETTINGS).fit(data).predict()


@contextlib.contextmanager
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        yield


@contextlib.contextmanager
def ray_cluster():
    ray = pytest.importorskip("ray")
    pytest.importorskip("fugue_ray")
    # A real local Ray cluster (raylet, object store, worker processes), two CPUs like the CI machine.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.parametrize("engine, cluster", [("dask", dask_cluster), ("ray", ray_cluster)])
def test_engine_matches_local(engine, cluster, data, local):
    with cluster():
        remote = Forecaster(6, engine=engine, n_jobs=2, **SETTINGS).fit(data).predict()
    merged = local.frame.merge(remote.frame, on=["unique_id", "ds"], suffixes=("_local", "_remote"))
    assert len(merged) == len(local.frame) == 7 * 6
    assert list(remote.frame.dtypes.astype(str)) == list(local.frame.dtypes.astype(str))
    for column in ("yhat", "yhat_lo_80", "yhat_hi_80"):
        # statsforecast's distributed path computes in float32.
        assert (merged[f"{column}_local"] - merged[f"{column}_remote"]).abs().max() < 1e-3
    assert remote.choices == local.choices and remote.coherence_error < 1e-9


def test_unknown_engine_is_refused(data):
    with pytest.raises(InputError, match="unknown engine 'spark'; choose from local, dask, ray"):
        Forecaster(6, engine="spark", **SETTINGS).fit(data)
