"""``argentier review``: list, show, approve, edit and reject generated findings; review statistics.

Verdicts are recorded under ``--reviewer``, which defaults to ``$USER`` (the login name of whoever runs the
command); give it explicitly when several people share one account.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json, split_groups

if TYPE_CHECKING:
    from argentier.core.review import FindingRecord, ReviewCounts, ReviewService

_STATUS_STYLE = {"pending": "yellow", "approved": "green", "edited": "cyan", "rejected": "bold red"}
_STATUSES = tuple(_STATUS_STYLE)


@contextmanager
def _review_service(app: AppContext) -> Iterator["ReviewService"]:
    """The review service over the configured store; no embedding model is loaded."""
    from argentier.core.review import ReviewService

    with app.store() as store:
        yield ReviewService(store, app.settings)


def _reviewer(value: str | None) -> str:
    if not value or not value.strip():
        raise click.UsageError("no reviewer: pass --reviewer NAME or set $USER")
    return value.strip()


def _read_payload(value: str) -> dict[str, Any]:
    """``--payload`` is a JSON object, inline or ``@path`` to a file holding one."""
    if value.startswith("@"):
        try:
            value = Path(value[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {value[1:]}: {exc}", param_hint="--payload") from exc
    try:
        payload = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"not valid JSON: {exc.msg} (line {exc.lineno})", param_hint="--payload"
        ) from exc
    if not isinstance(payload, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--payload")
    return payload


def _preview(payload: Any, width: int = 60) -> str:
    flat = json.dumps(payload, ensure_ascii=False)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for limit, unit, size in ((60, "s", 1), (3600, "min", 60), (86400, "h", 3600)):
        if seconds < limit:
            return f"{seconds / size:.0f} {unit}" if unit == "s" else f"{seconds / size:.1f} {unit}"
    return f"{seconds / 86400:.1f} d"


def _status(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


reviewer_option = click.option(
    "--reviewer",
    default=lambda: os.environ.get("USER", ""),
    show_default="$USER",
    help="Who gives the verdict.",
)
groups_option = click.option("--groups", help="Act as a caller with these comma-separated groups.")


@click.group("review")
def review_group() -> None:
    """Review generated findings (summaries, clauses, alerts, anomalies) and see acceptance rates."""


@review_group.command("list")
@click.option("--kind", help="Only this kind, e.g. contracts.clause.")
@click.option("--status", type=click.Choice(_STATUSES), help="Only findings with this status.")
@groups_option
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@json_option
@pass_app
def list_(
    app: AppContext,
    kind: str | None,
    status: str | None,
    groups: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List findings, oldest first."""
    with _review_service(app) as service:
        findings = service.list_findings(
            kind=kind, status=status, groups=split_groups(groups), limit=limit, offset=offset
        )
    if as_json:
        print_json([finding.to_dict() for finding in findings])
        return
    table = Table(title=f"{len(findings)} finding(s)")
    for name in (
        "id",
        "kind",
        "status",
        "subject",
        "document",
        "producer",
        "confidence",
        "created",
        "payload",
    ):
        table.add_column(name)
    for finding in findings:
        producer = finding.producer
        table.add_row(
            str(finding.id),
            finding.kind,
            _status(finding.status),
            escape(f"{finding.subject_type}:{finding.subject_id}"),
            str(finding.source_document_id or ""),
            escape(" ".join(filter(None, (producer.module, producer.model, producer.version)))),
            "" if finding.confidence is None else f"{finding.confidence:.2f}",
            finding.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(_preview(finding.current_payload)),
        )
    console.print(table)


@review_group.command("show")
@click.argument("finding_id", type=int)
@groups_option
@json_option
@pass_app
def show(app: AppContext, finding_id: int, groups: str | None, as_json: bool) -> None:
    """Show a finding with its evidence, verdicts and audit trail."""
    with _review_service(app) as service:
        history = service.history(finding_id, groups=split_groups(groups))
    if as_json:
        print_json(history.to_dict())
        return
    finding = history.finding
    console.print(
        f"[bold]finding {finding.id}[/] {escape(finding.kind)} on {escape(finding.subject_type)}"
        f" {escape(finding.subject_id)}: {_status(finding.status)}",
        highlight=False,
    )
    console.print(f"payload: {escape(json.dumps(finding.payload, ensure_ascii=False))}", highlight=False)
    if finding.status == "edited":
        edited = json.dumps(finding.current_payload, ensure_ascii=False)
        console.print(f"edited:  {escape(edited)}", highlight=False)
    for item in finding.evidence:
        console.print(f"  [dim]{item.start}-{item.end}[/] [italic]{escape(item.quote)}[/]", highlight=False)
    verdicts = Table(title=f"{len(history.verdicts)} verdict(s)")
    for name in ("at", "reviewer", "action", "reason", "edit distance", "time to review"):
        verdicts.add_column(name)
    for verdict in history.verdicts:
        verdicts.add_row(
            verdict.at.strftime("%Y-%m-%d %H:%M:%S"),
            escape(verdict.reviewer),
            verdict.action,
            escape(verdict.reason or ""),
            "" if verdict.edit_distance is None else f"{verdict.edit_distance:.2f}",
            _duration(verdict.seconds_to_review),
        )
    console.print(verdicts)
    audit = Table(title=f"{len(history.audit)} audit event(s)")
    for name in ("at", "actor", "action"):
        audit.add_column(name)
    for event in history.audit:
        audit.add_row(event.at.strftime("%Y-%m-%d %H:%M:%S"), escape(event.actor), event.action)
    console.print(audit)


