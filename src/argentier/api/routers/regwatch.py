"""``/regwatch``: watched sources, fetching (a background job), updates, groups of related updates, digest.

Updates, groups and the digest show only the updates whose documents the caller's groups may read.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from argentier.api._audit import record_write
from argentier.api._deps import Analyst, Services, ServicesDep, Viewer
from argentier.api._schemas import JobOut, Page, SourceIn, SourceOut, UpdateIn, UpdateOut, UpdateOutcomeOut
from argentier.api.auth import ConflictError
from argentier.api.routers._paging import Limit, Offset, page_of
from argentier.errors import InputError

router = APIRouter(prefix="/regwatch", tags=["regwatch"])
_ANALYSIS_LOCK = threading.Lock()


def _watch(services: Services):
    from argentier.regwatch import RegWatch

    return RegWatch(services.library, services.settings)


@router.get("/sources", response_model=list[SourceOut])
def list_sources(services: ServicesDep, user: Viewer) -> list[dict]:
    return [source.to_dict() for source in _watch(services).list_sources()]


@router.post("/sources", response_model=SourceOut, status_code=status.HTTP_201_CREATED)
def add_source(services: ServicesDep, user: Analyst, body: SourceIn) -> dict:
    """Watch a feed or page (409 if it is already watched)."""
    from argentier.regwatch import validate_jurisdiction

    validate_jurisdiction(body.jurisdiction)  # a bad request is a 422 even for a URL already watched
    watch = _watch(services)
    if any(source.url == body.url.strip() for source in watch.list_sources()):
        raise ConflictError(f"{body.url} is already watched")
    source = watch.add_source(
        body.url, jurisdiction=body.jurisdiction, language=body.language, kind=body.kind
    )
    record_write(
        services.store, user.username, "regwatch.source.add", "regwatch_source", source.id, source.to_dict()
    )
    return source.to_dict()


def _fetch_and_analyse(services: Services, progress) -> dict[str, Any]:
    report = _watch(services).fetch_all(
        on_progress=lambda done, total, url: progress(done, total, f"fetched {url}")
    )
    return {**report.to_dict(), "analysed": _analyse(services)}


@router.post("/fetch", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def fetch(services: ServicesDep, user: Analyst) -> dict:
    """Fetch every source and send new updates to review, in the background; poll ``GET /jobs/{id}``."""
    job = services.jobs.submit(
        "regwatch.fetch", user.username, lambda progress: _fetch_and_analyse(services, progress)
    )
    record_write(services.store, user.username, "regwatch.fetch", "job", job.id, {})
    return job.to_dict()


def _analyse(services: Services) -> int:
    """Send every update without findings yet to review (title, summary, impact); how many were analysed."""
    from argentier import __version__
    from argentier.core.llm import make_llm_client
    from argentier.regwatch.findings import analyse_pending_updates

    # A fetch job and a manual add analysing at once would both find the same update unanalysed.
    with _ANALYSIS_LOCK, make_llm_client(services.settings, services.store) as llm:
        return len(
            analyse_pending_updates(_watch(services), services.review, producer_version=__version__, llm=llm)
        )


@router.post("/updates", response_model=UpdateOutcomeOut, status_code=status.HTTP_201_CREATED)
def add_update(services: ServicesDep, user: Analyst, body: UpdateIn) -> dict:
    """Add one notice by hand (a URL to fetch, or a text with its title) and send it to review.

    A notice already stored is not stored again (``status`` ``duplicate``). Texts are written to a file under
    ``<home>/uploads/regwatch`` first, so a text can never be mistaken for a path on the server.
    """
    item: str | Path
    if body.text is not None:
        digest = hashlib.sha256(body.text.encode("utf-8")).hexdigest()
        item = Path(services.settings.home) / "uploads" / "regwatch" / digest / "notice.txt"
        item.parent.mkdir(parents=True, exist_ok=True)
        temporary = item.with_suffix(".part")
        temporary.write_text(body.text, encoding="utf-8")
        temporary.replace(item)
    else:
        item = body.url
    outcome = _watch(services).add_update(
        item, jurisdiction=body.jurisdiction, title=body.title, language=body.language
    )
    result = {**outcome.to_dict(), "source": body.url or body.title, "analysed": _analyse(services)}
    if outcome.status == "added":
        record_write(
            services.store,
            user.username,
            "regwatch.update.add",
            "regwatch_update",
            outcome.update.id,
            {"source": result["source"], "jurisdiction": outcome.update.jurisdiction},
        )
    return result


def _readable_documents(services: Services, groups: tuple[str, ...]) -> set[int]:
    from argentier.regwatch.sources import COLLECTION

    return {document.id for document in services.library.list_documents(collection=COLLECTION, groups=groups)}


@router.get("/updates", response_model=Page[UpdateOut])
def list_updates(
    services: ServicesDep,
    user: Viewer,
    jurisdiction: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    """Stored updates, newest publication first."""
    readable = _readable_documents(services, user.groups)
    updates = [
        update.to_dict()
        for update in _watch(services).list_updates()
        if update.document_id in readable
        and (jurisdiction is None or update.jurisdiction == jurisdiction.upper())
    ]
    return page_of(updates, limit, offset)


@router.get("/groups")
def list_groups(
    services: ServicesDep,
    user: Viewer,
    min_members: Annotated[int, Query(ge=1)] = 1,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Groups of related updates, most recently changed first."""
    found = _watch(services).list_groups(min_members=min_members, groups=user.groups)
    return page_of([group.to_dict() for group in found], limit, offset)


@router.get("/groups/{group_id}")
def get_group(services: ServicesDep, user: Viewer, group_id: int) -> dict[str, Any]:
    return _watch(services).get_group(group_id, groups=user.groups).to_dict()


@router.get("/digest")
def digest(
    services: ServicesDep,
    user: Viewer,
    since: date | None = None,
    words: Annotated[int, Query(ge=10, le=2000)] = 80,
) -> dict[str, Any]:
    """Summary and impact of every update published since ``since`` (ISO date), by jurisdiction and severity."""
    from argentier.regwatch.digest import build_digest

    if since is not None and since > date.today():
        raise InputError(f"{since} is in the future", source="since")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    return build_digest(_watch(services), since=start, max_words=words, groups=user.groups).to_dict()
