"""``argentier ask``, ``argentier chat`` and ``argentier assistant eval``: the finance assistant in the terminal."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

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
    split_groups,
)

if TYPE_CHECKING:
    from argentier.assistant import Answer, Assistant

_EXIT_WORDS = frozenset({"exit", "quit", ":q"})


@contextmanager
def _assistant(app: AppContext) -> Iterator["Assistant"]:
    from argentier.assistant import Assistant

    assistant = Assistant.open(app.settings)
    try:
        yield assistant
    finally:
        assistant.close()


def _highlighted(quote: str, start: int, highlight_start: int, highlight_end: int) -> str:
    """The quote with the answering sentence (offsets into the document) in bold yellow."""
    left, right = highlight_start - start, highlight_end - start
    if not 0 <= left < right <= len(quote):
        return escape(" ".join(quote.split()))
    flat = [escape(" ".join(part.split())) for part in (quote[:left], quote[left:right], quote[right:])]
    return f"{flat[0]} [bold yellow]{flat[1]}[/] {flat[2]}".strip()


def render_answer(answer: "Answer") -> None:
    """The answer, then each citation: document, page, section, offsets, and the quote with its highlight."""
    if answer.refused:
        console.print(f"[bold yellow]{escape(answer.answer)}[/]", highlight=False)
        if answer.note:
            console.print(f"[dim]{escape(answer.note)}[/]", highlight=False)
        return
    console.print(f"[bold]{escape(answer.answer)}[/]", highlight=False)
    if answer.arithmetic:
        console.print(f"[cyan]arithmetic:[/] {escape(answer.arithmetic)}", highlight=False)
    if answer.note:
        console.print(f"[dim]{escape(answer.note)}[/]", highlight=False)
    for number, citation in enumerate(answer.citations, start=1):
        if citation.document is None:
            source = dict(citation.source or {})
            label = escape(str(source.get("tool", "tool")))
            console.print(f"[{number}] [bold]{label}[/] {escape(citation.quote)}", highlight=False)
            continue
        where = [f"[bold]{escape(citation.document.title)}[/]"]
        if citation.page is not None:
            where.append(f"p. {citation.page}")
        if citation.section:
            where.append(escape(citation.section))
        where.append(f"chars {citation.start}-{citation.end}")
        source = dict(citation.source or {})
        if source.get("kind") == "table_cell":
            where.append(f"row {escape(str(source.get('row')))!s}, column {escape(str(source.get('column')))!s}")
        console.print(f"[{number}] " + " · ".join(where), highlight=False)
        quote = escape(" ".join(citation.quote.split()))
        if citation.highlight is not None and citation.start is not None:
            quote = _highlighted(citation.quote, citation.start, citation.highlight.start, citation.highlight.end)
        console.print(f"    [italic]{quote}[/]", highlight=False)
    console.print(f"[dim]{answer.method} · confidence {answer.confidence:.2f}[/]", highlight=False)


@click.command("ask")
@click.argument("question")
@click.option("--collection", help="Only documents of this collection.")
@click.option("--groups", help="Answer as a caller with these comma-separated groups.")
@click.option("--conversation", type=int, help="Continue this conversation (follow-ups keep its context).")
@json_option
@pass_app
def ask(
    app: AppContext, question: str, collection: str | None, groups: str | None, conversation: int | None, as_json: bool
) -> None:
    """Ask the documents a question; the answer cites document, page, section and the quote with offsets."""
    with _assistant(app) as assistant:
        answer = assistant.ask(
            question, groups=split_groups(groups), collection=collection, conversation=conversation
        )
    if as_json:
        print_json(answer.to_dict())
    else:
        render_answer(answer)


@click.command("chat")
@click.option("--collection", help="Only documents of this collection.")
@click.option("--groups", help="Answer as a caller with these comma-separated groups.")
@click.option("--conversation", type=int, help="Resume this conversation.")
@click.option("--json", "as_json", is_flag=True, help="Read questions line by line from stdin; print JSON lines.")
@pass_app
def chat(app: AppContext, collection: str | None, groups: str | None, conversation: int | None, as_json: bool) -> None:
    """An interactive session: follow-up questions keep context; every exchange is logged for audit.

    Type exit (or end the input) to leave.
    """
    interactive = sys.stdin.isatty() and not as_json
    with _assistant(app) as assistant:
        if interactive:
            console.print("[dim]Ask a question; follow-ups keep the context. Type exit to leave.[/]")
        while True:
            try:
                line = click.prompt("you", prompt_suffix="> ") if interactive else sys.stdin.readline()
            except (EOFError, click.Abort):
                break
            if not interactive and line == "":
                break
            question = line.strip()
            if not question:
                continue
            if question.lower() in _EXIT_WORDS:
                break
            answer = assistant.ask(
                question, groups=split_groups(groups), collection=collection, conversation=conversation
            )
            conversation = answer.conversation_id
            if as_json:
                click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, default=str))
            else:
                render_answer(answer)
    if conversation is not None and not as_json:
        err_console.print(f"[dim]conversation {conversation} logged[/]")


@click.group("assistant", cls=ArgentierGroup)
def assistant_group() -> None:
    """The finance assistant: evaluate it on question-answer sets, read the conversation log."""


@assistant_group.command("eval")
@click.argument("qa_file", type=click.Path(dir_okay=False))
@click.option("--collection", help="Only documents of this collection.")
@click.option("--groups", help="Evaluate as a caller with these comma-separated groups.")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="Cut-off of recall@k.")
@click.option("--by", "by", multiple=True, help="Break accuracy down by this field of the QA lines; repeatable.")
@click.option("--results", "with_results", is_flag=True, help="With --json: include every question's outcome.")
@json_option
@pass_app
def evaluate_command(
    app: AppContext,
    qa_file: str,
    collection: str | None,
    groups: str | None,
    k: int,
    by: tuple[str, ...],
    with_results: bool,
    as_json: bool,
) -> None:
    """Measure answer accuracy, recall@k, MRR, refusals and grounding over a QA file (JSON lines)."""
    from argentier.assistant.eval import evaluate, load_qa

    items = load_qa(qa_file)
    with _assistant(app) as assistant, progress_bar() as progress:
        task = progress.add_task("asking", total=len(items))
        report = evaluate(
            assistant,
            items,
            collection=collection,
            k=k,
            groups=split_groups(groups),
            on_progress=lambda done, total: progress.update(task, completed=done),
        )
    data = report.to_dict(results=with_results)
    if by:
        data["breakdown"] = {key: report.breakdown(key) for key in by}
    if as_json:
        print_json(data)
        return
    table = Table("measure", "value", title=f"{report.n} questions ({report.n_unanswerable} unanswerable)")
    for key, value in data.items():
        if key in ("by_method", "breakdown", "results"):
            continue
        table.add_row(key, "-" if value is None else f"{value}")
    table.add_row("by_method", ", ".join(f"{m}: {n}" for m, n in report.by_method.items()))
    console.print(table)
    for key in by:
        sub = Table(key, "n", "accuracy", "exact accuracy", title=f"by {key}")
        for value, row in data["breakdown"][key].items():
            sub.add_row(value, str(row["n"]), str(row["accuracy"]), str(row["exact_accuracy"]))
        console.print(sub)


@assistant_group.command("conversations")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@json_option
@pass_app
def conversations(app: AppContext, limit: int, as_json: bool) -> None:
    """Your conversations with the assistant, latest first."""
    with _assistant(app) as assistant:
        from argentier.assistant.answer import _local_user

        rows = assistant.log.list(_local_user(), limit=limit)
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    table = Table("id", "title", "exchanges", "updated")
    for row in rows:
        table.add_row(str(row.id), row.title, str(row.n_exchanges), row.updated_at.isoformat(timespec="seconds"))
    console.print(table)


@assistant_group.command("conversation")
@click.argument("conversation_id", type=int)
@click.option("--groups", help="Show as a caller with these groups (answers citing other documents withheld).")
@json_option
@pass_app
def conversation(app: AppContext, conversation_id: int, groups: str | None, as_json: bool) -> None:
    """One conversation's logged exchanges: question, answer, citations, refusals."""
    with _assistant(app) as assistant:
        from argentier.assistant.answer import _local_user

        record = assistant.log.get(conversation_id, _local_user(), split_groups(groups))
    if as_json:
        print_json(record.to_dict())
        return
    console.print(f"[bold]{escape(record.title)}[/] [dim]({record.n_exchanges} exchanges)[/]", highlight=False)
    for exchange in record.exchanges:
        console.print(f"[cyan]{exchange.ordinal}. {escape(exchange.question)}[/]", highlight=False)
        style = "yellow" if exchange.refused else "default"
        console.print(f"   [{style}]{escape(exchange.answer)}[/]", highlight=False)


ASSISTANT_COMMANDS: tuple[click.Command, ...] = (ask, chat)
