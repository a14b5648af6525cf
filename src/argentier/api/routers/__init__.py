"""One router per domain; a new module adds its router here and to :data:`ROUTERS`."""

from argentier.api.routers import (
    assistant,
    audit,
    auth,
    contracts,
    datasets,
    documents,
    forecast,
    fraud,
    jobs,
    planning,
    profitability,
    regwatch,
    review,
    search,
)

ROUTERS = (
    auth.router,
    documents.router,
    search.router,
    review.router,
    regwatch.router,
    contracts.router,
    fraud.router,
    datasets.router,
    forecast.router,
    profitability.router,
    planning.router,
    assistant.router,
    jobs.router,
    audit.router,
)

__all__ = ["ROUTERS"]
