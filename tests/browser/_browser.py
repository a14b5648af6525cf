"""The live server and page helpers of the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings

FAST = ScryptParams(n=2**10, r=8, p=1)
PEOPLE = {
    "admin": ("admin", ["treasury"]),
    "alice": ("analyst", ["treasury"]),
    "bob": ("analyst", ["sales"]),
    "victor": ("viewer", ["treasury"]),
}


def password(name: str) -> str:
    return f"{name}-long-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``create_app`` under a real uvicorn server in a thread, with users and their tokens."""

    def __init__(self, home: Path, embedder, **settings) -> None:
        import uvicorn

        from argentier.api import create_app

        self.settings = Settings(home=home, database_url=f"sqlite:///{home / 'argentier.db'}", **settings)
        self.app = create_app(self.settings, embedder=embedder)
        self.services = self.app.state.services
        self.tokens = {}
        for name, (role, groups) in PEOPLE.items():
            create_user(self.services.store, name, password(name), role=role, groups=groups, params=FAST)
            self.tokens[name] = create_token(self.services.store, name, name="browser-test").token
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the uvicorn server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)

    def login_url(self, user: str) -> str:
        """The one-click login link that ``argentier serve --demo`` prints."""
        return f"{self.url}/#token={self.tokens[user]}"


def open_as(page, server: LiveServer, user: str, route: str = "#/") -> None:
    """Log in with the one-click token link, then go to ``route`` and wait for the page to render."""
    page.goto(server.login_url(user))
    page.get_by_test_id("whoami").wait_for()
    go(page, route)


def go(page, route: str) -> None:
    """Go to ``route`` (``#/...``) and wait until its page has rendered."""
    if page.evaluate("() => window.location.hash") != route:
        page.evaluate("route => { window.location.hash = route; }", route)
    page.locator(f'main[data-rendered="{route}"]').wait_for()
