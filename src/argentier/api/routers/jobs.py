"""``/jobs``: poll the progress and result of a background job."""

from __future__ import annotations

from fastapi import APIRouter

from argentier.api._deps import ServicesDep, Viewer
from argentier.api._schemas import JobOut
from argentier.errors import NotFoundError

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut)
def get_job(services: ServicesDep, user: Viewer, job_id: str) -> dict:
    """A job you started (admins see every job); its result once ``status`` is ``succeeded``."""
    job = services.jobs.get(job_id)
    if job.owner != user.username and not user.has_role("admin"):
        raise NotFoundError(f"no job {job_id}")
    return job.to_dict()
