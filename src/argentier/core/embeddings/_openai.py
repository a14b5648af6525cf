"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Azure-style gateways, vLLM,
Ollama, llama.cpp, text-embeddings-inference, LiteLLM...), over httpx with retries."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from argentier.core._http import HttpFailure, backoff_delay, one_line, openai_endpoint_url, post_json
from argentier.core.embeddings._base import check_texts, l2_normalise
from argentier.errors import EmbeddingError


def embeddings_url(base_url: str) -> str:
    """The embeddings URL for a base URL given with or without ``/v1`` (or already ending in ``/embeddings``).

    >>> embeddings_url("https://api.openai.com/v1")
    'https://api.openai.com/v1/embeddings'
    >>> embeddings_url("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080/v1/embeddings'
    """
    return openai_endpoint_url(base_url, "embeddings")


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible HTTP endpoint.

    Texts are sent ``batch_size`` at a time. Timeouts, connection failures, 429 and 5xx answers are retried
    ``max_retries`` times with exponential backoff (``backoff_s``, doubled each time, or the server's
    ``Retry-After``); anything else fails at once. Every failure raises :class:`EmbeddingError` with a
    one-line message naming the endpoint and the cause (never the API key). ``dimensions``, when given, is
    sent to the server (OpenAI's ``text-embedding-3-*`` shorten their vectors to it) and checked on every
    answer; when not given it is learnt from the first answer (reading ``.dimensions`` first makes one small
    request). Rows are L2-normalised.

    >>> embedder = OpenAIEmbedder(base_url="https://api.openai.com/v1", model="text-embedding-3-small",
    ...                           api_key="sk-...", dimensions=512)
    >>> embedder.name
    'openai:text-embedding-3-small@512'
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout_s: float = 30.0,
        dimensions: int | None = None,
        max_retries: int = 3,
        backoff_s: float = 0.5,
    ):
        if not base_url or not base_url.strip():
            raise EmbeddingError("no base_url for the OpenAI-compatible embedding endpoint")
        if batch_size < 1 or max_retries < 0 or timeout_s <= 0 or backoff_s < 0:
            raise ValueError(
                "batch_size >= 1, max_retries >= 0, timeout_s > 0 and backoff_s >= 0 are required"
            )
        if dimensions is not None and dimensions < 1:
            raise ValueError(f"dimensions must be at least 1, not {dimensions}")
        self.url = embeddings_url(base_url)
        self.model = model
        self.batch_size = batch_size
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.requested_dimensions = dimensions
        self.name = f"openai:{model}" if dimensions is None else f"openai:{model}@{dimensions}"
        self._api_key = api_key
        self._dimensions = dimensions
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(url={self.url!r}, model={self.model!r}, dimensions={self._dimensions})"

    @property
    def dimensions(self) -> int:
        """The vector size: as configured, else learnt from the first answer (asking the server if needed)."""
        if self._dimensions is None:
            self.embed(["dimension probe"])
        assert self._dimensions is not None
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` remotely: shape ``(len(texts), dimensions)``, float32, unit-length rows.

        >>> OpenAIEmbedder(base_url="http://127.0.0.1:9", model="m", dimensions=8).embed([]).shape
        (0, 8)
        """
        texts = check_texts(texts)
        if not texts:
            return np.empty((0, self.dimensions), dtype=np.float32)
        import httpx

        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        # OpenAI refuses empty strings; a single space embeds to (nearly) the same "no content" vector.
        texts = [text if text.strip() else " " for text in texts]
        parts = []
        with httpx.Client(timeout=self.timeout_s, headers=headers) as client:
            for start in range(0, len(texts), self.batch_size):
                parts.append(self._embed_batch(client, texts[start : start + self.batch_size]))
        return l2_normalise(np.concatenate(parts))

    def _embed_batch(self, client: Any, texts: list[str]) -> np.ndarray:
        payload: dict[str, Any] = {"model": self.model, "input": texts}
        if self.requested_dimensions is not None:
            payload["dimensions"] = self.requested_dimensions
        body = self._post(client, payload)
        return self._parse(body, len(texts))

    def _post(self, client: Any, payload: dict[str, Any]) -> bytes:
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            outcome = post_json(client, self.url, payload, timeout_s=self.timeout_s)
            if not isinstance(outcome, HttpFailure):
                return outcome.content
            if not outcome.retryable:
                raise EmbeddingError(f"embedding request to {self.url} failed: {outcome.cause}")
            if attempt + 1 < attempts:
                time.sleep(backoff_delay(attempt, self.backoff_s, retry_after=outcome.retry_after))
        raise EmbeddingError(
            f"embedding request to {self.url} failed after {attempts} attempts: {outcome.cause}"
        )

    def _parse(self, body: bytes, expected: int) -> np.ndarray:
        def bad(reason: str) -> EmbeddingError:
            return EmbeddingError(f"embedding endpoint {self.url} returned an unusable answer: {reason}")

        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad(f"invalid JSON ({exc})") from None
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise bad("no 'data' list")
        if len(items) != expected:
            raise bad(f"{len(items)} embeddings for {expected} inputs")
        if all(isinstance(item, dict) and isinstance(item.get("index"), int) for item in items):
            items = sorted(items, key=lambda item: item["index"])
        rows = []
        for item in items:
            raw = item.get("embedding") if isinstance(item, dict) else None
            try:
                if isinstance(raw, str):  # encoding_format=base64 answers
                    row = np.frombuffer(base64.b64decode(raw), dtype="<f4").astype(np.float32)
                else:
                    row = np.asarray(raw, dtype=np.float32)
            except (TypeError, ValueError) as exc:
                raise bad(f"an embedding is not a list of numbers ({one_line(str(exc))})") from None
            if row.ndim != 1 or row.size == 0:
                raise bad("an embedding is not a non-empty list of numbers")
            rows.append(row)
        sizes = {row.size for row in rows}
        if len(sizes) != 1:
            raise bad(f"embeddings of different sizes {sorted(sizes)}")
        vectors = np.stack(rows)
        if not np.isfinite(vectors).all():
            raise bad("an embedding contains NaN or infinity")
        size = sizes.pop()
        with self._lock:
            if self._dimensions is None:
                self._dimensions = size
        if size != self._dimensions:
            raise bad(f"{size}-dimensional embeddings where {self._dimensions} were expected")
        return vectors