def _print_verdict(finding: "FindingRecord", as_json: bool) -> None:
    if as_json:
        print_json(finding.to_dict())
        return
    verdict = finding.latest_verdict
    reviewer = escape(verdict.reviewer) if verdict else ""
    console.print(f"finding {finding.id}: {_status(finding.status)} by {reviewer}", highlight=False)


@review_group.command("approve")
@click.argument("finding_id", type=int)
@reviewer_option
@click.option("--reason", help="Optional note.")
@groups_option
@json_option
@pass_app
def approve(
    app: AppContext, finding_id: int, reviewer: str, reason: str | None, groups: str | None, as_json: bool
) -> None:
    """Accept a finding as generated."""
    with _review_service(app) as service:
        finding = service.approve(finding_id, _reviewer(reviewer), groups=split_groups(groups), reason=reason)
    _print_verdict(finding, as_json)


@review_group.command("edit")
@click.argument("finding_id", type=int)
@reviewer_option
@click.option("--payload", required=True, metavar="JSON|@FILE", help="The corrected payload (a JSON object).")
@click.option("--reason", help="Optional note on what was corrected.")
@groups_option
@json_option
@pass_app
def edit(
    app: AppContext,
    finding_id: int,
    reviewer: str,
    payload: str,
    reason: str | None,
    groups: str | None,
    as_json: bool,
) -> None:
    """Accept a finding with a corrected payload (the original is kept)."""
    edited = _read_payload(payload)
    with _review_service(app) as service:
        finding = service.edit(
            finding_id, _reviewer(reviewer), edited, groups=split_groups(groups), reason=reason
        )
    _print_verdict(finding, as_json)


@review_group.command("reject")
@click.argument("finding_id", type=int)
@reviewer_option
@click.option("--reason", required=True, help="Why the finding is wrong.")
@groups_option
@json_option
@pass_app
def reject(
    app: AppContext, finding_id: int, reviewer: str, reason: str, groups: str | None, as_json: bool
) -> None:
    """Turn a finding down, with a reason."""
    with _review_service(app) as service:
        finding = service.reject(finding_id, _reviewer(reviewer), reason, groups=split_groups(groups))
    _print_verdict(finding, as_json)


def _stats_cells(counts: "ReviewCounts") -> list[str]:
    rate = "" if counts.acceptance_rate is None else f"{100 * counts.acceptance_rate:.1f} %"
    numbers = (counts.reviewed, counts.approved, counts.edited, counts.rejected, counts.pending)
    return [*(str(number) for number in numbers), rate, _duration(counts.median_seconds_to_review)]


@review_group.command("stats")
@click.option("--kind", help="Only this kind, e.g. regwatch.summary.")
@click.option("--since", type=click.DateTime(), help="Only findings created from this date (UTC).")
@groups_option
@click.option(
    "--light-edit-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.2,
    show_default=True,
    help="Edits changing at most this share of the payload count as accepted.",
)
@json_option
@pass_app
def stats(
    app: AppContext,
    kind: str | None,
    since: datetime | None,
    groups: str | None,
    light_edit_threshold: float,
    as_json: bool,
) -> None:
    """Acceptance rate and time to review, per kind and producer version."""
    with _review_service(app) as service:
        result = service.stats(
            kind=kind, since=since, groups=split_groups(groups), light_edit_threshold=light_edit_threshold
        )
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"review of {result.overall.total} finding(s)")
    for name in ("kind", "model", "version", "reviewed", "approved", "edited", "rejected", "pending"):
        table.add_column(name, justify="right" if name not in ("kind", "model", "version") else "left")
    table.add_column("acceptance", justify="right")
    table.add_column("median time", justify="right")
    for row in result.by_version:
        table.add_row(
            escape(row.kind or ""),
            escape(row.model or ""),
            escape(row.version or ""),
            *_stats_cells(row.counts),
        )
    table.add_section()
    table.add_row("[bold]all[/]", "", "", *_stats_cells(result.overall))
    console.print(table)
