"""The web application: pages served by the API process, over the REST API (no separate front-end build).

One HTML page at ``/`` and its files under ``/static``: plain HTML, CSS and JavaScript modules, no CDN, fonts or
scripts from elsewhere. Pages are addressed by the URL fragment (``/#/documents/3?start=10&end=42``), so the
application never shadows an API path; the browser keeps its token in ``sessionStorage`` and calls the API with
``Authorization: Bearer``. ``/#token=<token>`` logs in with a token (the link ``argentier serve --demo`` prints).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "mount_web"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Only this origin's files may run or load; no framing; the token never leaks in a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class _StaticFiles(StaticFiles):
    """Static files with the security headers, revalidated on each load (they change with each release)."""

    def file_response(self, full_path: str | os.PathLike[str], *args: Any, **kwargs: Any):
        response = super().file_response(full_path, *args, **kwargs)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_web(app: FastAPI) -> None:
    """Serve the web application on ``app``: ``/`` is the page, ``/static/...`` its files.

    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> mount_web(app)
    >>> with TestClient(app) as client:
    ...     page = client.get("/")
    >>> page.status_code, page.headers["content-type"], page.headers["x-frame-options"]
    (200, 'text/html; charset=utf-8', 'DENY')
    """
    index = STATIC_DIR / "index.html"

    @app.get("/", include_in_schema=False)
    def web_app() -> FileResponse:
        return FileResponse(
            index, media_type="text/html", headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"}
        )

    app.mount("/static", _StaticFiles(directory=STATIC_DIR), name="static")
