"""Argentier's REST API (FastAPI): :func:`create_app` builds it; ``argentier serve`` runs it with uvicorn.

Routers live one per domain in :mod:`argentier.api.routers`; users, passwords and tokens in
:mod:`argentier.api.auth`.
"""

from argentier.api._app import create_app

__all__ = ["create_app"]
