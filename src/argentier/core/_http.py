"""What the HTTP clients of ``core`` (embeddings, LLM providers) share: one POST classified into success,
transient failure (worth retrying) or permanent failure, the ``Retry-After`` header and the backoff delay.

httpx is imported inside the functions that need it, so importing this module stays cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 60.0
_EXCERPT_CHARS = 200


def one_line(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters, for one-line error messages.

    >>> one_line("upstream\\n   exploded")
    'upstream exploded'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header given in seconds (dates are ignored), capped at 60.

    >>> retry_after_seconds("2"), retry_after_seconds("3600"), retry_after_seconds("Wed, 21 Oct 2015")
    (2.0, 60.0, None)
    """
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return None if seconds is None or seconds < 0 else min(seconds, MAX_RETRY_AFTER_S)


def backoff_delay(
    attempt: int,
    backoff_s: float,
    *,
    retry_after: float | None = None,
    jitter: bool = False,
    rng: random.Random | None = None,
) -> float:
    """The pause before retry number ``attempt + 1``: the server's ``Retry-After`` when it gave one, else
    ``backoff_s * 2**attempt``; with ``jitter`` a uniform draw from the upper half of that, so that clients
    that failed together do not all come back at the same instant.

    >>> backoff_delay(2, 0.5), backoff_delay(0, 0.5, retry_after=3.0)
    (2.0, 3.0)
    >>> 1.0 <= backoff_delay(2, 0.5, jitter=True) <= 2.0
    True
    """
    if retry_after is not None:
        return retry_after
    delay = backoff_s * 2**attempt
    if jitter:
        delay = (rng or random).uniform(delay / 2, delay)
    return delay


@dataclass(frozen=True)
class HttpFailure:
    """A failed POST: a one-line ``cause``, whether retrying may help, and what the server said."""

    cause: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


def post_json(client: Any, url: str, payload: dict[str, Any], *, timeout_s: float) -> Any:
    """POST ``payload`` once: the ``httpx.Response`` when the status is 200, else an :class:`HttpFailure`.

    Timeouts, transport errors (refused or reset connections) and the statuses in ``RETRY_STATUSES`` are
    retryable; anything else (a bad request, a wrong key, an invalid URL) is not. Causes never include the
    request headers, so an API key cannot leak into a message.
    """
    import httpx

    try:
        response = client.post(url, json=payload)
    except httpx.TimeoutException:
        return HttpFailure(f"no answer within {timeout_s:g} s", retryable=True)
    except httpx.TransportError as exc:
        return HttpFailure(one_line(f"{type(exc).__name__}: {exc}"), retryable=True)
    except httpx.HTTPError as exc:  # e.g. an invalid URL: retrying will not help
        return HttpFailure(one_line(str(exc)), retryable=False)
    if response.status_code == 200:
        return response
    status = response.status_code
    retryable = status in RETRY_STATUSES
    return HttpFailure(
        one_line(f"HTTP {status} {response.reason_phrase}: {response.text}"),
        retryable=retryable,
        status=status,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")) if retryable else None,
    )


def openai_endpoint_url(base_url: str, endpoint: str) -> str:
    """The URL of an OpenAI-style ``endpoint`` for a base URL given with or without ``/v1`` (or complete).

    >>> openai_endpoint_url("https://api.openai.com/v1", "embeddings")
    'https://api.openai.com/v1/embeddings'
    >>> openai_endpoint_url("http://127.0.0.1:11434/", "chat/completions")
    'http://127.0.0.1:11434/v1/chat/completions'
    >>> openai_endpoint_url("http://host/v1/chat/completions", "chat/completions")
    'http://host/v1/chat/completions'
    """
    url = base_url.strip().rstrip("/")
    if url.endswith(f"/{endpoint}"):
        return url
    if url.endswith("/v1"):
        return f"{url}/{endpoint}"
    return f"{url}/v1/{endpoint}"
