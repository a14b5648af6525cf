"""``argentier demo``: the main job on generated demo data."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json, progress_bar
from argentier.cli._search import render_hit


@click.command("demo")
@click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 50), help="Hits per question.")
@json_option
@pass_app
def demo(app: AppContext, k: int, as_json: bool) -> None:
    """Generate a finance corpus (PDF, DOCX, HTML, Markdown, TXT), index it and answer questions with citations."""
    from argentier.demo import run_demo

    directory = app.settings.home / "demo-corpus"
    with app.library() as library:
        with progress_bar(disable=as_json) as progress:
            task = progress.add_task("indexing the demo corpus", total=None)
            report = run_demo(
                library,
                directory,
                k=k,
                on_progress=lambda done, total, _path: progress.update(task, completed=done, total=total),
            )
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(f"[bold]Demo corpus[/] written to {report.corpus_dir}")
        for outcome in report.added:
            detail = outcome.error or f"{outcome.document.n_chunks} chunks"
            console.print(f"  {outcome.status:<9} {escape(outcome.source)} ({escape(detail)})", highlight=False)
        for search in report.searches:
            who = "as owner" if search.groups is None else f"as groups {list(search.groups) or ['public']}"
            console.print(f"\n[bold cyan]Q:[/] {escape(search.query)} [dim]({who})[/]")
            if not search.hits:
                console.print("    no hits")
            for rank, hit in enumerate(search.hits, start=1):
                render_hit(rank, hit)
    if any(outcome.status == "failed" for outcome in report.added):
        sys.exit(1)
