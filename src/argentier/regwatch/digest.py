"""The digest a tax manager reads: stored updates summarised, their impact predicted, grouped by jurisdiction and
severity, with links to the sources; rendered as Markdown, HTML or JSON.

Summaries and impact predictions are computed from the stored documents by the deterministic path, so a digest
needs no model and always cites text that is in the store.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from argentier.regwatch._types import TimelineEntry
from argentier.regwatch.impact import ImpactPrediction, load_taxonomy, predict_impact
from argentier.regwatch.summarise import UpdateSummary, summarise_document

if TYPE_CHECKING:
    from argentier.regwatch.sources import RegWatch

SEVERITY_ORDER = ("high", "medium", "low")


@dataclass(frozen=True)
class DigestEntry:
    """One update in the digest."""

    update_id: int
    document_id: int
    title: str
    url: str | None
    jurisdiction: str
    published: str | None
    summary: UpdateSummary
    impact: ImpactPrediction
    group_id: int | None = None
    related: tuple[TimelineEntry, ...] = ()  # the other members of its group, on their timeline

    def to_dict(self) -> dict[str, Any]:
        return {
            "update_id": self.update_id,
            "document_id": self.document_id,
            "title": self.title,
            "url": self.url,
            "jurisdiction": self.jurisdiction,
            "published": self.published,
            "summary": self.summary.to_dict(),
            "impact": self.impact.to_dict(),
            "group_id": self.group_id,
            "related": [entry.to_dict() for entry in self.related],
        }


@dataclass(frozen=True)
class Digest:
    """Updates published (or, if undated, retrieved) since ``since``, highest severity first per jurisdiction."""

    since: str | None
    generated_at: str
    entries: tuple[DigestEntry, ...]

    def sections(self) -> list[tuple[str, str, list[DigestEntry]]]:
        """``(jurisdiction, severity, entries)`` in reading order: jurisdictions A-Z, severity high to low."""
        grouped: dict[tuple[str, str], list[DigestEntry]] = {}
        for entry in self.entries:
            grouped.setdefault((entry.jurisdiction, entry.impact.severity), []).append(entry)
        return [
            (jurisdiction, severity, grouped[(jurisdiction, severity)])
            for jurisdiction in sorted({key[0] for key in grouped})
            for severity in SEVERITY_ORDER
            if (jurisdiction, severity) in grouped
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "generated_at": self.generated_at,
            "entries": [entry.to_dict() for entry in self.entries],
        }

    def to_markdown(self) -> str:
        """A Markdown digest, ready to paste into an e-mail or a wiki."""
        lines = [f"# Regulatory digest{f' since {self.since}' if self.since else ''}", ""]
        if not self.entries:
            lines.append("No updates.")
        current = None
        for jurisdiction, severity, entries in self.sections():
            if jurisdiction != current:
                lines += [f"## {jurisdiction}", ""]
                current = jurisdiction
            lines += [f"### {severity.capitalize()} impact", ""]
            for entry in entries:
                lines += _markdown_entry(entry)
        return "\n".join(lines).rstrip() + "\n"

    def to_html(self) -> str:
        """A self-contained HTML digest (inline styles only, so it survives being e-mailed)."""
        parts = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Regulatory digest</title></head>",
            "<body style='font-family:sans-serif;max-width:50em'>",
            f"<h1>Regulatory digest{html.escape(f' since {self.since}') if self.since else ''}</h1>",
        ]
        if not self.entries:
            parts.append("<p>No updates.</p>")
        current = None
        for jurisdiction, severity, entries in self.sections():
            if jurisdiction != current:
                parts.append(f"<h2>{html.escape(jurisdiction)}</h2>")
                current = jurisdiction
            parts.append(f"<h3>{html.escape(severity.capitalize())} impact</h3>")
            for entry in entries:
                parts.append(_html_entry(entry))
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"


def _labels(impact: ImpactPrediction) -> str:
    taxes = ", ".join(match.label for match in impact.taxes) or "no tax identified"
    lines = ", ".join(match.label for match in impact.business_lines) or "no business line identified"
    return f"{taxes}; {lines}"


def _markdown_entry(entry: DigestEntry) -> list[str]:
    title = f"[{entry.summary.title}]({entry.url})" if entry.url else entry.summary.title
    facts = [f"published {entry.published}" if entry.published else "undated"]
    if entry.impact.effective_date:
        facts.append(f"effective {entry.impact.effective_date}")
    lines = [
        f"- **{title}** ({', '.join(facts)})",
        f"  - Impact: {_labels(entry.impact)} — {entry.impact.severity} ({entry.impact.severity_rule})",
        f"  - {entry.summary.summary}",
    ]
    if entry.related:
        lines.append("  - Related: " + "; ".join(_markdown_related(item) for item in entry.related))
    return [*lines, ""]


def _markdown_related(item: TimelineEntry) -> str:
    title = f"[{item.title}]({item.url})" if item.url else item.title
    return f"{title} ({item.jurisdiction}, {item.published.isoformat() if item.published else 'undated'})"


def _html_related(item: TimelineEntry) -> str:
    title = html.escape(item.title)
    if item.url:
        title = f"<a href='{html.escape(item.url, quote=True)}'>{title}</a>"
    when = item.published.isoformat() if item.published else "undated"
    return f"{title} ({html.escape(item.jurisdiction)}, {when})"


def _html_entry(entry: DigestEntry) -> str:
    title = html.escape(entry.summary.title)
    if entry.url:
        title = f"<a href='{html.escape(entry.url, quote=True)}'>{title}</a>"
    facts = [f"published {entry.published}" if entry.published else "undated"]
    if entry.impact.effective_date:
        facts.append(f"effective {entry.impact.effective_date}")
    return (
        f"<div style='margin-bottom:1em'><strong>{title}</strong> ({html.escape(', '.join(facts))})"
        f"<br><em>Impact: {html.escape(_labels(entry.impact))} — {html.escape(entry.impact.severity)}"
        f" ({html.escape(entry.impact.severity_rule)})</em><p>{html.escape(entry.summary.summary)}</p>"
        + (f"<p>Related: {'; '.join(_html_related(item) for item in entry.related)}</p>" if entry.related else "")
        + "</div>"
    )


def build_digest(
    regwatch: "RegWatch", *, since: datetime | None = None, max_words: int = 80, groups=None  # noqa: ANN001
) -> Digest:
    """Summarise and assess every stored update published (or retrieved, if undated) at or after ``since``.

    ``groups`` restricts the digest to updates whose documents those groups may read (``None``: everything).
    """
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    taxonomy = load_taxonomy(regwatch.settings.regwatch.taxonomy)
    entries = []
    readable = (
        {document.id for document in regwatch.library.list_documents(groups=groups)} if groups is not None else None
    )
    members = {group.id: group.timeline for group in regwatch.list_groups(min_members=2, groups=groups)}
    for update in regwatch.list_updates():
        when = update.published_at or update.retrieved_at
        if since is not None and when < since:
            continue
        if readable is not None and update.document_id not in readable:
            continue
        doc = regwatch.library.get_document(update.document_id).parsed
        summary = summarise_document(doc, max_words=max_words)
        today = update.published_at.date() if update.published_at else None
        impact = predict_impact(
            doc, taxonomy=taxonomy, summary=summary, today=today, jurisdiction=update.jurisdiction
        )
        entries.append(
            DigestEntry(
                update_id=update.id,
                document_id=update.document_id,
                title=update.title,
                url=update.url,
                jurisdiction=update.jurisdiction,
                published=update.published_at.date().isoformat() if update.published_at else None,
                summary=summary,
                impact=impact,
                group_id=update.group_id,
                related=tuple(e for e in members.get(update.group_id, ()) if e.update_id != update.id),
            )
        )
    rank = {severity: index for index, severity in enumerate(SEVERITY_ORDER)}
    # Within a section, the members of one group stand together, newest group first.
    entries.sort(
        key=lambda entry: (
            entry.jurisdiction,
            rank.get(entry.impact.severity, 9),
            -(entry.group_id or 0),
            -entry.update_id,
        )
    )
    return Digest(
        since=since.date().isoformat() if since else None,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        entries=tuple(entries),
    )
