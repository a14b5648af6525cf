"""``argentier fraud models``, ``alerts`` and ``feedback``: the commands that keep state in the store (the model
registry, alerts in the review queue, reviewed alerts back as labels). Registered on ``fraud_group`` by
``argentier.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json
from argentier.cli._fraud_common import (
    DATA,
    FILE,
    data_options,
    load_transactions,
    parse_day,
    print_table,
    score_period,
)


@click.group("models")
def models_group() -> None:
    """The model registry: register, list, promote, retire, compare champion and challengers."""


def _print_entries(entries: list[Any], as_json: bool) -> None:
    if as_json:
        print_json([entry.to_dict() for entry in entries])
        return
    rows = []
    for entry in entries:
        validation = entry.metrics.get("validation", {})
        rows.append(
            [
                entry.id,
                entry.name,
                entry.version,
                entry.status,
                entry.trained_from,
                entry.trained_to,
                validation.get("auc"),
                validation.get("average_precision"),
                len(entry.metrics.get("evaluations", {})),
            ]
        )
    print_table(
        f"{len(entries)} model(s)",
        ["id", "name", "version", "status", "from", "to", "val. AUC", "val. AP", "evaluations"],
        rows,
    )


@models_group.command("register")
@click.argument("model_path", type=FILE)
@click.option(
    "--name", default="default", show_default=True, help="The model family (e.g. cards, transfers)."
)
@click.option("--note", help="Free text kept with the model.")
@click.option("--champion", is_flag=True, help="Promote it at once.")
@json_option
@pass_app
def models_register(
    app: AppContext, model_path: Path, name: str, note: str | None, champion: bool, as_json: bool
) -> None:
    """Add a trained model file to the registry (as a challenger unless --champion)."""
    from argentier.fraud import FraudModel
    from argentier.fraud._registry import ModelRegistry

    model = FraudModel.load(model_path)
    with app.store() as store:
        registry = ModelRegistry(store)
        entry = registry.register(model, name=name, note=note)
        if champion:
            entry = registry.promote(entry.id)
    _print_entries([entry], as_json)


@models_group.command("list")
@click.option("--name", help="Only this model family.")
@json_option
@pass_app
def models_list(app: AppContext, name: str | None, as_json: bool) -> None:
    """Registered models, newest first."""
    from argentier.fraud._registry import ModelRegistry

    with app.store() as store:
        _print_entries(ModelRegistry(store).list(name), as_json)


@models_group.command("promote")
@click.argument("model_id", type=int)
@json_option
@pass_app
def models_promote(app: AppContext, model_id: int, as_json: bool) -> None:
    """Make a model the champion of its family (the previous champion becomes a challenger)."""
    from argentier.fraud._registry import ModelRegistry

    with app.store() as store:
        _print_entries([ModelRegistry(store).promote(model_id)], as_json)


@models_group.command("retire")
@click.argument("model_id", type=int)
@json_option
@pass_app
def models_retire(app: AppContext, model_id: int, as_json: bool) -> None:
    """Take a model out of service (it stays in the registry)."""
    from argentier.fraud._registry import ModelRegistry

    with app.store() as store:
        _print_entries([ModelRegistry(store).retire(model_id)], as_json)


@models_group.command("compare")
@click.argument("data", type=DATA)
@click.option("--name", default="default", show_default=True)
@click.option("--from", "start", required=True, help="First day of the comparison (inclusive).")
@click.option("--to", "end", required=True, help="Last day (inclusive).")
@data_options
@json_option
@pass_app
def models_compare(
    app: AppContext,
    data: Path,
    name: str,
    start: str,
    end: str,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Score a period with the champion and every challenger; record and show their metrics side by side."""
    from argentier.fraud import evaluate, score_transactions
    from argentier.fraud._data import attach_scores
    from argentier.fraud._registry import ModelRegistry

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    results = []
    with app.store() as store:
        registry = ModelRegistry(store)
        entries = [entry for entry in registry.list(name) if entry.status in ("champion", "challenger")]
        if not entries:
            raise click.UsageError(f"no champion or challenger called {name!r}: register one first")
        for entry in entries:
            scored = score_transactions(frame, registry.load(entry.id), first, last, explain=0)
            metrics = evaluate(attach_scores(frame, scored.frame[["transaction_id", "score"]])).to_dict()
            registry.record_metrics(entry.id, f"{first}..{last}", metrics)
            results.append({"id": entry.id, "version": entry.version, "status": entry.status, **metrics})
    if as_json:
        print_json(results)
        return
    print_table(
        f"{name}: {first} to {last}",
        ["id", "version", "status", "AUC", "AP", "card P@100", "recall@1%FPR"],
        [
            [
                r["id"],
                r["version"],
                r["status"],
                r["auc"],
                r["average_precision"],
                r["card_precision_at_100"],
                r["recall_at_1pct_fpr"],
            ]
            for r in results
        ],
    )


@click.command("alerts")
@click.argument("data", type=DATA)
@click.option("--model", "model_path", type=FILE, required=True)
@click.option("--from", "start", required=True, help="First day (inclusive).")
@click.option("--to", "end", required=True, help="Last day (inclusive).")
@click.option("--rules", "rules_path", type=FILE, help="Decision rules (YAML); default: score thresholds.")
@click.option("--review-at", type=click.FloatRange(0, 1000), help="Default rule: review from this score.")
@click.option("--block-at", type=click.FloatRange(0, 1000), help="Default rule: block from this score.")
@data_options
@json_option
@pass_app
def alerts(
    app: AppContext,
    data: Path,
    model_path: Path,
    start: str,
    end: str,
    rules_path: Path | None,
    review_at: float | None,
    block_at: float | None,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Score a period and put every review/block decision in the review queue as a `fraud.alert` finding."""
    from argentier.core.review import ReviewService
    from argentier.fraud._alerts import raise_alerts

    scored = score_period(
        app,
        data,
        model_path,
        start,
        end,
        rules=(rules_path, review_at, block_at),
        data_args=(mapping, label_delay_days, skip_bad_rows, labels_path),
    )
    with app.store() as store:
        created = raise_alerts(
            ReviewService(store, app.settings), scored.frame, model_version=scored.model_version
        )
    if as_json:
        print_json(
            {**scored.to_dict(), "alerts_created": len(created), "finding_ids": [f.id for f in created]}
        )
        return
    console.print(
        f"{len(created):,} new fraud.alert finding(s) in the review queue"
        f" (argentier review list --kind fraud.alert)",
        highlight=False,
    )


@click.command("feedback")
@click.option("--out", type=FILE, required=True, help="Labels CSV: transaction_id,is_fraud,label_time.")
@json_option
@pass_app
def feedback(app: AppContext, out: Path, as_json: bool) -> None:
    """Export reviewed alerts as labels (approved = fraud, rejected = genuine) for --labels."""
    from argentier.core.review import ReviewService
    from argentier.fraud._alerts import alert_labels
    from argentier.fraud._data import write_table

    with app.store() as store:
        labels = alert_labels(ReviewService(store, app.settings))
    write_table(labels, out)
    summary = {"out": str(out), "labels": len(labels), "frauds": int(labels.is_fraud.sum())}
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{summary['labels']} label(s), {summary['frauds']} fraud -> {escape(str(out))}", highlight=False
    )


