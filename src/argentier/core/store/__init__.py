"""The store: one SQLAlchemy engine over SQLite (default) or PostgreSQL, migrated with Alembic on open.

>>> store = Store.open("sqlite://")
>>> store.dialect
'sqlite'
>>> store.close()
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from argentier.core.store import (
    _account_models,  # noqa: F401 - registers the account-data tables (assistant's query tools) on Base.metadata
    _assistant_models,  # noqa: F401 - registers the assistant's conversation log on Base.metadata
    _auth_models,  # noqa: F401 - registers the users and API tokens tables on Base.metadata
    _forecast_models,  # noqa: F401 - registers the forecasting tables on Base.metadata
    _fraud_models,  # noqa: F401 - registers the fraud tables on Base.metadata
    _llm_models,  # noqa: F401 - registers the LLM tables on Base.metadata
    _regwatch_models,  # noqa: F401 - registers the regulatory-watch tables on Base.metadata
    _review_models,  # noqa: F401 - registers the review tables on Base.metadata
)
from argentier.core.store._models import (
    Base,
    Chunk,
    Collection,
    Document,
    DocumentGroup,
    Embedding,
    IndexState,
    VectorType,
)
from argentier.errors import StoreError

__all__ = [
    "Base",
    "Chunk",
    "Collection",
    "Document",
    "DocumentGroup",
    "Embedding",
    "IndexState",
    "Store",
    "VectorType",
]

_MIGRATIONS = Path(__file__).parent / "migrations"


def _normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for bare ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - SQLAlchemy event signature
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Store:
    """Owns the engine and hands out sessions; use :meth:`open` to create one and migrate the schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> "Store":
        """Connect to ``url`` (creating a SQLite file's folder) and bring the schema up to date."""
        url = _normalise_url(url)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"invalid database URL {url!r}: {exc}") from exc
        kwargs: dict = {}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            else:
                # One shared connection, or every session would see its own empty in-memory database.
                kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        try:
            engine = create_engine(parsed, **kwargs)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        if migrate:
            store.upgrade()
        return store

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @staticmethod
    def _alembic_config():  # noqa: ANN205 - alembic.config.Config, imported lazily
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        return config

    def head_revision(self) -> str:
        """The newest migration shipped with this version of Argentier."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision``."""
        from alembic import command

        config = self._alembic_config()
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except OperationalError as exc:
            raise StoreError(f"cannot open database: {exc.orig}") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @staticmethod
    def bump_index_version(session: Session) -> None:
        """Record that chunks changed, inside the caller's transaction."""
        session.execute(update(IndexState).where(IndexState.id == 1).values(version=IndexState.version + 1))

    def index_version(self, session: Session) -> int:
        """The current chunk-index version (see :meth:`bump_index_version`)."""
        return session.get(IndexState, 1, populate_existing=True).version

    def close(self) -> None:
        self.engine.dispose()
