"""``/contracts``: review a library document as a contract (clauses as exact quotes with offsets, key terms,
playbook results) and the portfolio table, mirroring ``argentier contracts review``.

Upload the contract with ``POST /documents`` first, then ``POST /contracts/review`` with its id. Recording the
review's findings in the review queue (``record``, the default) needs the analyst role; viewers may review
without recording. ``GET /contracts`` builds the portfolio from the recorded findings of the documents your
groups may read (the latest review of each, rejected findings left out, edited ones as edited).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from argentier.api._audit import record_write
from argentier.api._deps import ServicesDep, Viewer
from argentier.api.auth import RoleError
from argentier.api.routers._paging import Limit, Offset, page_of
from argentier.errors import InputError

router = APIRouter(prefix="/contracts", tags=["contracts"])


class ReviewIn(BaseModel):
    document_id: int = Field(description="A library document your groups may read.")
    playbook: str | None = Field(None, max_length=200_000, description="A playbook's YAML or TOML text.")
    playbook_format: Literal["yaml", "toml"] = "yaml"
    example_playbook: bool = Field(True, description="Without `playbook`, check the shipped example playbook.")
    min_score: float = Field(0.5, ge=0, le=1, description="Clauses scoring at least this (calibrated).")
    record: bool = Field(True, description="Record clauses, terms and playbook outcomes as findings (analysts).")
    include_text: bool = Field(True, description="Return the document text, to highlight the quotes in it.")


def _playbook(body: ReviewIn) -> Any:
    from argentier.contracts import EXAMPLE_PLAYBOOK, load_playbook

    if body.playbook is None:
        return load_playbook(EXAMPLE_PLAYBOOK) if body.example_playbook else None
    with tempfile.TemporaryDirectory(prefix="argentier-playbook-") as folder:
        path = Path(folder) / f"playbook.{body.playbook_format}"
        path.write_text(body.playbook, encoding="utf-8")
        try:
            return load_playbook(path)
        except InputError as exc:
            raise InputError(exc.reason.replace(str(path), "playbook"), source="playbook") from None


def _review(services: Any, user: Any, body: ReviewIn) -> dict[str, Any]:
    from argentier.contracts import record_findings, review_document

    if body.record and not user.has_role("analyst"):
        raise RoleError(f"recording findings needs the analyst role; {user.username} is {user.role}"
                        " (send record: false to review without recording)")
    stored = services.library.get_document(body.document_id, groups=user.groups)
    playbook = _playbook(body)
    review = review_document(stored.parsed, document_id=stored.info.id, title=stored.info.title,
                             path=stored.info.path, playbook=playbook, min_score=body.min_score)
    finding_ids: list[int] = []
    if body.record:
        finding_ids = [record.id for record in record_findings(services.review, review, stored.parsed)]
        record_write(services.store, user.username, "contracts.review", "document", stored.info.id,
                     {"findings": len(finding_ids), "playbook": playbook.name if playbook else None})
    result = {**review.to_dict(), "playbook_name": playbook.name if playbook else None, "finding_ids": finding_ids}
    result["document"] = {**result["document"], "path": None, "groups": list(stored.info.groups)}
    if body.include_text:
        result["text"] = stored.parsed.text
    return result


@router.post("/review")
async def review_contract(services: ServicesDep, user: Viewer, body: ReviewIn) -> dict:
    """Review one stored document: clauses (category, exact quote, ``start``/``end`` offsets in the text, score),
    key terms (value, unit, quote, offsets), playbook outcomes (compliant / fallback / deviation / missing) and,
    with ``record``, the ids of the findings put in the review queue."""
    return await run_in_threadpool(_review, services, user, body)


def _all_contract_findings(services: Any, groups: tuple[str, ...]) -> list[Any]:
    found, offset = [], 0
    while True:
        page = services.review.list_findings(subject_type="document", groups=groups, limit=1000, offset=offset)
        found += [finding for finding in page if finding.kind.startswith("contracts.")]
        if len(page) < 1000:
            return found
        offset += 1000


def _phase(kind: str) -> int:
    return {"contracts.term": 1, "contracts.playbook": 2}.get(kind, 0)


def _latest_reviews(findings: list[Any]) -> dict[int, list[Any]]:
    """Each document's findings from its latest review. A review records clauses, then terms, then playbook
    outcomes, so a new review starts where that order goes back, or where a quote repeats within one phase."""
    batches: dict[int, list[Any]] = {}
    seen: dict[int, set] = {}
    for finding in findings:  # creation order
        document = finding.document_id
        batch = batches.setdefault(document, [])
        key = (finding.kind, finding.payload.get("start"), finding.payload.get("rule"), finding.payload.get("term"))
        if batch and (_phase(finding.kind) < _phase(batch[-1].kind) or key in seen[document]):
            batch.clear()
            seen[document] = set()
        batch.append(finding)
        seen.setdefault(document, set()).add(key)
    return batches


def portfolio(services: Any, groups: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per reviewed document: key terms, best score per clause category, playbook outcomes, pending."""
    from argentier.contracts import CATEGORIES, TERM_NAMES, category_kind
    from argentier.errors import AccessDeniedError, NotFoundError

    by_kind = {category_kind(category): category for category in CATEGORIES}
    rows = []
    for document_id, batch in _latest_reviews(_all_contract_findings(services, groups)).items():
        try:
            info = services.library.get_document(document_id, groups=groups).info
        except (NotFoundError, AccessDeniedError):
            continue  # the document was deleted since its review
        row: dict[str, Any] = {
            "document_id": info.id, "title": info.title, "reviewed_at": batch[0].created_at.isoformat(),
            "pending": 0, "terms": dict.fromkeys(TERM_NAMES), "clauses": {}, "playbook": {},
        }
        for finding in batch:
            row["pending"] += finding.status == "pending"
            if finding.status == "rejected":
                continue
            payload = finding.current_payload
            if finding.kind == "contracts.term":
                value = payload.get("value")
                cell = f"{value} {payload['unit']}" if payload.get("unit") and value is not None else value
                name = payload.get("term")
                previous = row["terms"].get(name)
                row["terms"][name] = cell if previous in (None, "") else f"{previous}; {cell}"
            elif finding.kind == "contracts.playbook":
                row["playbook"][payload.get("rule")] = payload.get("outcome")
            elif finding.kind in by_kind:
                category = by_kind[finding.kind]
                row["clauses"][category] = max(row["clauses"].get(category, 0.0), float(payload.get("score") or 0))
        rows.append(row)
    return rows


@router.get("")
def list_contracts(services: ServicesDep, user: Viewer, limit: Limit = 50, offset: Offset = 0,
                   sort: Annotated[Literal["document_id", "title", "pending"], Query()] = "document_id") -> dict:
    """The portfolio table: per reviewed contract your groups may read, its key terms (governing law, dates,
    notice periods, caps ...), best score per clause category, playbook outcomes and pending findings."""
    rows = sorted(portfolio(services, user.groups),
                  key=lambda row: (row[sort] if sort != "pending" else -row["pending"]))
    return page_of(rows, limit, offset)


@router.get("/playbook-example")
def playbook_example(user: Viewer) -> dict:
    """The shipped example playbook (YAML), to start your own from."""
    from argentier.contracts import EXAMPLE_PLAYBOOK

    return {"name": "example", "format": "yaml", "text": EXAMPLE_PLAYBOOK.read_text(encoding="utf-8")}
