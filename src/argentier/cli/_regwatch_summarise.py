"""``argentier regwatch summarise``: an extractive, fully cited summary of one regulatory update and its impact."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json
from argentier.core.documents import load_document
from argentier.regwatch.impact import ImpactPrediction, load_taxonomy, predict_impact
from argentier.regwatch.sources import validate_jurisdiction
from argentier.regwatch.summarise import UpdateSummary, summarise_document


def render_summary(result: UpdateSummary) -> None:
    """Print the title, the summary sentences with their offsets, the dates and the obligations."""
    console.print(f"[bold]{escape(result.title)}[/]  [dim]({result.language})[/]", highlight=False)
    if result.note:
        console.print(f"[yellow]{escape(result.note)}[/]", highlight=False)
    for claim in result.statements:
        cited = ", ".join(f"{e.start}-{e.end}" for e in claim.evidence)
        console.print(f"  • {escape(claim.text)} [dim]quotes chars {cited} ({result.model})[/]", highlight=False)
    for sentence in () if result.statements else result.sentences:
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


def _with_llm(  # noqa: ANN001
    app: AppContext, doc, max_words: int, language: str | None, taxonomy, jurisdiction: str | None
) -> tuple[UpdateSummary, ImpactPrediction]:
    """The LLM paths, with calls recorded (and answers cached) in the configured store."""
    from argentier.core.llm import make_llm_client
    from argentier.core.store import Store
    from argentier.regwatch.llm_impact import predict_impact_with_llm
    from argentier.regwatch.llm_summary import summarise_with_llm

    store = Store.open(app.settings.effective_database_url)
    try:
        with make_llm_client(app.settings, store) as client:
            summary = summarise_with_llm(doc, client, max_words=max_words, language=language)
            impact = predict_impact_with_llm(
                doc, client, taxonomy=taxonomy, summary=summary, jurisdiction=jurisdiction
            )
            return summary, impact
    finally:
        store.close()


def render_impact(impact: ImpactPrediction) -> None:
    """Print the severity with its rule, then the taxes and business lines with their confidence."""
    console.print(
        f"[bold]Impact:[/] {impact.severity} [dim]({escape(impact.severity_rule)})[/]", highlight=False
    )
    for label, matches in (("Taxes", impact.taxes), ("Business lines", impact.business_lines)):
        found = ", ".join(f"{escape(m.label)} {m.confidence:.2f}" for m in matches) or "—"
        console.print(f"  {label}: {found}", highlight=False)


@click.command("summarise")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--words", type=click.IntRange(1, 5000), help="Summary word limit [default: regwatch.summary_words].")
@click.option("--language", type=click.Choice(["en", "fr"]), help="Document language (detected by default).")
@click.option("--jurisdiction", help="ISO 3166 alpha-2 code or EU, recorded with the impact.")
@click.option("--extractive", is_flag=True, help="Quote sentences only, even when an LLM is configured.")
@json_option
@pass_app
def summarise_command(
    app: AppContext,
    file: Path,
    words: int | None,
    language: str | None,
    jurisdiction: str | None,
    extractive: bool,
    as_json: bool,
) -> None:
    """Summarise a regulatory update and predict its impact; every sentence, date and obligation cites its
    character offsets. With an LLM configured ([llm]), the summary is written by the model and each statement
    keeps only if its quotes are found in the update."""
    config = app.settings.regwatch
    jurisdiction = validate_jurisdiction(jurisdiction) if jurisdiction else None
    doc = load_document(file)
    max_words = words or config.summary_words
    taxonomy = load_taxonomy(config.taxonomy)
    if extractive or app.settings.llm.provider == "none":
        result = summarise_document(doc, max_words=max_words, language=language)
        impact = predict_impact(doc, taxonomy=taxonomy, summary=result, jurisdiction=jurisdiction)
    else:
        result, impact = _with_llm(app, doc, max_words, language, taxonomy, jurisdiction)
    if as_json:
        print_json({**result.to_dict(), "impact": impact.to_dict()})
        return
    render_summary(result)
    render_impact(impact)
