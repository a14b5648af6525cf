"""Module tools: a regulatory digest, a contract's clauses, fraud alerts, a forecast version, a profitability what-if.

Each calls the module's public Python API with the caller's groups where the module keeps them (documents,
findings) and cites what it used: documents with their spans, review findings and stored versions by id.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from argentier.assistant.tools import Tool, ToolContext, ToolResult
from argentier.errors import AccessDeniedError, InputError, NotFoundError

__all__ = ["module_tools"]


def _library(context: ToolContext) -> Any:
    if context.library is None:
        raise InputError("this tool needs the document library")
    return context.library


def _regwatch_digest(args: dict[str, Any], context: ToolContext) -> ToolResult:
    from argentier.regwatch.digest import build_digest
    from argentier.regwatch.sources import RegWatch

    days = int(args.get("days", 30))
    if not 1 <= days <= 3650:
        raise InputError("days must be between 1 and 3650")
    since = datetime.now(timezone.utc) - timedelta(days=days)
    digest = build_digest(RegWatch(_library(context)), since=since, max_words=60, groups=context.groups)
    entries = digest.entries[: int(args.get("limit", 10))]
    if not entries:
        return ToolResult(
            "regwatch_digest",
            f"No regulatory updates in the last {days} days that you may read.",
            digest.to_dict(),
            (),
        )
    lines = [
        f"[{e.jurisdiction}, {e.impact.severity}] {e.title} ({e.published or 'undated'}): {e.summary.summary}"
        for e in entries
    ]
    citations = tuple(
        {
            "document": {"id": e.document_id, "title": e.title, "path": e.url},
            "quote": e.summary.summary,
            "kind": "regwatch_update",
            "update_id": e.update_id,
        }
        for e in entries
    )
    return ToolResult("regwatch_digest", "\n".join(lines), digest.to_dict(), citations)


def _find_document(context: ToolContext, reference: str) -> Any:
    library = _library(context)
    groups = context.groups
    if reference.strip().lstrip("#").isdigit():
        number = int(reference.strip().lstrip("#"))
        try:
            return library.get_document(number, groups=groups)
        except AccessDeniedError:  # a document the caller may not read is, to them, no document at all
            raise NotFoundError(f"no document with id {number}") from None
    wanted = reference.strip().lower()
    matches = [d for d in library.list_documents(groups=groups) if wanted in (d.title or "").lower()]
    if not matches:
        raise NotFoundError(f"no document {reference!r}")
    if len(matches) > 1:
        exact = [d for d in matches if (d.title or "").lower() == wanted]
        if len(exact) != 1:
            raise InputError(
                f"document {reference!r} is ambiguous: {', '.join(d.title for d in matches[:5])}"
            )
        matches = exact
    return library.get_document(matches[0].id, groups=groups)


def _contract_clauses(args: dict[str, Any], context: ToolContext) -> ToolResult:
    from argentier.contracts import review_document

    stored = _find_document(context, str(args["document"]))
    info = stored.info
    review = review_document(stored.parsed, document_id=info.id, title=info.title, path=info.path)
    wanted = str(args.get("category") or "").strip().lower()
    clauses = [c for c in review.clauses if not wanted or wanted in c.category.lower()]
    document = {"id": info.id, "title": info.title, "path": info.path}
    citations = tuple(
        {
            "document": document,
            "page": stored.parsed.page_at(c.start),
            "start": c.start,
            "end": c.end,
            "quote": c.text,
            "kind": "contract_clause",
            "category": c.category,
        }
        for c in clauses
    )
    if not clauses:
        text = f"No {'clause of category ' + repr(wanted) if wanted else 'clauses'} found in {info.title}."
    else:
        text = "\n".join(f"{c.category} ({c.score:.2f}): {c.text[:300]}" for c in clauses)
    return ToolResult("contract_clauses", text, review.to_dict(), citations)


def _fraud_alerts(args: dict[str, Any], context: ToolContext) -> ToolResult:
    from argentier.core.review import ReviewService
    from argentier.fraud._alerts import ALERT_KIND

    service = (
        ReviewService(context.store, context.settings)
        if context.settings is not None
        else ReviewService(context.store)
    )
    if args.get("alert"):
        reference = str(args["alert"]).lstrip("#")
        findings = service.list_findings(
            kind=ALERT_KIND, subject_id=reference, groups=context.groups, limit=5
        )
        if not findings and reference.isdigit():
            findings = [
                f
                for f in service.list_findings(kind=ALERT_KIND, groups=context.groups, limit=1000)
                if f.id == int(reference)
            ]
        if not findings:
            raise NotFoundError(f"no fraud alert {args['alert']!r}")
    else:
        findings = service.list_findings(
            kind=ALERT_KIND,
            status=args.get("status", "pending"),
            groups=context.groups,
            limit=int(args.get("limit", 10)),
        )
    lines = []
    for f in findings:
        p = f.current_payload
        lines.append(
            f"Alert {f.id} ({f.status}): transaction {f.subject_id}, customer {p.get('customer_id')}, "
            f"score {p.get('score')}, {p.get('decision')}; reasons: {'; '.join(p.get('reasons', [])) or '-'}"
        )
    text = "\n".join(lines) or "No fraud alerts match."
    citations = tuple(
        {"kind": "finding", "finding_id": f.id, "finding_kind": f.kind, "quote": line}
        for f, line in zip(findings, lines)
    )
    data = [
        {"id": f.id, "status": f.status, "subject_id": f.subject_id, "payload": dict(f.current_payload)}
        for f in findings
    ]
    return ToolResult("fraud_alerts", text, data, citations)


def _forecast_version(args: dict[str, Any], context: ToolContext) -> ToolResult:
    from argentier.forecast._book import PlanBook

    book = PlanBook(context.store)
    number = args.get("number")
    info = book.get_version(str(args["version"]), number)
    frame, _ = book.version_frame(info.name, info.number)
    series = args.get("series")
    if series:
        frame = frame[frame["unique_id"].astype(str) == str(series)]
        if frame.empty:
            raise NotFoundError(f"no series {series!r} in version {info.name} #{info.number}")
    totals = frame.groupby("ds", sort=True)["yhat"].sum()
    head = (
        f"Forecast version {info.name} #{info.number} ({info.kind}, {frame['unique_id'].nunique()} series"
        + (f" '{series}'" if series else "")
        + f", {len(totals)} periods):"
    )
    lines = [f"{str(ds)[:10]}: {value:,.2f}" for ds, value in totals.head(24).items()]
    data = {
        "version": info.to_dict(),
        "totals": [{"ds": str(ds)[:10], "yhat": float(v)} for ds, v in totals.items()],
    }
    citation = {
        "kind": "forecast_version",
        "id": info.id,
        "name": info.name,
        "number": info.number,
        "checksum": info.checksum,
        "quote": head,
    }
    return ToolResult("forecast_version", "\n".join([head, *lines]), data, (citation,))


def _dataset(directory: Path, stem: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (directory / f"{stem}{suffix}").is_file():
            return directory / f"{stem}{suffix}"
    raise InputError(f"no {stem}.parquet or {stem}.csv in {directory}")


def _profitability_whatif(args: dict[str, Any], context: ToolContext) -> ToolResult:
    from argentier.profitability import Change, ProfitData, simulate_whatif

    directory = Path(str(args["data"])).expanduser()
    if not directory.is_dir():
        raise InputError(f"{directory} is not a dataset folder")
    changes = [Change.parse(part) for part in str(args["change"]).split(";") if part.strip()]
    by = [part.strip() for part in str(args.get("by", "region")).split(",") if part.strip()]
    with ProfitData.load(_dataset(directory, "sales"), _dataset(directory, "costs")) as data:
        result = simulate_whatif(data, changes, by=by)
    total = result.total
    text = (
        f"{'; '.join(str(args['change']).split(';'))}: contribution {total.base_contribution:,} -> "
        f"{total.fixed_contribution:,} at fixed volume (impact {total.fixed_impact:,})."
    )
    worst = [f"{', '.join(r.key.values())}: {r.fixed_impact:,}" for r in result.rows[:5]]
    if worst:
        text += "\nMost affected: " + "; ".join(worst)
    citation = {"kind": "dataset", "path": str(directory), "quote": text.split("\n")[0]}
    return ToolResult("profitability_whatif", text, result.to_dict(), (citation,))


def module_tools() -> list[Tool]:
    obj = "object"
    return [
        Tool(
            "regwatch_digest",
            "Recent regulatory updates by jurisdiction and severity, summarised with sources.",
            {
                "type": obj,
                "properties": {"days": {"type": "integer"}, "limit": {"type": "integer"}},
                "required": [],
            },
            _regwatch_digest,
        ),
        Tool(
            "contract_clauses",
            "The clauses (CUAD categories) found in a stored contract the caller may read.",
            {
                "type": obj,
                "properties": {
                    "document": {"type": "string", "description": "document id or title"},
                    "category": {"type": "string"},
                },
                "required": ["document"],
            },
            _contract_clauses,
        ),
        Tool(
            "fraud_alerts",
            "Fraud alerts from the review queue: one by transaction or id, or the pending ones.",
            {
                "type": obj,
                "properties": {
                    "alert": {"type": "string"},
                    "status": {"type": "string"},
                    "limit": {"type": "integer"},
                },
                "required": [],
            },
            _fraud_alerts,
        ),
        Tool(
            "forecast_version",
            "A stored forecast version's totals per period (optionally one series).",
            {
                "type": obj,
                "properties": {
                    "version": {"type": "string"},
                    "number": {"type": "integer"},
                    "series": {"type": "string"},
                },
                "required": ["version"],
            },
            _forecast_version,
        ),
        Tool(
            "profitability_whatif",
            "Contribution impact of a cost or price change on a sales/costs dataset folder.",
            {
                "type": obj,
                "properties": {
                    "data": {"type": "string"},
                    "change": {
                        "type": "string",
                        "description": "driver:+12%[,region=EU]; several separated by ;",
                    },
                    "by": {"type": "string"},
                },
                "required": ["data", "change"],
            },
            _profitability_whatif,
        ),
    ]
