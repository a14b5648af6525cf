"""What every embedder promises, and the helpers they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed size.

    ``name`` identifies the model (and anything else that changes the vectors) so that cached vectors made by
    one model are never mixed with another's, e.g. ``"all-MiniLM-L6-v2"`` or
    ``"openai:text-embedding-3-small"``.

    >>> from argentier.core.embeddings import MiniLMEmbedder
    >>> isinstance(MiniLMEmbedder(), Embedder)
    True
    """

    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimensions)``, float32, each row of unit length."""
        ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, refusing a bare string (a common slip) and non-string items.

    >>> check_texts(("a", "b"))
    ['a', 'b']
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("embed() takes a sequence of strings, not a single string: wrap it in a list")
    items = list(texts)
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"embed() takes strings; item {position} is {type(item).__name__}")
    return items


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length in float32, as ``torch.nn.functional.normalize`` does (eps 1e-12).

    >>> l2_normalise(np.array([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))
