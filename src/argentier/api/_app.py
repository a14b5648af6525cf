"""The FastAPI application: one process, one store, the routers of every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from argentier import __version__
from argentier.api._deps import Services
from argentier.api._errors import install_error_handlers
from argentier.api._jobs import JobRunner
from argentier.api._throttle import LoginThrottle
from argentier.api._token_cache import TokenCache
from argentier.api.routers import ROUTERS
from argentier.config import Settings
from argentier.web import mount_web

if TYPE_CHECKING:
    from argentier.core.embeddings import Embedder

DESCRIPTION = """Argentier's REST API, under the web app served at `/`. Authenticate with
`Authorization: Bearer <token>`; get a token from `POST /auth/token` (user name and password) or
`argentier users token`. Your groups decide which documents, datasets, findings, updates, answers and account
rows you can see; viewers read and run analyses that store nothing, analysts also write, admins also manage
users; every write is audited. Tabular inputs are uploaded once as datasets (`POST /datasets`) and named by id.
Long work (a regulatory fetch, forecasts, backtests, elasticities, prices, schedules, simulations) answers 202
with a job to poll at `GET /jobs/{id}`; jobs live in the server process, so a restart forgets them and each server
process sees only its own (run one process per store)."""


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """The API over the store named by ``settings`` (opened and migrated now, closed at shutdown).

    >>> from fastapi.testclient import TestClient
    >>> from argentier.core.embeddings import MiniLMEmbedder
    >>> app = create_app(Settings(database_url="sqlite://"), embedder=MiniLMEmbedder())
    >>> with TestClient(app) as client:
    ...     client.get("/documents").status_code, client.get("/openapi.json").json()["info"]["title"]
    (401, 'Argentier')
    """
    from argentier.core.library import Library
    from argentier.core.review import ReviewService

    settings = settings or Settings()
    library = Library.open(settings, embedder=embedder)
    services = Services(
        settings=settings,
        library=library,
        review=ReviewService(library.store, settings),
        jobs=JobRunner(settings.api.job_workers),
        tokens=TokenCache(settings.api.token_cache_seconds),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            services.jobs.shutdown()
            if settings.forecast.engine != "local":
                from argentier.forecast._engines import disconnect_engines

                disconnect_engines()
            library.close()

    app = FastAPI(title="Argentier", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    app.state.login_throttle = LoginThrottle()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_web(app)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Unauthenticated liveness check."""
        return {"status": "ok", "version": __version__}

    return app
