"""The web application as files served by the API: index and static files, security headers, no external URL in
any shipped file, and no API path shadowed by the pages."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.config import Settings
from argentier.web import SECURITY_HEADERS, STATIC_DIR

# Anything that would make the browser reach another host: absolute or protocol-relative URLs, CSS imports.
EXTERNAL = re.compile(
    r"""https?://[^\s"'`)<>]+|["'(=]\s*//[a-z0-9-]+(?:\.[a-z0-9-]+)+|@import""", re.IGNORECASE
)
# The SVG namespace is an identifier, never fetched.
ALLOWED = {"http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    home = tmp_path_factory.mktemp("web")
    app = create_app(Settings(home=home, database_url=f"sqlite:///{home / 'a.db'}"), embedder=embedder)
    with TestClient(app) as client:
        yield client


def shipped_files():
    return sorted(path for path in STATIC_DIR.rglob("*") if path.is_file())


def test_index_and_every_static_file_are_served_with_security_headers(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/main.js">' in page.text
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert "script-src 'self'" in page.headers["content-security-policy"]
    files = shipped_files()
    assert {"index.html", "main.js", "charts.js", "app.css"} <= {path.name for path in files}
    types = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}
    for path in files:
        relative = path.relative_to(STATIC_DIR).as_posix()
        response = client.get(f"/static/{relative}")
        assert response.status_code == 200, relative
        assert response.content == path.read_bytes()
        assert types[path.suffix] in response.headers["content-type"], relative
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/js/missing.js").status_code == 404
    assert client.get("/static/../__init__.py").status_code == 404


def test_every_module_the_pages_import_is_shipped():
    """A page importing a file that does not exist would fail in the browser only: check every import here."""
    for path in STATIC_DIR.rglob("*.js"):
        for target in re.findall(r"""(?:from|import)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""", path.read_text()):
            assert (path.parent / target).resolve().is_file(), f"{path.name} imports missing {target}"


def test_no_shipped_file_refers_to_another_host():
    offending = []
    for path in shipped_files():
        text = path.read_text(encoding="utf-8")
        offending += [
            f"{path.name}: {m.group(0)}" for m in EXTERNAL.finditer(text) if m.group(0) not in ALLOWED
        ]
    assert not offending


def test_the_scan_would_catch_an_external_url():
    for sample in (
        '<script src="https://cdn.example.com/x.js">',
        "@import url(/static/x.css)",
        "background: url(//fonts.example.org/a.woff2)",
        "fetch('//api.example.com/x')",
    ):
        assert EXTERNAL.search(sample), sample
    assert not EXTERNAL.search("// a comment in a script\nconst a = 1; // another")


def test_pages_do_not_shadow_api_routes(client):
    assert client.get("/documents").status_code == 401
    assert client.get("/documents").json()["error"] == "AuthenticationError"
    assert client.get("/openapi.json").json()["info"]["title"] == "Argentier"
    assert client.get("/docs").status_code == 200 and "swagger" in client.get("/docs").text.lower()
    assert client.get("/health").json()["status"] == "ok"
    assert client.post("/auth/token", json={"username": "nobody", "password": "x" * 12}).status_code == 401
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(path.startswith("/static") for path in paths)


def _packaged(relative: str, patterns: list[str]) -> bool:
    """Whether setuptools' package-data ``patterns`` (``*`` never crosses a ``/``) include ``relative``."""
    parts = relative.split("/")
    return any(
        len(pattern.split("/")) == len(parts)
        and all(fnmatchcase(part, glob) for part, glob in zip(parts, pattern.split("/"), strict=True))
        for pattern in patterns
    )


def test_every_static_file_ships_in_the_wheel():
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]["argentier"]
    package = STATIC_DIR.parents[1]
    missing = [
        path.relative_to(package).as_posix()
        for path in shipped_files()
        if not _packaged(path.relative_to(package).as_posix(), patterns)
    ]
    assert not missing, f"add them to [tool.setuptools.package-data] in pyproject.toml: {missing}"
    assert not _packaged("web/static/js/x.js", ["web/static/*"])  # the check itself can fail
