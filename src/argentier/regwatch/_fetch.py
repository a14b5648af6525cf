"""Polite HTTP GETs for the regulatory watch: one client, a minimum interval per host, conditional requests.

Every request names Argentier in its ``User-Agent``; requests to the same host are spaced by at least
``min_interval_s`` (other hosts are not delayed); the caller's ``etag`` / ``last_modified`` become
``If-None-Match`` / ``If-Modified-Since`` so an unchanged resource costs a 304 and no body.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import httpx

from argentier import __version__
from argentier.core._http import one_line
from argentier.core.documents import load_document

USER_AGENT = f"Argentier/{__version__} (regulatory watch; +https://github.com/argentier)"


@dataclass(frozen=True)
class FetchResult:
    """What one GET gave: ``status`` ``ok`` (with ``body``), ``not-modified`` or ``failed`` (with ``error``)."""

    url: str
    status: str
    http_status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


class PoliteFetcher:
    """GET resources with a per-host minimum interval; use as a context manager to close the client.

    >>> with PoliteFetcher(min_interval_s=0.0) as fetcher:
    ...     fetcher.get("http://127.0.0.1:9/unreachable").status
    'failed'
    """

    def __init__(
        self,
        *,
        min_interval_s: float = 1.0,
        timeout_s: float = 20.0,
        user_agent: str = USER_AGENT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.timeout_s = timeout_s
        self._clock = clock
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout_s,
            follow_redirects=True,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _wait_for_turn(self, host: str) -> None:
        with self._lock:
            last = self._last_request.get(host)
            if last is not None:
                pause = last + self.min_interval_s - self._clock()
                if pause > 0:
                    self._sleep(pause)
            self._last_request[host] = self._clock()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` once; never raises for network or HTTP failures (they come back as ``failed``)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._wait_for_turn(urlsplit(url).netloc.lower())
        try:
            response = self._client.get(url, headers=headers)
        except httpx.TimeoutException:
            return FetchResult(url, "failed", error=f"no answer within {self.timeout_s:g} s")
        except httpx.HTTPError as exc:
            return FetchResult(url, "failed", error=one_line(f"{type(exc).__name__}: {exc}"))
        if response.status_code == 304:
            return FetchResult(url, "not-modified", 304, etag=etag, last_modified=last_modified)
        if response.status_code != 200:
            return FetchResult(
                url,
                "failed",
                response.status_code,
                error=f"HTTP {response.status_code} {response.reason_phrase}",
            )
        return FetchResult(
            url,
            "ok",
            200,
            body=response.content,
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return "utf-8"


def body_as_text(result: FetchResult) -> tuple[str, str]:
    """The body of a fetched resource as (text, Library format): HTML kept as HTML, PDF/DOCX extracted.

    >>> body_as_text(FetchResult("https://x.example/a", "ok", 200, "Taux réduit".encode(), "text/plain"))
    ('Taux réduit', 'txt')
    """
    content_type = result.content_type.lower()
    suffix = next(
        (s for s, marker in ((".pdf", "pdf"), (".docx", "wordprocessingml")) if marker in content_type), None
    )
    if suffix is None and Path(result.url.split("?")[0]).suffix.lower() in (".pdf", ".docx"):
        suffix = Path(result.url.split("?")[0]).suffix.lower()
    if suffix is not None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"document{suffix}"
            path.write_bytes(result.body)
            return load_document(path).text, "txt"
    try:
        text = result.body.decode(_charset(content_type), errors="replace")
    except LookupError:
        text = result.body.decode("utf-8", errors="replace")
    is_plain = content_type.startswith("text/plain")
    return text, "txt" if is_plain else "html"
