"""`/datasets`: tabular files (CSV, Parquet) uploaded for the analytical modules, limited to the caller's groups.

Uploads are the raw file as the request body with its name in ``?filename=`` (like ``/documents``); the
forecast, profitability and planning endpoints then take a ``dataset_id``. Metadata is a JSON sidecar next to
the file (see :mod:`argentier.api._datasets`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from argentier.api._audit import record_write
from argentier.api._datasets import dataset_store, records
from argentier.api._deps import Analyst, ServicesDep, Viewer
from argentier.api.routers._paging import Limit, Offset, page_of
from argentier.api.routers.documents import _read_body, _upload_groups

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_dataset(
    request: Request,
    services: ServicesDep,
    user: Analyst,
    filename: Annotated[str, Query(min_length=1, max_length=255, description="e.g. sales.csv or sales.parquet")],
    groups: Annotated[list[str] | None, Query(description="A subset of your groups; default all of them.")] = None,
) -> dict:
    """Upload a CSV or Parquet table from the raw request body; answers its id, columns and row count.

    The same bytes with the same name and groups again are ``unchanged`` (same id).
    """
    kept = _upload_groups(groups, user.groups)
    data = await _read_body(request, int(services.settings.api.max_upload_mb * 2**20), filename)
    info, created = await run_in_threadpool(
        dataset_store(services).add, data, filename, groups=kept, owner=user.username
    )
    if created:
        details = {"name": info.name, "rows": info.rows, "groups": list(info.groups)}
        await run_in_threadpool(record_write, services.store, user.username, "dataset.add", "dataset", info.id, details)
    return {"status": "added" if created else "unchanged", "dataset": info.to_dict()}


@router.get("")
def list_datasets(services: ServicesDep, user: Viewer, limit: Limit = 50, offset: Offset = 0) -> dict:
    """The datasets your groups may read, oldest first."""
    items = [info.to_dict() for info in dataset_store(services).list(groups=user.groups)]
    return page_of(items, limit, offset)


@router.get("/{dataset_id}")
def get_dataset(
    services: ServicesDep,
    user: Viewer,
    dataset_id: str,
    head: Annotated[int, Query(ge=0, le=1000, description="First rows to return.")] = 20,
) -> dict:
    """One dataset: columns with types, row count and its first ``head`` rows (404 if your groups may not read it)."""
    datasets = dataset_store(services)
    info = datasets.get(dataset_id, groups=user.groups)
    rows = records(datasets.frame(dataset_id, groups=user.groups, nrows=head)) if head else []
    return {**info.to_dict(), "head": rows}


@router.delete("/{dataset_id}")
def delete_dataset(services: ServicesDep, user: Analyst, dataset_id: str) -> dict:
    """Delete a dataset your groups may read."""
    info = dataset_store(services).remove(dataset_id, groups=user.groups)
    record_write(services.store, user.username, "dataset.delete", "dataset", info.id, {"name": info.name})
    return info.to_dict()
