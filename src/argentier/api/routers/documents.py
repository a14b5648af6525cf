"""``/documents``: upload, list, read and delete documents, limited to what the caller's groups may read.

Uploads are the raw file as the request body with its name in ``?filename=`` (python-multipart is not a
dependency). The file is kept under ``<home>/uploads/<key>/<name>``, where the key hashes the bytes with the
collection and groups, so uploading the same file again is ``unchanged`` while the same file uploaded by
another group becomes that group's own document.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from argentier.api._audit import record_write
from argentier.api._deps import Analyst, ServicesDep, Viewer
from argentier.api._schemas import AddOutcomeOut, DocumentDetail, DocumentOut, Page
from argentier.api.routers._paging import Limit, Offset
from argentier.core.documents import SUPPORTED_SUFFIXES
from argentier.core.files import safe_file_name, write_atomic
from argentier.core.library import DEFAULT_COLLECTION
from argentier.errors import InputError

router = APIRouter(prefix="/documents", tags=["documents"])


def _safe_name(filename: str) -> str:
    return safe_file_name(filename, SUPPORTED_SUFFIXES)


async def _read_body(request: Request, limit_bytes: int, name: str) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit_bytes:
        raise InputError(f"larger than the {limit_bytes // 2**20} MiB upload limit", source=name)
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit_bytes:
            raise InputError(f"larger than the {limit_bytes // 2**20} MiB upload limit", source=name)
        parts.append(part)
    if not size:
        raise InputError("the request body is empty; send the file's bytes", source=name)
    return b"".join(parts)


def _upload_groups(requested: list[str] | None, caller: tuple[str, ...]) -> list[str]:
    """The groups a new document gets: the caller's own, or a subset of them (so they can still read it)."""
    if not requested:
        return list(caller)
    outside = sorted(set(requested) - set(caller))
    if outside:
        raise InputError(f"you are not in group(s) {', '.join(outside)}", source="groups")
    return sorted(set(requested))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AddOutcomeOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_document(
    request: Request,
    services: ServicesDep,
    user: Analyst,
    filename: Annotated[
        str, Query(min_length=1, max_length=255, description="The file's name, with its type.")
    ],
    collection: Annotated[str, Query(min_length=1, max_length=200)] = DEFAULT_COLLECTION,
    groups: Annotated[
        list[str] | None, Query(description="A subset of your groups; default all of them.")
    ] = None,
) -> dict:
    """Add a document from the raw bytes of the request body (PDF, DOCX, HTML, Markdown, text).

    The same bytes uploaded again (same collection and groups) are ``unchanged``; changed bytes are a new
    document (delete the old one to replace it).
    """
    name = _safe_name(filename)
    document_groups = _upload_groups(groups, user.groups)
    data = await _read_body(request, int(services.settings.api.max_upload_mb * 2**20), name)
    key = hashlib.sha256(data + repr((collection, document_groups)).encode()).hexdigest()
    target = Path(services.settings.home) / "uploads" / key[:2] / key / name
    created = not target.exists()
    if created:
        write_atomic(target, data)
    try:
        # Parsing and embedding take seconds: off the event loop, so other requests go on meanwhile.
        outcome = await run_in_threadpool(
            services.library.add_file, target, collection=collection, groups=document_groups
        )
    except InputError as exc:
        if created:
            shutil.rmtree(target.parent, ignore_errors=True)
        # Name the file as the caller named it, not by its place on the server.
        raise InputError(exc.reason, source=name) from None
    result = outcome.to_dict()
    result["source"] = name
    if outcome.status != "unchanged" and outcome.document is not None:
        await run_in_threadpool(
            record_write,
            services.store,
            user.username,
            "document.add",
            "document",
            outcome.document.id,
            {"filename": name, "status": outcome.status, "collection": collection, "groups": document_groups},
        )
    return result


@router.get("", response_model=Page[DocumentOut])
def list_documents(
    services: ServicesDep,
    user: Viewer,
    collection: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    """The documents your groups may read, oldest first (one page; ``total`` counts them all)."""
    library = services.library
    documents = library.list_documents(collection=collection, groups=user.groups, limit=limit, offset=offset)
    total = library.count_documents(collection=collection, groups=user.groups)
    return {
        "items": [document.to_dict() for document in documents],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if offset + limit < total else None,
        "total": total,
    }


@router.get("/{document_id}", response_model=DocumentDetail)
def get_document(services: ServicesDep, user: Viewer, document_id: int) -> dict:
    """One document with its full text (404 if it does not exist or your groups may not read it)."""
    stored = services.library.get_document(document_id, groups=user.groups)
    return {**stored.info.to_dict(), "text": stored.parsed.text}


@router.delete("/{document_id}", response_model=DocumentOut)
def delete_document(services: ServicesDep, user: Analyst, document_id: int) -> dict:
    """Delete a document your groups may read, with its chunks."""
    info = services.library.remove_document(document_id, groups=user.groups)
    record_write(services.store, user.username, "document.delete", "document", info.id, {"title": info.title})
    return info.to_dict()
