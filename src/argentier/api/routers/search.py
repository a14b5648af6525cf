"""``/search``: hybrid search over the documents the caller's groups may read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from argentier.api._deps import ServicesDep, Viewer
from argentier.api._schemas import SearchHitOut
from argentier.errors import InputError

router = APIRouter(prefix="/search", tags=["search"])


def _meta(pairs: list[str] | None) -> dict[str, str]:
    meta = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected key=value, got {pair!r}", source="meta")
        meta[key.strip()] = value.strip()
    return meta


@router.get("", response_model=list[SearchHitOut])
def search(
    services: ServicesDep,
    user: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The query.")],
    k: Annotated[int, Query(ge=1, le=200)] = 10,
    collection: Annotated[str | None, Query(max_length=200)] = None,
    meta: Annotated[
        list[str] | None, Query(description="Metadata filters, key=value (all must match).")
    ] = None,
    mode: Literal["hybrid", "keyword", "vector"] = "hybrid",
    fusion: Literal["rrf", "weighted"] | None = None,
) -> list[dict]:
    """The best passages for ``q``; never one from a document your groups may not read."""
    hits = services.library.search(
        q, k=k, collection=collection, groups=user.groups, meta=_meta(meta), mode=mode, fusion=fusion
    )
    return [hit.to_dict() for hit in hits]
