"""What the ``argentier fraud`` commands share: file options, loading transactions, progress, tables, scoring."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import AppContext, console, err_console, progress_bar

if TYPE_CHECKING:
    import pandas as pd

FILE = click.Path(path_type=Path, dir_okay=False)
DATA = click.Path(path_type=Path, dir_okay=False, exists=False)


def data_options(function: Callable) -> Callable:
    """The data-contract options shared by every command that reads transactions."""
    options = [
        click.option(
            "--map",
            "mapping",
            multiple=True,
            metavar="CONTRACT=COLUMN",
            help="Name of a contract column in the file, e.g. --map customer_id=card_no (repeatable).",
        ),
        click.option(
            "--label-delay-days",
            type=click.FloatRange(0),
            default=None,
            help="When a label has no label_time, it is known this many days after the transaction"
            " (default: config fraud.label_delay_days, 7).",
        ),
        click.option(
            "--skip-bad-rows", is_flag=True, help="Drop bad rows (and count them) instead of failing."
        ),
        click.option(
            "--labels",
            "labels_path",
            type=FILE,
            help="Extra labels (verdicts, chargebacks): transaction_id,is_fraud,label_time.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def load_transactions(
    app: AppContext,
    data: Path,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
) -> pd.DataFrame:
    from argentier.fraud import load_transactions
    from argentier.fraud._data import apply_labels, read_table

    columns = dict(app.settings.fraud.columns)
    for pair in mapping:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise click.BadParameter(f"expected CONTRACT=COLUMN, got {pair!r}", param_hint="--map")
        columns[name.strip()] = column.strip()
    delay = app.settings.fraud.label_delay_days if label_delay_days is None else label_delay_days
    loaded = load_transactions(
        data, columns=columns, label_delay=timedelta(days=delay), skip_bad_rows=skip_bad_rows
    )
    if loaded.skipped:
        err_console.print(
            f"skipped {loaded.skipped} bad row(s); first: {escape(loaded.first_skipped or '')}",
            highlight=False,
        )
    frame = loaded.frame
    if labels_path is not None:
        frame = apply_labels(
            frame, read_table(labels_path, id_columns=("transaction_id",)), source=str(labels_path)
        )
    return frame


def parse_day(value: str, what: str) -> Any:
    from argentier.fraud import parse_day

    return parse_day(value, what)


def with_progress(total: int, description: str, work: Callable[[Callable[[int], None]], Any]) -> Any:
    with progress_bar() as bar:
        task = bar.add_task(description, total=total)
        return work(lambda done: bar.update(task, completed=done))


def fmt(value: Any, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for name in columns:
        table.add_column(
            name, justify="left" if name in ("name", "rule", "outcome", "feature", "level") else "right"
        )
    for row in rows:
        table.add_row(*(escape(fmt(cell)) for cell in row))
    console.print(table)


def names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def decision_rules(app: AppContext, rules_path: Path | None, review_at: float | None, block_at: float | None) -> Any:
    from argentier.fraud import RuleSet, default_rules

    if rules_path is not None:
        if review_at is not None or block_at is not None:
            raise click.UsageError("give either --rules or --review-at/--block-at, not both")
        return RuleSet.load(rules_path)
    settings = app.settings.fraud
    return default_rules(
        settings.review_at if review_at is None else review_at,
        settings.block_at if block_at is None else block_at,
    )


def score_period(
    app: AppContext,
    data: Path,
    model_path: Path,
    start: str,
    end: str,
    *,
    rules: tuple[Path | None, float | None, float | None],
    data_args: tuple[tuple[str, ...], float | None, bool, Path | None],
    **options: Any,
) -> Any:
    """Load the model, the rules and the transactions, then score [start, end] in time order with a progress
    bar (``score`` and ``alerts`` share it); ``options`` go to ``score_transactions``."""
    from argentier.fraud import FraudModel, score_transactions

    model = FraudModel.load(model_path)
    chosen_rules = decision_rules(app, *rules)
    frame = load_transactions(app, data, *data_args)
    return with_progress(
        len(frame),
        "scoring",
        lambda progress: score_transactions(
            frame,
            model,
            parse_day(start, "--from"),
            parse_day(end, "--to"),
            rules=chosen_rules,
            progress=progress,
            **options,
        ),
    )


def scored(frame: pd.DataFrame, scores_path: Path) -> pd.DataFrame:
    from argentier.fraud._data import attach_scores, read_table

    return attach_scores(
        frame, read_table(scores_path, id_columns=("transaction_id",)), source=str(scores_path)
    )
