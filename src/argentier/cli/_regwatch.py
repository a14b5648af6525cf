"""``argentier regwatch``: watch regulatory sources (feeds, pages), fetch them, add notices by hand."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    json_option,
    pass_app,
    print_json,
    progress_bar,
    split_groups,
)

_STATUS_STYLE = {
    "ok": "green",
    "not-modified": "dim",
    "failed": "bold red",
    "added": "green",
    "duplicate": "dim",
}


def _analyse(library) -> int:  # noqa: ANN001
    """Record title, summary and impact findings for every update that has none yet; how many were analysed."""
    from argentier import __version__
    from argentier.core.llm import make_llm_client
    from argentier.core.review import ReviewService
    from argentier.regwatch.findings import analyse_pending_updates

    review = ReviewService(library.store, library.settings)
    with make_llm_client(library.settings, library.store) as llm:
        return len(analyse_pending_updates(_watch(library), review, producer_version=__version__, llm=llm))


def _watch(library):
    from argentier.regwatch.sources import RegWatch

    return RegWatch(library)


@click.group("regwatch", cls=ArgentierGroup)
def regwatch_group() -> None:
    """Watch regulatory sources (RSS/Atom feeds, pages) and store their updates."""


@regwatch_group.group("sources")
def sources_group() -> None:
    """Add and list the watched sources."""


@sources_group.command("add")
@click.argument("url")
@click.option("--jurisdiction", required=True, help="ISO 3166 alpha-2 country code, or EU.")
@click.option("--language", help="Language of the source, e.g. fr.")
@click.option("--kind", type=click.Choice(["feed", "page", "folder"]), help="Sniffed when omitted.")
@json_option
@pass_app
def sources_add(
    app: AppContext, url: str, jurisdiction: str, language: str | None, kind: str | None, as_json: bool
) -> None:
    """Watch URL (an RSS 2.0 / Atom feed or a page)."""
    with app.library() as library:
        source = _watch(library).add_source(url, jurisdiction=jurisdiction, language=language, kind=kind)
    if as_json:
        print_json(source.to_dict())
    else:
        console.print(f"watching [bold]{escape(source.url)}[/] ({source.jurisdiction}) as source {source.id}")


@sources_group.command("list")
@json_option
@pass_app
def sources_list(app: AppContext, as_json: bool) -> None:
    """List the watched sources and how their last fetch went."""
    with app.library() as library:
        sources = _watch(library).list_sources()
    if as_json:
        print_json([source.to_dict() for source in sources])
        return
    table = Table("id", "url", "kind", "jurisdiction", "language", "last fetched", "status")
    for source in sources:
        fetched = source.last_fetched_at.strftime("%Y-%m-%d %H:%M") if source.last_fetched_at else "never"
        status = source.last_status or "-"
        style = _STATUS_STYLE.get(status, "")
        table.add_row(
            str(source.id),
            escape(source.url),
            source.kind or "?",
            source.jurisdiction,
            source.language or "",
            fetched,
            f"[{style}]{status}[/]" if style else status,
        )
    console.print(table)


@regwatch_group.command("fetch")
@json_option
@pass_app
def fetch(app: AppContext, as_json: bool) -> None:
    """Fetch every source once; exit status 1 when every source failed."""
    with (
        app.library() as library,
        progress_bar(disable=as_json) as progress,
    ):
        task = progress.add_task("fetching", total=None)

        def on_progress(done: int, total: int, url: str) -> None:
            progress.update(task, completed=done, total=total, description=f"fetched {url[-40:]}")

        report = _watch(library).fetch_all(on_progress=on_progress)
        analysed = _analyse(library)
    if as_json:
        print_json(report.to_dict())
    else:
        table = Table("source", "status", "new", "duplicates", "error")
        for source in report.sources:
            style = _STATUS_STYLE[source.status]
            table.add_row(
                escape(source.url),
                f"[{style}]{source.status}[/]",
                str(source.new),
                str(source.duplicates),
                escape(source.error or ""),
            )
        console.print(table)
        console.print(
            f"{report.new} new update(s), {report.duplicates} duplicate(s) skipped,"
            f" {analysed} sent to review (argentier review list --status pending)"
        )
        if report.grouping is not None and report.grouping.assignments:
            console.print(
                f"{len(report.grouping.assignments)} update(s) grouped, {report.grouping.groups_opened} new"
                " group(s) (argentier regwatch groups)"
            )
    if report.all_failed:
        sys.exit(1)


@regwatch_group.command("add")
@click.argument("items", nargs=-1, required=True)
@click.option("--jurisdiction", required=True, help="ISO 3166 alpha-2 country code, or EU.")
@click.option("--language", help="Language of the notices, e.g. de.")
@click.option("--title", help="Title (required for a text given directly).")
@json_option
@pass_app
def add(
    app: AppContext,
    items: tuple[str, ...],
    jurisdiction: str,
    language: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Add notices by hand: PDF/DOCX/HTML/TXT files or http(s) URLs."""
    with app.library() as library:
        watch = _watch(library)
        outcomes = [
            watch.add_update(item, jurisdiction=jurisdiction, language=language, title=title)
            for item in items
        ]
        _analyse(library)
    if as_json:
        print_json([outcome.to_dict() for outcome in outcomes])
        return
    table = Table("source", "status", "update", "title", "jurisdiction")
    for outcome in outcomes:
        style = _STATUS_STYLE[outcome.status]
        table.add_row(
            escape(outcome.source),
            f"[{style}]{outcome.status}[/]",
            str(outcome.update.id),
            escape(outcome.update.title),
            outcome.update.jurisdiction,
        )
    console.print(table)


