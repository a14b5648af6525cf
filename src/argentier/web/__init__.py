"""The web application: pages served by the API process, over the REST API (no separate front-end build)."""

from __future__ import annotations

from fastapi import FastAPI


def mount_web(app: FastAPI) -> None:
    """Serve the web application's pages and static files on ``app`` (nothing yet)."""
