"""Scale-out: the same Forecaster call on a local Dask cluster and on a local Ray cluster gives the local answer."""

import contextlib
import shutil

import pytest

from argentier.config import Settings
from argentier.errors import InputError
from argentier.forecast import Forecaster, connect_engine, demo_sales, disconnect_engines, load_series

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


@contextlib.contextmanager
def spark_cluster():
    pytest.importorskip("pyspark")
    pytest.importorskip("fugue_spark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    # A real local Spark session (a JVM, Python workers on this interpreter), two cores like the CI machine.
    connect_engine("spark", "local[2]")
    try:
        yield
    finally:
        disconnect_engines()


@pytest.mark.parametrize(
    "engine, cluster", [("dask", dask_cluster), ("ray", ray_cluster), ("spark", spark_cluster)]
)
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
    with pytest.raises(InputError, match="unknown engine 'flink'; choose from local, dask, ray, spark"):
        Forecaster(6, engine="flink", **SETTINGS).fit(data)


def test_api_forecast_jobs_run_on_the_configured_dask_cluster(tmp_path, embedder, database_url, data, local):
    """`[forecast] engine = "dask"`, `address = <scheduler>`: the server's forecast jobs run on that cluster."""
    import time

    distributed = pytest.importorskip("distributed")
    from fastapi.testclient import TestClient

    from argentier.api import create_app
    from argentier.api.auth import ScryptParams, create_token, create_user

    frame = demo_sales(periods=36)
    csv = frame.assign(ds=frame.ds.dt.strftime("%Y-%m-%d")).to_csv(index=False).encode()
    with distributed.LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None, protocol="tcp://"
    ) as cluster:
        settings = Settings(
            home=tmp_path / "home",
            database_url=database_url,
            forecast={"engine": "dask", "address": cluster.scheduler_address},
        )
        app = create_app(settings, embedder=embedder)
        store = app.state.services.store
        create_user(store, "alice", "alice-long-password", role="analyst", groups=["finance"],
                    params=ScryptParams(n=2**10, r=8, p=1))
        headers = {"Authorization": f"Bearer {create_token(store, 'alice').token}"}
        with TestClient(app) as client:
            upload = client.post("/datasets", params={"filename": "sales.csv"}, content=csv, headers=headers)
            assert upload.status_code == 201, upload.text
            body = {"dataset_id": upload.json()["dataset"]["id"], "horizon": 6, "levels": ["region", "category"],
                    "models": list(SETTINGS["models"]), "level": [80], "global_model": False,
                    "reconciliation": "bottom_up"}
            job = client.post("/forecast/runs", json=body, headers=headers).json()
            for _ in range(1200):
                job = client.get(f"/jobs/{job['id']}", headers=headers).json()
                if job["status"] in ("succeeded", "failed"):
                    break
                time.sleep(0.1)
            assert job["status"] == "succeeded", job.get("error")
            # the cluster did the work: its scheduler ran statsforecast's tasks
            assert len(cluster.scheduler.task_prefixes) > 0
        # the app's shutdown closed the client it opened
        with pytest.raises(ValueError):
            distributed.default_client()
    result = job["result"]
    assert result["engine"] == "dask"
    remote = {(row["unique_id"], row["ds"][:10]): row["yhat"] for row in result["rows"]}
    expected = {(u, str(d)[:10]): y for u, d, y in local.frame[["unique_id", "ds", "yhat"]].itertuples(index=False)}
    assert remote.keys() == expected.keys()
    assert max(abs(remote[key] - expected[key]) for key in expected) < 1e-3


def test_connect_engine_names_an_unreachable_cluster():
    pytest.importorskip("distributed")
    from argentier.errors import ArgentierError

    with pytest.raises(ArgentierError, match=r"cannot reach the dask cluster at tcp://127\.0\.0\.1:9"):
        connect_engine("dask", "tcp://127.0.0.1:9", timeout=1)
