"""One router per domain; a new module adds its router here and to :data:`ROUTERS`."""

from argentier.api.routers import audit, auth, documents, fraud, jobs, regwatch, review, search

ROUTERS = (
    auth.router,
    documents.router,
    search.router,
    review.router,
    regwatch.router,
    fraud.router,
    jobs.router,
    audit.router,
)

__all__ = ["ROUTERS"]
