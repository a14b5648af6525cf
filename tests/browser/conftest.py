"""Browser tests: Debian's chromium driven by Playwright against a real uvicorn server on 127.0.0.1.

One browser per session, one server per test module (a temporary SQLite store with demo data made through the
Python APIs). On a failed test the page's screenshot goes to ``test-artifacts/browser/`` under the project.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from _browser import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
VIEWPORT = {"width": 1366, "height": 768}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def live_server_factory(tmp_path_factory, embedder):
    servers = []

    def make(seed=None, **settings) -> LiveServer:
        server = LiveServer(tmp_path_factory.mktemp("web") / "home", embedder, **settings)
        if seed is not None:
            seed(server)
        servers.append(server.start())
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser, request):
    """A fresh page at 1366x768 that records console errors; screenshot on failure."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    try:
        yield page
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
            with contextlib.suppress(Exception):  # a screenshot must not hide the test's own failure
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()
