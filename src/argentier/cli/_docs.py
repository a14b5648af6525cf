"""``argentier docs``: add, list, show and remove documents."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import (
    AppContext,
    console,
    err_console,
    json_option,
    parse_meta,
    pass_app,
    print_json,
    progress_bar,
    split_groups,
)

_STATUS_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "bold red"}


@click.group("docs")
def docs_group() -> None:
    """Add, list, show and remove documents (PDF, DOCX, HTML, TXT, Markdown)."""


@docs_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--collection", default="default", show_default=True, help="Collection to add to.")
@click.option("--groups", help="Comma-separated groups allowed to read these documents (default: public).")
@click.option("--meta", "meta_pairs", multiple=True, metavar="KEY=VALUE", help="Metadata; repeatable.")
@json_option
@pass_app
def add(
    app: AppContext, paths: tuple[str, ...], collection: str, groups: str | None, meta_pairs: tuple, as_json: bool
) -> None:
    """Add files and folders (recursively); unchanged files are skipped."""
    meta = parse_meta(meta_pairs)
    with app.library() as library:
        with progress_bar(disable=as_json) as progress:
            task = progress.add_task("indexing", total=None)

            def on_progress(done: int, total: int, path: str) -> None:
                progress.update(task, completed=done, total=total, description=f"indexing {path[-40:]}")

            outcomes = library.add_paths(
                list(paths), collection=collection, groups=split_groups(groups), meta=meta, on_progress=on_progress
            )
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    if as_json:
        print_json([outcome.to_dict() for outcome in outcomes])
    else:
        for outcome in failed:
            err_console.print(
                f"[bold red]error:[/] {escape(outcome.source)}: {escape(outcome.error or '')}",
                highlight=False,
                soft_wrap=True,
            )
        table = Table(title=f"{len(outcomes)} file(s) into collection '{collection}'")
        for name in ("status", "id", "title", "chunks", "pages", "source"):
            table.add_column(name)
        for outcome in outcomes:
            document = outcome.document
            table.add_row(
                f"[{_STATUS_STYLE[outcome.status]}]{outcome.status}[/]",
                str(document.id) if document else "",
                document.title if document else "",
                str(document.n_chunks) if document else "",
                str(document.n_pages or "") if document else "",
                outcome.source,
            )
        console.print(table)
    if not outcomes:
        err_console.print("[bold red]error:[/] no supported files found in the given paths")
        sys.exit(1)
    if failed:
        sys.exit(1)


@docs_group.command("list")
@click.option("--collection", help="Only this collection.")
@click.option("--groups", help="List as a caller with these comma-separated groups.")
@click.option("--limit", type=click.IntRange(1), help="At most this many documents (one page).")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip this many first.")
@json_option
@pass_app
def list_(
    app: AppContext, collection: str | None, groups: str | None, limit: int | None, offset: int, as_json: bool
) -> None:
    """List stored documents, oldest first (texts are not read, so this stays fast on a large library)."""
    visible = split_groups(groups)
    with app.library() as library:
        documents = library.list_documents(collection=collection, groups=visible, limit=limit, offset=offset)
        total = library.count_documents(collection=collection, groups=visible)
    if as_json:
        print_json([document.to_dict() for document in documents])
        return
    shown = f"{offset + 1}-{offset + len(documents)} of {total}" if documents else f"none of {total}"
    table = Table(title=f"{total} document(s)" if len(documents) == total else f"document(s) {shown}")
    for name in ("id", "title", "collection", "format", "pages", "chunks", "groups", "path"):
        table.add_column(name)
    for document in documents:
        table.add_row(
            str(document.id),
            document.title,
            document.collection,
            document.format,
            str(document.n_pages or ""),
            str(document.n_chunks),
            ",".join(document.groups),
            document.path or "",
        )
    console.print(table)


@docs_group.command("show")
@click.argument("document_id", type=int)
@click.option("--groups", help="Read as a caller with these comma-separated groups.")
@json_option
@pass_app
def show(app: AppContext, document_id: int, groups: str | None, as_json: bool) -> None:
    """Show a document's sections (with offsets and pages)."""
    with app.library() as library:
        stored = library.get_document(document_id, groups=split_groups(groups))
    sections = [node for node in stored.parsed.nodes("section")]
    if as_json:
        data = stored.info.to_dict()
        data["structure"] = stored.parsed.structure_to_dict()
        data["text"] = stored.parsed.text
        print_json(data)
        return
    console.print(f"[bold]{stored.info.title}[/] ({stored.info.format}, {len(stored.parsed.text)} characters)")
    table = Table(title=f"{len(sections)} section(s)")
    for name in ("section", "page", "start", "end"):
        table.add_column(name)
    for node in sections:
        table.add_row("  " * max(node.level - 1, 0) + (node.title or ""), str(node.page or ""), str(node.start), str(node.end))
    console.print(table)


@docs_group.command("remove")
@click.argument("document_ids", nargs=-1, required=True, type=int)
@json_option
@pass_app
def remove(app: AppContext, document_ids: tuple[int, ...], as_json: bool) -> None:
    """Remove documents (with their chunks) by id."""
    with app.library() as library:
        removed = [library.remove_document(document_id) for document_id in document_ids]
    if as_json:
        print_json([document.to_dict() for document in removed])
        return
    for document in removed:
        console.print(f"removed {document.id}: {document.title}")
