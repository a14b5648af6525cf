"""``argentier fraud``: simulate, train, score and stream (evaluation in _fraud_eval.py, the store in _fraud_store.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    err_console,
    json_option,
    pass_app,
    print_json,
)
from argentier.cli._fraud_common import (
    DATA,
    FILE,
    data_options,
    decision_rules,
    fmt,
    load_transactions,
    names,
    parse_day,
    print_table,
    score_period,
    with_progress,
)

if TYPE_CHECKING:
    pass

@click.group("fraud", cls=ArgentierGroup)
def fraud_group() -> None:
    """Fraud detection: simulate, train, score, evaluate, rules and alerts."""


@fraud_group.command("simulate")
@click.option("--customers", type=click.IntRange(1), default=5000, show_default=True)
@click.option("--terminals", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--days", type=click.IntRange(1), default=183, show_default=True)
@click.option("--start", default="2018-04-01", show_default=True, help="First day (YYYY-MM-DD).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=FILE, required=True, help="Output file: .parquet or .csv.")
@json_option
def simulate(
    customers: int, terminals: int, days: int, start: str, seed: int, out: Path, as_json: bool
) -> None:
    """Simulate card transactions with fraud (the Fraud Detection Handbook's design)."""
    from argentier.fraud import simulate_transactions
    from argentier.fraud._data import write_table

    if out.suffix.lower() not in (".parquet", ".csv"):
        raise click.BadParameter("must end in .parquet or .csv", param_hint="--out")
    with err_console.status("simulating"):
        frame = simulate_transactions(customers, terminals, days, start=parse_day(start, "--start"), seed=seed)
        write_table(frame, out)
    summary = {
        "out": str(out),
        "transactions": len(frame),
        "frauds": int(frame.is_fraud.sum()),
        "fraud_rate": float(frame.is_fraud.mean()),
        "by_scenario": {str(k): int(v) for k, v in frame.fraud_scenario.value_counts().sort_index().items()},
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{len(frame):,} transactions, {summary['frauds']:,} fraud ({100 * summary['fraud_rate']:.2f} %)"
        f" -> {escape(str(out))}",
        highlight=False,
    )


@fraud_group.command("train")
@click.argument("data", type=DATA)
@click.option("--from", "start", required=True, help="First day of training (YYYY-MM-DD, inclusive).")
@click.option("--to", "end", required=True, help="Last day of training (inclusive).")
@click.option("--model-out", type=FILE, required=True, help="Where to write the model (JSON).")
@click.option("--numeric-features", default="", help="Extra numeric columns to use, comma-separated.")
@click.option("--categorical-features", default="", help="Extra categorical columns (channel, country...).")
@click.option(
    "--trees", type=click.IntRange(1), default=500, show_default=True, help="At most this many trees."
)
@click.option("--threads", type=click.IntRange(0), default=0, show_default=True, help="0: all cores.")
@click.option("--seed", type=int, default=0, show_default=True)
@data_options
@json_option
@pass_app
def train(
    app: AppContext,
    data: Path,
    start: str,
    end: str,
    model_out: Path,
    numeric_features: str,
    categorical_features: str,
    trees: int,
    threads: int,
    seed: int,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Train a model on [--from, --to], features from all earlier history in DATA."""
    from argentier.fraud import FraudModel, fit_feature_config, train_model
    from argentier.fraud._data import day_mask

    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    config = fit_feature_config(
        frame[day_mask(frame, first, last)],
        numeric=names(numeric_features),
        categorical=names(categorical_features),
    )
    model = with_progress(
        len(frame),
        "features",
        lambda progress: train_model(
            frame,
            first,
            last,
            model=FraudModel(n_estimators=trees, num_threads=threads, seed=seed),
            feature_config=config,
            progress=progress,
        ),
    )
    model.save(model_out)
    summary = {
        "model": str(model_out),
        "version": model.version,
        "trees": model.n_trees_,
        **model.info_,
        "validation": model.validation_metrics_,
    }
    if as_json:
        print_json(summary)
        return
    validation = model.validation_metrics_
    console.print(
        f"model {model.version}: {model.n_trees_} trees on {model.info_['rows']:,} transactions"
        f" ({model.info_['frauds']:,} fraud); latest 20 % held out: AUC {fmt(validation['auc'])},"
        f" AP {fmt(validation['average_precision'])} -> {escape(str(model_out))}",
        highlight=False,
    )


@fraud_group.command("score")
@click.argument("data", type=DATA)
@click.option("--model", "model_path", type=FILE, required=True)
@click.option("--from", "start", required=True, help="First day to score (inclusive).")
@click.option("--to", "end", required=True, help="Last day to score (inclusive).")
@click.option("--out", type=FILE, required=True, help="CSV: transaction_id,score,decision,rules,reasons.")
@click.option("--rules", "rules_path", type=FILE, help="Decision rules (YAML); default: score thresholds.")
@click.option("--review-at", type=click.FloatRange(0, 1000), help="Default rule: review from this score.")
@click.option("--block-at", type=click.FloatRange(0, 1000), help="Default rule: block from this score.")
@click.option(
    "--explain", type=click.IntRange(0, 20), default=3, show_default=True, help="Reasons per decision."
)
@click.option("--explain-approved", is_flag=True, help="Explain approvals too (about 1 ms a transaction).")
@data_options
@json_option
@pass_app
def score(
    app: AppContext,
    data: Path,
    model_path: Path,
    start: str,
    end: str,
    out: Path,
    rules_path: Path | None,
    review_at: float | None,
    block_at: float | None,
    explain: int,
    explain_approved: bool,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Score [--from, --to] in time order, each transaction from earlier history and labels known by then."""
    from argentier.fraud._data import write_table

    scored = score_period(
        app,
        data,
        model_path,
        start,
        end,
        rules=(rules_path, review_at, block_at),
        data_args=(mapping, label_delay_days, skip_bad_rows, labels_path),
        explain=explain,
        explain_approved=explain_approved,
    )
    columns = ["transaction_id", "score", "decision", "rules", "reasons"]
    write_table(scored.frame[columns].round({"score": 3}), out)
    summary = {**scored.to_dict(), "out": str(out)}
    if as_json:
        print_json(summary)
        return
    decisions = summary["decisions"]
    console.print(
        f"{summary['transactions']:,} transactions scored with model {scored.model_version}:"
        f" {decisions['approve']:,} approve, {decisions['review']:,} review, {decisions['block']:,} block"
        f" -> {escape(str(out))}",
        highlight=False,
    )


@fraud_group.command("stream")
@click.argument("data", type=DATA)
@click.option("--model", "model_path", type=FILE, required=True)
@click.option("--from", "start", required=True, help="First day replayed live (inclusive).")
@click.option("--to", "end", required=True, help="Last day (inclusive).")
@click.option("--learn-from", help="Start the replay earlier (unreported) so the online learner gets labels.")
@click.option("--online", is_flag=True, help="Add the River online learner, updated with every label.")
@click.option(
    "--online-weight",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Weight of the online learner's score in the decision score.",
)
@click.option("--rules", "rules_path", type=FILE, help="Decision rules (YAML); default: score thresholds.")
@click.option("--out", type=FILE, help="Also write the decisions (CSV or Parquet).")
@click.option("--save-state", metavar="NAME", help="Save the scorer's feature state in the store under NAME.")
@data_options
@json_option
@pass_app
def stream(
    app: AppContext,
    data: Path,
    model_path: Path,
    start: str,
    end: str,
    learn_from: str | None,
    online: bool,
    online_weight: float,
    rules_path: Path | None,
    out: Path | None,
    save_state: str | None,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Replay a period event by event through the real-time Scorer: latency, events/s, online learning."""
    from argentier.fraud import FraudModel, OnlineLearner, Scorer
    from argentier.fraud._data import write_table
    from argentier.fraud._stream import replay_stream

    if online_weight and not online:
        raise click.UsageError("--online-weight needs --online")
    model = FraudModel.load(model_path)
    rules = decision_rules(app, rules_path, None, None)
    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    learner = OnlineLearner(model.feature_names_) if online else None
    scorer = Scorer(
        model, rules=rules, columns=list(frame.columns), online=learner, online_weight=online_weight
    )
    with err_console.status("replaying"):
        decisions, report = replay_stream(
            frame,
            scorer,
            parse_day(start, "--from"),
            parse_day(end, "--to"),
            learn_from=parse_day(learn_from, "--learn-from") if learn_from else None,
        )
    if out is not None:
        write_table(decisions, out)
    if save_state:
        from argentier.fraud._registry import save_feature_state

        with app.store() as store:
            save_feature_state(store, save_state, scorer.state, model_version=model.version)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.transactions:,} transactions and {report.labels:,} labels replayed:"
        f" p50 {report.p50_ms:.3f} ms, p99 {report.p99_ms:.3f} ms, max {report.max_ms:.1f} ms,"
        f" {report.events_per_second:,.0f} events/s",
        highlight=False,
    )
    rows = [["batch model", report.model["auc"], report.model["average_precision"]]]
    if report.online is not None:
        rows += [
            ["online learner", report.online["auc"], report.online["average_precision"]],
            ["decision score", report.blended["auc"], report.blended["average_precision"]],
        ]
    print_table("scores on the replayed transactions with a label", ["name", "AUC", "AP"], rows)