@regwatch_group.command("groups")
@click.option("--min-members", default=1, show_default=True, type=click.IntRange(1), help="Smallest group shown.")
@click.option("--groups", help="Only updates these comma-separated groups may read.")
@json_option
@pass_app
def groups_list(app: AppContext, min_members: int, groups: str | None, as_json: bool) -> None:
    """List groups of related updates (one change reported several times, or the steps of one reform)."""
    with app.library() as library:
        found = _watch(library).list_groups(min_members=min_members, groups=split_groups(groups))
    if as_json:
        print_json([group.to_dict() for group in found])
        return
    table = Table("group", "canonical title", "updates", "jurisdictions", "first", "last")
    for group in found:
        dated = [entry.published.isoformat() for entry in group.timeline if entry.published]
        table.add_row(
            str(group.id),
            escape(group.canonical_title),
            str(len(group.timeline)),
            ", ".join(group.jurisdictions),
            min(dated, default="—"),
            max(dated, default="—"),
        )
    console.print(table)


@regwatch_group.command("group")
@click.argument("group_id", type=int)
@click.option("--words", type=click.IntRange(10, 5000), help="Summary word limit [default: regwatch.summary_words].")
@click.option("--groups", help="Only updates these comma-separated groups may read.")
@json_option
@pass_app
def group_show(app: AppContext, group_id: int, words: int | None, groups: str | None, as_json: bool) -> None:
    """Show one group: its timeline and a summary quoting its members."""
    from argentier.regwatch.group_summary import summarise_group

    with app.library() as library:
        watch = _watch(library)
        group = watch.get_group(group_id, groups=split_groups(groups))
        summary = summarise_group(
            watch, group_id, max_words=words or app.settings.regwatch.summary_words, groups=split_groups(groups)
        )
    if as_json:
        print_json({**group.to_dict(), "summary": summary.to_dict()})
        return
    console.print(f"[bold]{escape(group.canonical_title)}[/]  [dim]group {group.id}[/]", highlight=False)
    table = Table("date", "update", "jurisdiction", "title", "url")
    for entry in group.timeline:
        title = entry.title + (f" (version {entry.version})" if entry.version > 1 else "")
        table.add_row(
            entry.published.isoformat() if entry.published else "undated",
            str(entry.update_id),
            entry.jurisdiction,
            escape(title),
            escape(entry.url or ""),
        )
    console.print(table)
    for document_id, sentence in summary.sentences:
        console.print(f"  • {escape(' '.join(sentence.quote.split()))} [dim]doc {document_id}[/]", highlight=False)
    dates = summary.dates
    console.print(
        f"[bold]Dates:[/] published {dates['published'] or '—'} · effective {dates['effective'] or '—'}"
        f" · deadlines {', '.join(dates['deadlines']) or '—'}",
        highlight=False,
    )


@regwatch_group.command("digest")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only updates from this date (YYYY-MM-DD).")
@click.option("--format", "output_format", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option("--words", default=80, show_default=True, type=click.IntRange(10, 1000), help="Words per summary.")
@click.option("--groups", help="Only updates these comma-separated groups may read.")
@json_option
@pass_app
def digest(  # noqa: ANN001
    app: AppContext, since, output_format: str, words: int, groups: str | None, as_json: bool
) -> None:
    """Print a digest of the stored updates by jurisdiction and severity, with links (Markdown, HTML or JSON;
    ``--json`` is ``--format json``). Related updates are listed with each other."""
    output_format = "json" if as_json else output_format
    from argentier.regwatch.digest import build_digest

    with app.library() as library:
        report = build_digest(_watch(library), since=since, max_words=words, groups=split_groups(groups))
    if output_format == "json":
        print_json(report.to_dict())
    else:
        click.echo(report.to_markdown() if output_format == "md" else report.to_html(), nl=False)
