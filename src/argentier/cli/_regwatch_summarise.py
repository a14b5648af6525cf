"""``argentier regwatch summarise``: an extractive, fully cited summary of one regulatory update."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json
from argentier.core.documents import load_document
from argentier.regwatch.summarise import UpdateSummary, summarise_document


def render_summary(result: UpdateSummary) -> None:
    """Print the title, the summary sentences with their offsets, the dates and the obligations."""
    console.print(f"[bold]{escape(result.title)}[/]  [dim]({result.language})[/]", highlight=False)
    for sentence in result.sentences:
        console.print(
            f"  • {escape(' '.join(sentence.quote.split()))} [dim]chars {sentence.start}-{sentence.end}[/]",
            highlight=False,
        )
    dates = result.dates
    parts = [f"published {dates['published'] or '—'}", f"effective {dates['effective'] or '—'}"]
    parts.append("deadlines " + (", ".join(dates["deadlines"]) or "—"))
    console.print("[bold]Dates:[/] " + " · ".join(parts), highlight=False)
    if result.obligations:
        console.print("[bold]Obligations:[/]")
    for obligation in result.obligations:
        text = " ".join(obligation.text.split())
        console.print(
            f"  - {escape(text)} [dim]chars {obligation.start}-{obligation.end}[/]", highlight=False
        )


@click.command("summarise")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--words", default=250, show_default=True, type=click.IntRange(1, 5000), help="Summary word limit."
)
@click.option("--language", type=click.Choice(["en", "fr"]), help="Document language (detected by default).")
@json_option
@pass_app
def summarise_command(app: AppContext, file: Path, words: int, language: str | None, as_json: bool) -> None:
    """Summarise a regulatory update; every sentence, date and obligation cites its character offsets."""
    result = summarise_document(load_document(file), max_words=words, language=language)
    if as_json:
        print_json(result.to_dict())
        return
    render_summary(result)
