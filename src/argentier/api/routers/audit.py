"""``/audit``: the append-only log of writes (API writes and review verdicts), for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from argentier.api._audit import list_audit
from argentier.api._deps import Admin, ServicesDep
from argentier.api.routers._paging import Limit, Offset, page_from_probe

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def audit_log(
    services: ServicesDep,
    user: Admin,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[
        str | None, Query(max_length=50, description="A prefix, e.g. document. or finding.")
    ] = None,
    object_type: Annotated[str | None, Query(max_length=50)] = None,
    object_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    """Who did what to which object, newest first."""
    probe = list_audit(
        services.store,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        limit=limit + 1,
        offset=offset,
    )
    return page_from_probe([event.to_dict() for event in probe], limit, offset)
