"""``argentier fraud``: simulate, train, score, evaluate, thresholds, rules, drift, model registry and alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
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
    import pandas as pd

_FILE = click.Path(path_type=Path, dir_okay=False)
_DATA = click.Path(path_type=Path, dir_okay=False, exists=False)


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
            type=_FILE,
            help="Extra labels (verdicts, chargebacks): transaction_id,is_fraud,label_time.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _load(
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


def _day(value: str, what: str) -> Any:
    from argentier.fraud import parse_day

    return parse_day(value, what)


def _with_progress(total: int, description: str, work: Callable[[Callable[[int], None]], Any]) -> Any:
    with progress_bar() as bar:
        task = bar.add_task(description, total=total)
        return work(lambda done: bar.update(task, completed=done))


def _fmt(value: Any, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for name in columns:
        table.add_column(
            name, justify="left" if name in ("name", "rule", "outcome", "feature", "level") else "right"
        )
    for row in rows:
        table.add_row(*(escape(_fmt(cell)) for cell in row))
    console.print(table)


@click.group("fraud", cls=ArgentierGroup)
def fraud_group() -> None:
    """Fraud detection: simulate, train, score, evaluate, rules and alerts."""


@fraud_group.command("simulate")
@click.option("--customers", type=click.IntRange(1), default=5000, show_default=True)
@click.option("--terminals", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--days", type=click.IntRange(1), default=183, show_default=True)
@click.option("--start", default="2018-04-01", show_default=True, help="First day (YYYY-MM-DD).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=_FILE, required=True, help="Output file: .parquet or .csv.")
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
        frame = simulate_transactions(customers, terminals, days, start=_day(start, "--start"), seed=seed)
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
@click.argument("data", type=_DATA)
@click.option("--from", "start", required=True, help="First day of training (YYYY-MM-DD, inclusive).")
@click.option("--to", "end", required=True, help="Last day of training (inclusive).")
@click.option("--model-out", type=_FILE, required=True, help="Where to write the model (JSON).")
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

    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    first, last = _day(start, "--from"), _day(end, "--to")
    config = fit_feature_config(
        frame[day_mask(frame, first, last)],
        numeric=_names(numeric_features),
        categorical=_names(categorical_features),
    )
    model = _with_progress(
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
        f" ({model.info_['frauds']:,} fraud); latest 20 % held out: AUC {_fmt(validation['auc'])},"
        f" AP {_fmt(validation['average_precision'])} -> {escape(str(model_out))}",
        highlight=False,
    )


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _rules(app: AppContext, rules_path: Path | None, review_at: float | None, block_at: float | None) -> Any:
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
    decision_rules = _rules(app, *rules)
    frame = _load(app, data, *data_args)
    return _with_progress(
        len(frame),
        "scoring",
        lambda progress: score_transactions(
            frame,
            model,
            _day(start, "--from"),
            _day(end, "--to"),
            rules=decision_rules,
            progress=progress,
            **options,
        ),
    )


@fraud_group.command("score")
@click.argument("data", type=_DATA)
@click.option("--model", "model_path", type=_FILE, required=True)
@click.option("--from", "start", required=True, help="First day to score (inclusive).")
@click.option("--to", "end", required=True, help="Last day to score (inclusive).")
@click.option("--out", type=_FILE, required=True, help="CSV: transaction_id,score,decision,rules,reasons.")
@click.option("--rules", "rules_path", type=_FILE, help="Decision rules (YAML); default: score thresholds.")
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


def _scored(frame: pd.DataFrame, scores_path: Path) -> pd.DataFrame:
    from argentier.fraud._data import attach_scores, read_table

    return attach_scores(
        frame, read_table(scores_path, id_columns=("transaction_id",)), source=str(scores_path)
    )


@fraud_group.command("evaluate")
@click.argument("data", type=_DATA)
@click.option("--scores", "scores_path", type=_FILE, required=True, help="A scores CSV from `fraud score`.")
@data_options
@json_option
@pass_app
def evaluate_command(
    app: AppContext,
    data: Path,
    scores_path: Path,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """AUC ROC, average precision, card precision@100 per day, recall at 1 % and 5 % FPR."""
    from argentier.fraud import evaluate

    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    result = evaluate(_scored(frame, scores_path))
    if as_json:
        print_json(result.to_dict())
        return
    _table(
        f"{result.transactions:,} labelled transactions, {result.frauds:,} fraud, {result.days} day(s)",
        ["metric", "value"],
        [
            ["AUC ROC", result.auc],
            ["average precision", result.average_precision],
            ["card precision@100 (mean per day)", result.card_precision_at_100],
            ["recall at 1 % FPR", result.recall_at_1pct_fpr],
            ["recall at 5 % FPR", result.recall_at_5pct_fpr],
        ],
    )
    console.print(
        "card precision@100 per day: " + ", ".join(f"{value:.2f}" for value in result.card_precision_per_day)
    )


@fraud_group.command("thresholds")
@click.argument("data", type=_DATA)
@click.option("--scores", "scores_path", type=_FILE, required=True, help="A scores CSV from `fraud score`.")
@click.option(
    "--alerts-per-day", type=click.FloatRange(0), help="Alert budget: at most this many alerts a day."
)
@click.option("--max-fpr", type=click.FloatRange(0, 1), help="Budget: false-positive rate at most this.")
@click.option(
    "--step", type=click.FloatRange(1, 500), default=50, show_default=True, help="Threshold spacing."
)
@click.option("--chart", type=_FILE, help="Also draw precision, recall and alerts per threshold (PNG).")
@data_options
@json_option
@pass_app
def thresholds(
    app: AppContext,
    data: Path,
    scores_path: Path,
    alerts_per_day: float | None,
    max_fpr: float | None,
    step: float,
    chart: Path | None,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Precision, recall and FPR per threshold, and the threshold that meets an alert budget."""
    import numpy as np

    from argentier.fraud import threshold_table
    from argentier.fraud._charts import threshold_chart

    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    choice = threshold_table(
        _scored(frame, scores_path),
        list(np.arange(0, 1000 + 1e-9, step)),
        max_alerts_per_day=alerts_per_day,
        max_false_positive_rate=max_fpr,
    )
    if chart is not None:
        threshold_chart(choice, chart)
    if as_json:
        print_json(choice.to_dict())
        return
    _table(
        "alerts are transactions scoring at or above the threshold",
        ["threshold", "alerts", "alerts/day", "precision", "recall", "FPR"],
        [
            [
                row.threshold,
                row.alerts,
                row.alerts_per_day,
                row.precision,
                row.recall,
                row.false_positive_rate,
            ]
            for row in choice.rows
        ],
    )
    if alerts_per_day is not None or max_fpr is not None:
        chosen = choice.chosen
        console.print(
            "no threshold meets the budget"
            if chosen is None
            else f"chosen threshold {chosen.threshold:g}: {chosen.alerts_per_day:.1f} alerts/day, precision"
            f" {_fmt(chosen.precision)}, recall {_fmt(chosen.recall)}",
            highlight=False,
        )


