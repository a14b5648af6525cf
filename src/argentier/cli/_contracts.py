"""``argentier contracts``: Contract review: clauses with quotes, key terms, playbook checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    err_console,
    json_option,
    pass_app,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from argentier.contracts import ContractReview

_OUTCOME_STYLE = {"compliant": "green", "fallback": "cyan", "deviation": "bold red", "missing": "yellow"}
_TABLE_TERMS = (
    "document_name",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "renewal_term",
    "notice_period_to_terminate_renewal",
    "governing_law",
)


@click.group("contracts", cls=ArgentierGroup)
def contracts_group() -> None:
    """Contract review: clauses with quotes, key terms, playbook checks."""


def _llm_client(app: AppContext, use_llm: bool):
    if not use_llm:
        return None
    from argentier.core.llm import make_llm_client

    client = make_llm_client(app.settings)
    if not client.available:
        raise click.UsageError("--llm needs an LLM: set [llm] provider in the configuration")
    return client


def _print_review(review: ContractReview) -> None:
    console.print(f"[bold]{escape(review.title)}[/] [dim]{escape(review.path or '')}[/]", highlight=False)
    terms = Table(title="key terms")
    for name in ("term", "value", "quote"):
        terms.add_column(name)
    for name, value in review.terms.items():
        items = value if isinstance(value, list) else [value] if value else []
        for term in items:
            shown = f"{term.value} {term.unit}" if term.unit else str(term.value)
            terms.add_row(name.replace("_", " "), escape(shown), escape(term.text[:90]))
    console.print(terms)
    clauses = Table(title=f"{len(review.clauses)} clause(s)")
    for name in ("category", "score", "offsets", "quote"):
        clauses.add_column(name)
    for clause in review.clauses:
        clauses.add_row(
            escape(clause.category),
            f"{clause.score:.2f}",
            f"{clause.start}-{clause.end}",
            escape(" ".join(clause.text.split())[:110]),
        )
    console.print(clauses)
    if review.playbook:
        rules = Table(title="playbook")
        for name in ("rule", "outcome", "severity", "explanation"):
            rules.add_column(name)
        for result in review.playbook:
            style = _OUTCOME_STYLE[result.outcome]
            rules.add_row(
                escape(result.rule),
                f"[{style}]{result.outcome}[/]",
                result.severity,
                escape(result.explanation),
            )
        console.print(rules)


def _print_portfolio(rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"{len(rows)} contract(s)")
    table.add_column("title")
    for name in _TABLE_TERMS:
        table.add_column(
            name.replace("_", " ").replace("notice period to terminate renewal", "renewal notice")
        )
    playbook_columns = [key for key in rows[0] if key.startswith("playbook:")] if rows else []
    for key in playbook_columns:
        table.add_column(key.split(":", 1)[1])
    table.add_column("clauses", justify="right")
    from argentier.contracts import CATEGORIES

    for row in rows:
        found = sum(1 for category in CATEGORIES if row[category] is not None)
        cells = [escape(str(row[name])) for name in _TABLE_TERMS]
        outcomes = [f"[{_OUTCOME_STYLE[row[key]]}]{row[key]}[/]" for key in playbook_columns]
        table.add_row(escape(str(row["title"])[:40]), *cells, *outcomes, str(found))
    console.print(table)


@contracts_group.command("review")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--playbook", type=click.Path(path_type=Path), help="A YAML or TOML playbook to check against.")
@click.option(
    "--min-score",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Report clauses scoring at least this (calibrated probability).",
)
@click.option("--llm", "use_llm", is_flag=True, help="Combine the trained model with the configured LLM.")
@click.option("--no-record", is_flag=True, help="Do not store findings in the review queue.")
@click.option(
    "--export", type=click.Path(path_type=Path), help="Write the portfolio table to a .csv or .xlsx."
)
@json_option
@pass_app
def review(
    app: AppContext,
    paths: tuple[Path, ...],
    playbook: Path | None,
    min_score: float,
    use_llm: bool,
    no_record: bool,
    export: Path | None,
    as_json: bool,
) -> None:
    """Review contracts (PDF, DOCX, HTML, TXT; files or folders): clauses, key terms, playbook."""
    from argentier.contracts import (
        ContractReviewer,
        contract_files,
        load_playbook,
        portfolio_rows,
        write_table,
    )
    from argentier.errors import ArgentierError

    rules = load_playbook(playbook) if playbook else None
    if export is not None and export.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter("must end in .csv or .xlsx", param_hint="--export")
    files = contract_files(paths)
    if not files:
        raise click.UsageError("no supported contract files (PDF, DOCX, HTML, TXT, MD) under the given paths")
    reviews, failures = [], []
    with app.library() as library:
        reviewer = ContractReviewer(
            library, playbook=rules, min_score=min_score, llm=_llm_client(app, use_llm), record=not no_record
        )
        with progress_bar(disable=len(files) == 1) as progress:
            task = progress.add_task("reviewing", total=len(files))
            for file in files:
                try:
                    result = reviewer.review_file(file)
                except ArgentierError as exc:
                    if len(files) == 1:
                        raise
                    failures.append(str(exc))
                else:
                    reviews.append(result)
                    if as_json and len(files) > 1:
                        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                progress.advance(task)
    rows = portfolio_rows(reviews)
    if export is not None:
        write_table(rows, export)
    if as_json and len(files) == 1:
        print_json(reviews[0].to_dict())
    elif not as_json:
        if len(reviews) == 1:
            _print_review(reviews[0])
        elif reviews:
            _print_portfolio(rows)
        if export is not None:
            console.print(f"wrote {len(rows)} row(s) to {escape(str(export))}", highlight=False)
    for failure in failures:
        err_console.print(f"[bold red]error:[/] {escape(failure)}", highlight=False, soft_wrap=True)
    if failures:
        sys.exit(1)


@contracts_group.command("ask")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("question")
@click.option("--llm", "use_llm", is_flag=True, help="Answer with the configured LLM (grounded, cited).")
@json_option
@pass_app
def ask(app: AppContext, path: Path, question: str, use_llm: bool, as_json: bool) -> None:
    """Ask a question about one contract; the answer cites the contract verbatim."""
    from argentier.contracts import answer_question
    from argentier.core.documents import load_document

    answer = answer_question(load_document(path), question, llm=_llm_client(app, use_llm))
    if as_json:
        print_json(answer.to_dict())
        return
    console.print(f"[bold]{escape(answer.answer)}[/]", highlight=False)
    for citation in answer.citations:
        console.print(
            f"  [dim]{citation.start}-{citation.end}[/] [italic]{escape(citation.quote)}[/]", highlight=False
        )


@contracts_group.command("unusual")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--z",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.5, 10.0),
    help="Flag clauses beyond the category's mean distance + z standard deviations.",
)
@click.option("--min-score", default=0.5, show_default=True, type=click.FloatRange(0.0, 1.0))
@json_option
def unusual(paths: tuple[Path, ...], z: float, min_score: float, as_json: bool) -> None:
    """Flag clauses that read unlike the same category across the given contracts."""
    from argentier.contracts import ClauseModel, contract_files, unusual_clauses
    from argentier.core.documents import load_document

    model = ClauseModel.load_default()
    files = contract_files(paths)
    portfolio = []
    with progress_bar(disable=len(files) < 2) as progress:
        task = progress.add_task("scoring", total=len(files))
        for file in files:
            portfolio.append((str(file), model.predict(load_document(file), min_score=min_score)))
            progress.advance(task)
    flagged = unusual_clauses(portfolio, z=z)
    if as_json:
        print_json([item.to_dict() for item in flagged])
        return
    table = Table(title=f"{len(flagged)} unusual clause(s) in {len(files)} contract(s)")
    for name in ("contract", "category", "distance", "threshold", "quote"):
        table.add_column(name)
    for item in flagged:
        table.add_row(
            escape(Path(item.contract).name),
            escape(item.match.category),
            f"{item.distance:.2f}",
            f"{item.threshold:.2f}",
            escape(" ".join(item.match.text.split())[:90]),
        )
    console.print(table)


@contracts_group.command("stats")
@json_option
@pass_app
def stats(app: AppContext, as_json: bool) -> None:
    """Reviewer acceptance of contract findings, per clause category, term and playbook."""
    from argentier.contracts import CATEGORIES, category_kind
    from argentier.core.review import ReviewService

    names = {category_kind(category): category for category in CATEGORIES}
    names |= {"contracts.term": "key terms", "contracts.playbook": "playbook"}
    with app.store() as store:
        result = ReviewService(store, app.settings).stats()
    rows = [(names[row.kind], row.counts) for row in result.by_kind if row.kind in names]
    if as_json:
        print_json([{"category": name, **counts.to_dict()} for name, counts in rows])
        return
    table = Table(title="acceptance of contract findings")
    for name in ("category", "reviewed", "approved", "edited", "rejected", "pending", "acceptance"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for name, counts in rows:
        rate = "" if counts.acceptance_rate is None else f"{100 * counts.acceptance_rate:.1f} %"
        table.add_row(
            escape(name),
            str(counts.reviewed),
            str(counts.approved),
            str(counts.edited),
            str(counts.rejected),
            str(counts.pending),
            rate,
        )
    console.print(table)


@contracts_group.command("playbook-example")
def playbook_example() -> None:
    """Print the shipped example playbook (YAML), a starting point for your own."""
    from argentier.contracts import EXAMPLE_PLAYBOOK

    click.echo(EXAMPLE_PLAYBOOK.read_text(encoding="utf-8"), nl=False)
