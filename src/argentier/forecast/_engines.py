"""Joining the cluster a distributed engine runs on, once per process.

:class:`~argentier.forecast.Forecaster` with ``engine="dask"`` or ``"ray"`` runs on the cluster the process is
connected to: the current ``distributed.Client`` or the ``ray.init`` session. Scripts connect however they
like; the command line and the API server connect with :func:`connect_engine` from the ``[forecast]`` settings
(``engine``, ``address``), so that a server's forecast jobs run on a shared cluster without code.

>>> connect_engine("local")  # nothing to join
>>> connect_engine("spark")
Traceback (most recent call last):
...
argentier.errors.ConfigError: unknown forecast engine 'spark'; choose from local, dask, ray
"""

from __future__ import annotations

import threading

from argentier.errors import ArgentierError, ConfigError

__all__ = ["ENGINES", "connect_engine", "disconnect_engines"]

ENGINES = ("local", "dask", "ray")
_LOCK = threading.Lock()
_CLIENTS: dict[str, object] = {}  # what this module connected: the Dask client it made, "ray" when it ran ray.init


def connect_engine(engine: str, address: str | None = None, *, timeout: float = 10.0) -> None:
    """Make sure this process is connected to ``engine``'s cluster; a no-op when it already is.

    ``dask``: an existing default ``distributed.Client`` is kept; otherwise, with ``address``, a client to that
    scheduler becomes the default; without one, fugue uses Dask's local scheduler. ``ray``: ``ray.init(address)``
    unless Ray is already initialised (``address=None``: ``RAY_ADDRESS`` if set, else a local cluster).
    Raises :class:`ConfigError` for an unknown engine and :class:`ArgentierError` naming the engine and address
    when the package is missing or the cluster cannot be reached within ``timeout`` seconds (Dask).
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown forecast engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "local":
        return
    try:
        with _LOCK:
            if engine == "dask":
                _connect_dask(address, timeout)
            else:
                _connect_ray(address)
    except ImportError as exc:
        raise ArgentierError(
            f"engine {engine!r} needs {exc.name}: pip install 'argentier[distributed]'"
        ) from exc
    except (OSError, TimeoutError, ConnectionError, RuntimeError) as exc:
        where = f" at {address}" if address else ""
        raise ArgentierError(f"cannot reach the {engine} cluster{where}: {type(exc).__name__}: {exc}") from exc


def _connect_dask(address: str | None, timeout: float) -> None:
    import distributed

    try:
        distributed.default_client()
        return
    except ValueError:  # no client in this process
        pass
    if address is None:
        return
    _CLIENTS["dask"] = distributed.Client(address, timeout=timeout, set_as_default=True)


def _connect_ray(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    if address is None:
        ray.init(include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)
    _CLIENTS["ray"] = ray


def disconnect_engines() -> None:
    """Close what :func:`connect_engine` opened in this process (a server shutting down, a test's clean-up)."""
    with _LOCK:
        client = _CLIENTS.pop("dask", None)
        if client is not None:
            client.close()
        ray = _CLIENTS.pop("ray", None)
        if ray is not None:
            ray.shutdown()