@fraud_group.command("drift")
@click.argument("data", type=_DATA)
@click.option("--model", "model_path", type=_FILE, required=True)
@click.option("--from", "start", required=True, help="First day of the recent period (inclusive).")
@click.option("--to", "end", required=True, help="Last day of the recent period (inclusive).")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Features shown.")
@click.option(
    "--record", is_flag=True, help="On a major shift, add a fraud.drift finding to the review queue."
)
@data_options
@json_option
@pass_app
def drift(
    app: AppContext,
    data: Path,
    model_path: Path,
    start: str,
    end: str,
    top: int,
    record: bool,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """Score and feature drift of a recent period against the model's training period (PSI)."""
    from argentier.fraud import FraudModel, compute_features, drift_report
    from argentier.fraud._data import day_mask

    model = FraudModel.load(model_path)
    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    mask = day_mask(frame, _day(start, "--from"), _day(end, "--to")).to_numpy()
    features = _with_progress(
        len(frame),
        "features",
        lambda progress: compute_features(frame, model.feature_config_, rows=mask, progress=progress),
    )
    report = drift_report(model.reference_, features, model.predict_score(features))
    finding = None
    if record:
        from argentier.core.review import ReviewService
        from argentier.fraud._alerts import record_drift

        with app.store() as store:
            finding = record_drift(
                ReviewService(store, app.settings),
                report,
                model_version=model.version,
                period=f"{start}..{end}",
            )
    if as_json:
        print_json({**report.to_dict(), "finding_id": finding and finding.id})
        return
    _table(
        f"drift over {report.rows:,} transactions (PSI: < 0.1 stable, 0.1-0.25 shift, > 0.25 major)",
        ["feature", "PSI", "level"],
        [[report.score.name, report.score.psi, report.score.level]]
        + [[item.name, item.psi, item.level] for item in report.features[:top]],
    )
    console.print("[bold red]drift detected: consider retraining[/]" if report.drifted else "no major drift")
    if finding is not None:
        console.print(f"recorded as finding {finding.id} (argentier review show {finding.id})")


@fraud_group.group("rules")
def rules_group() -> None:
    """Decision rules: check a rule file, back-test it on history."""


@rules_group.command("check")
@click.argument("rules_path", type=_FILE)
@click.option(
    "--model", "model_path", type=_FILE, help="Also check that every name is a feature of this model."
)
@click.option("--column", "columns", multiple=True, help="A raw column the rules may also read (repeatable).")
@json_option
def rules_check(rules_path: Path, model_path: Path | None, columns: tuple[str, ...], as_json: bool) -> None:
    """Parse a rule file and report its rules (any error names the rule)."""
    from argentier.fraud import FraudModel, RuleSet
    from argentier.fraud._data import REQUIRED_COLUMNS
    from argentier.fraud._scoring import rule_names

    rules = RuleSet.load(rules_path)
    if model_path is not None:
        model = FraudModel.load(model_path)
        rules.check_names(rule_names(model, [*REQUIRED_COLUMNS, *columns]))
    if as_json:
        print_json(rules.to_dict())
        return
    _table(
        f"{len(rules.rules)} rule(s), mode {rules.mode}, default {rules.default}",
        ["rule", "outcome", "when"],
        [[rule.name, rule.outcome, rule.when] for rule in rules.rules],
    )


@rules_group.command("backtest")
@click.argument("data", type=_DATA)
@click.option("--rules", "rules_path", type=_FILE, required=True)
@click.option("--from", "start", required=True, help="First day (inclusive).")
@click.option("--to", "end", required=True, help="Last day (inclusive).")
@click.option(
    "--scores", "scores_path", type=_FILE, help="Scores of the period, for rules that read `score`."
)
@click.option("--model", "model_path", type=_FILE, help="Use this model's feature config (extra columns).")
@data_options
@json_option
@pass_app
def rules_backtest(
    app: AppContext,
    data: Path,
    rules_path: Path,
    start: str,
    end: str,
    scores_path: Path | None,
    model_path: Path | None,
    mapping: tuple[str, ...],
    label_delay_days: float | None,
    skip_bad_rows: bool,
    labels_path: Path | None,
    as_json: bool,
) -> None:
    """How many alerts each rule raises on history and how much fraud it catches."""
    from argentier.fraud import FraudModel, RuleSet
    from argentier.fraud._backtest import backtest_rules

    rules = RuleSet.load(rules_path)
    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    scores = None
    if scores_path is not None:
        scores = _scored(frame, scores_path).score.reindex(frame.index)
    config = FraudModel.load(model_path).feature_config_ if model_path is not None else None
    result = backtest_rules(
        rules, frame, _day(start, "--from"), _day(end, "--to"), scores=scores, feature_config=config
    )
    if as_json:
        print_json(result.to_dict())
        return
    columns = [
        "rule",
        "outcome",
        "alerts",
        "alerts/day",
        "frauds caught",
        "fraud amount caught",
        "precision",
        "recall",
    ]
    cells = [
        [
            r.name,
            r.outcome,
            r.alerts,
            r.alerts_per_day,
            r.frauds_caught,
            r.fraud_amount_caught,
            r.precision,
            r.recall,
        ]
        for r in result.rules
    ]
    _table(
        f"each rule alone over {result.transactions:,} transactions ({result.frauds:,} fraud,"
        f" {result.fraud_amount:,.2f} fraud amount), {result.days} day(s)",
        columns,
        cells,
    )
    _table(
        f"the rule set together (mode {result.mode})",
        columns,
        [
            [
                r.name,
                r.outcome,
                r.alerts,
                r.alerts_per_day,
                r.frauds_caught,
                r.fraud_amount_caught,
                r.precision,
                r.recall,
            ]
            for r in result.decisions
        ],
    )


@fraud_group.command("stream")
@click.argument("data", type=_DATA)
@click.option("--model", "model_path", type=_FILE, required=True)
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
@click.option("--rules", "rules_path", type=_FILE, help="Decision rules (YAML); default: score thresholds.")
@click.option("--out", type=_FILE, help="Also write the decisions (CSV or Parquet).")
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
    rules = _rules(app, rules_path, None, None)
    frame = _load(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    learner = OnlineLearner(model.feature_names_) if online else None
    scorer = Scorer(
        model, rules=rules, columns=list(frame.columns), online=learner, online_weight=online_weight
    )
    with err_console.status("replaying"):
        decisions, report = replay_stream(
            frame,
            scorer,
            _day(start, "--from"),
            _day(end, "--to"),
            learn_from=_day(learn_from, "--learn-from") if learn_from else None,
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
    _table("scores on the replayed transactions with a label", ["name", "AUC", "AP"], rows)
