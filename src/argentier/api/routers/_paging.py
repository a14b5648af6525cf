"""Offset pagination shared by the list endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]


def page_of(items: Sequence[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    """A page cut from a full list (the total is known).

    >>> page_of([{"id": n} for n in range(5)], limit=2, offset=2)
    {'items': [{'id': 2}, {'id': 3}], 'limit': 2, 'offset': 2, 'next_offset': 4, 'total': 5}
    """
    chunk = list(items[offset : offset + limit])
    following = offset + limit
    return {
        "items": chunk,
        "limit": limit,
        "offset": offset,
        "next_offset": following if following < len(items) else None,
        "total": len(items),
    }


def page_from_probe(probe: Sequence[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    """A page from a query that asked for ``limit + 1`` rows: the extra row only says whether more follow.

    >>> page_from_probe([{"id": 1}, {"id": 2}], limit=2, offset=0)["next_offset"] is None
    True
    """
    return {
        "items": list(probe[:limit]),
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(probe) > limit else None,
        "total": None,
    }
