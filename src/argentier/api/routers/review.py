"""``/review``: the human review queue; verdicts are recorded under the authenticated user's name."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from argentier.api._deps import Analyst, ServicesDep, Viewer
from argentier.api._schemas import ApproveIn, EditIn, FindingOut, Page, RejectIn
from argentier.api.routers._paging import Limit, Offset, page_from_probe

router = APIRouter(prefix="/review", tags=["review"])

Status = Literal["pending", "approved", "edited", "rejected"]


@router.get("/findings", response_model=Page[FindingOut])
def list_findings(
    services: ServicesDep,
    user: Viewer,
    kind: Annotated[str | None, Query(max_length=100, description="e.g. regwatch.summary")] = None,
    status: Status | None = None,
    subject_type: Annotated[str | None, Query(max_length=50)] = None,
    subject_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    """Findings in creation order; those about documents your groups may not read are left out."""
    probe = services.review.list_findings(
        kind=kind,
        status=status,
        subject_type=subject_type,
        subject_id=subject_id,
        groups=user.groups,
        limit=limit + 1,
        offset=offset,
    )
    return page_from_probe([finding.to_dict() for finding in probe], limit, offset)


@router.get("/findings/{finding_id}", response_model=FindingOut)
def get_finding(services: ServicesDep, user: Viewer, finding_id: int) -> dict:
    return services.review.get_finding(finding_id, groups=user.groups).to_dict()


@router.get("/findings/{finding_id}/history")
def finding_history(services: ServicesDep, user: Viewer, finding_id: int) -> dict[str, Any]:
    """The finding with every verdict and audit event, oldest first."""
    return services.review.history(finding_id, groups=user.groups).to_dict()


@router.post("/findings/{finding_id}/approve", response_model=FindingOut)
def approve(services: ServicesDep, user: Analyst, finding_id: int, body: ApproveIn | None = None) -> dict:
    reason = body.reason if body else None
    return services.review.approve(finding_id, user.username, groups=user.groups, reason=reason).to_dict()


@router.post("/findings/{finding_id}/edit", response_model=FindingOut)
def edit(services: ServicesDep, user: Analyst, finding_id: int, body: EditIn) -> dict:
    """Accept with a corrected payload; the original payload stays on the finding."""
    return services.review.edit(
        finding_id, user.username, body.payload, groups=user.groups, reason=body.reason
    ).to_dict()


@router.post("/findings/{finding_id}/reject", response_model=FindingOut)
def reject(services: ServicesDep, user: Analyst, finding_id: int, body: RejectIn) -> dict:
    return services.review.reject(finding_id, user.username, body.reason, groups=user.groups).to_dict()


@router.get("/stats")
def stats(
    services: ServicesDep,
    user: Viewer,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Acceptance rates per kind, producer version and ISO week, over the findings your groups may read."""
    return services.review.stats(kind=kind, since=since, groups=user.groups).to_dict()
