"""Distributed engines: joining a cluster once per process, and moving frames to and from it.

:class:`~argentier.forecast.Forecaster` with ``engine="dask"``, ``"ray"`` or ``"spark"`` runs statsforecast
through fugue on the cluster the process is connected to: the current ``distributed.Client``, the ``ray.init``
session or the active ``SparkSession``. Scripts connect however they like; the command line and the API server
connect with :func:`connect_engine` from the ``[forecast]`` settings (``engine``, ``address``), so that a
server's forecast jobs run on a shared cluster without code. Without a connection, Dask uses its local
scheduler, Ray starts a local cluster and Spark a local session (``local[*]``).

>>> connect_engine("local")  # nothing to join
>>> connect_engine("flink")
Traceback (most recent call last):
...
argentier.errors.ConfigError: unknown forecast engine 'flink'; choose from local, dask, ray, spark
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from argentier.errors import ArgentierError, ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENGINES", "connect_engine", "disconnect_engines", "engine_frame", "pandas_frame"]

ENGINES = ("local", "dask", "ray", "spark")
_LOCK = threading.Lock()
_OPENED: dict[str, Any] = {}  # what this module opened: the Dask client, "ray", the Spark session


def connect_engine(engine: str, address: str | None = None, *, timeout: float = 10.0) -> None:
    """Make sure this process is connected to ``engine``'s cluster; a no-op when it already is.

    ``dask``: an existing default ``distributed.Client`` is kept; otherwise, with ``address``, a client to that
    scheduler becomes the default. ``ray``: ``ray.init(address)`` unless Ray is already initialised
    (``address=None``: ``RAY_ADDRESS`` if set, else a local cluster). ``spark``: the active session is kept;
    otherwise one is started with ``address`` as its master (``spark://host:7077``; default ``local[*]``).
    Raises :class:`ConfigError` for an unknown engine and :class:`ArgentierError` naming the engine and address
    when the package is missing or the cluster cannot be reached (within ``timeout`` seconds for Dask).
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown forecast engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "local":
        return
    try:
        with _LOCK:
            if engine == "dask":
                _connect_dask(address, timeout)
            elif engine == "ray":
                _connect_ray(address)
            else:
                spark_session(address)
    except ImportError as exc:
        raise _missing(engine, exc) from exc
    except (OSError, TimeoutError, ConnectionError, RuntimeError) as exc:
        where = f" at {address}" if address else ""
        raise ArgentierError(f"cannot reach the {engine} cluster{where}: {type(exc).__name__}: {exc}") from exc


def disconnect_engines() -> None:
    """Close what :func:`connect_engine` opened in this process (a server shutting down, a test's clean-up)."""
    with _LOCK:
        client = _OPENED.pop("dask", None)
        if client is not None:
            client.close()
        ray = _OPENED.pop("ray", None)
        if ray is not None:
            ray.shutdown()
        spark = _OPENED.pop("spark", None)
        if spark is not None:
            spark.stop()


def engine_frame(engine: str, frame: pd.DataFrame, partitions: int = 2) -> Any:
    """``frame`` as ``engine``'s distributed frame (``local``: as it is)."""
    if engine == "local":
        return frame
    try:
        if engine == "ray":
            import ray.data

            return ray.data.from_pandas(frame)
        if engine == "spark":
            return spark_session().createDataFrame(frame)
        import dask.dataframe as dd
    except ImportError as exc:
        raise _missing(engine, exc) from exc
    return dd.from_pandas(frame, npartitions=max(2, partitions))


def pandas_frame(frame: Any) -> pd.DataFrame:
    """A distributed result (Dask, Ray or Spark frame) collected into pandas."""
    if hasattr(frame, "compute"):
        return frame.compute()
    if hasattr(frame, "toPandas"):
        return frame.toPandas()
    return frame.to_pandas()


def spark_session(master: str | None = None) -> Any:
    """The active Spark session, or a new one on ``master`` (default ``local[*]``).

    A session started here runs its Python workers on this interpreter (``PYSPARK_PYTHON``, unless set), so
    they see the same packages, and has neither a web UI nor a console progress bar.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master or "local[*]").appName("argentier")
    session = (
        builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _OPENED["spark"] = session
    return session


def _missing(engine: str, exc: ImportError) -> ArgentierError:
    extra = "spark" if engine == "spark" else "distributed"
    return ArgentierError(f"engine {engine!r} needs {exc.name}: pip install 'argentier[{extra}]'")


def _connect_dask(address: str | None, timeout: float) -> None:
    import distributed

    try:
        distributed.default_client()
        return
    except ValueError:  # no client in this process
        pass
    if address is None:
        return
    _OPENED["dask"] = distributed.Client(address, timeout=timeout, set_as_default=True)


def _connect_ray(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    if address is None:
        ray.init(include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)
    _OPENED["ray"] = ray
