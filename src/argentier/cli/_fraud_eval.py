"""``argentier fraud evaluate|thresholds|drift|rules``: how good the scores are, and the decision rules."""

from __future__ import annotations

from pathlib import Path

import click

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    json_option,
    pass_app,
    print_json,
)
from argentier.cli._fraud_common import (
    DATA,
    FILE,
    data_options,
    fmt,
    load_transactions,
    parse_day,
    print_table,
    scored,
    with_progress,
)


@click.command("evaluate")
@click.argument("data", type=DATA)
@click.option("--scores", "scores_path", type=FILE, required=True, help="A scores CSV from `fraud score`.")
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

    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    result = evaluate(scored(frame, scores_path))
    if as_json:
        print_json(result.to_dict())
        return
    print_table(
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


@click.command("thresholds")
@click.argument("data", type=DATA)
@click.option("--scores", "scores_path", type=FILE, required=True, help="A scores CSV from `fraud score`.")
@click.option(
    "--alerts-per-day", type=click.FloatRange(0), help="Alert budget: at most this many alerts a day."
)
@click.option("--max-fpr", type=click.FloatRange(0, 1), help="Budget: false-positive rate at most this.")
@click.option(
    "--step", type=click.FloatRange(1, 500), default=50, show_default=True, help="Threshold spacing."
)
@click.option("--chart", type=FILE, help="Also draw precision, recall and alerts per threshold (PNG).")
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

    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    choice = threshold_table(
        scored(frame, scores_path),
        list(np.arange(0, 1000 + 1e-9, step)),
        max_alerts_per_day=alerts_per_day,
        max_false_positive_rate=max_fpr,
    )
    if chart is not None:
        threshold_chart(choice, chart)
    if as_json:
        print_json(choice.to_dict())
        return
    print_table(
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
            f" {fmt(chosen.precision)}, recall {fmt(chosen.recall)}",
            highlight=False,
        )


@click.command("drift")
@click.argument("data", type=DATA)
@click.option("--model", "model_path", type=FILE, required=True)
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
    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    mask = day_mask(frame, parse_day(start, "--from"), parse_day(end, "--to")).to_numpy()
    features = with_progress(
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
    print_table(
        f"drift over {report.rows:,} transactions (PSI: < 0.1 stable, 0.1-0.25 shift, > 0.25 major)",
        ["feature", "PSI", "level"],
        [[report.score.name, report.score.psi, report.score.level]]
        + [[item.name, item.psi, item.level] for item in report.features[:top]],
    )
    console.print("[bold red]drift detected: consider retraining[/]" if report.drifted else "no major drift")
    if finding is not None:
        console.print(f"recorded as finding {finding.id} (argentier review show {finding.id})")


@click.group("rules", cls=ArgentierGroup)
def rules_group() -> None:
    """Decision rules: check a rule file, back-test it on history."""


@rules_group.command("check")
@click.argument("rules_path", type=FILE)
@click.option(
    "--model", "model_path", type=FILE, help="Also check that every name is a feature of this model."
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
    print_table(
        f"{len(rules.rules)} rule(s), mode {rules.mode}, default {rules.default}",
        ["rule", "outcome", "when"],
        [[rule.name, rule.outcome, rule.when] for rule in rules.rules],
    )


@rules_group.command("backtest")
@click.argument("data", type=DATA)
@click.option("--rules", "rules_path", type=FILE, required=True)
@click.option("--from", "start", required=True, help="First day (inclusive).")
@click.option("--to", "end", required=True, help="Last day (inclusive).")
@click.option(
    "--scores", "scores_path", type=FILE, help="Scores of the period, for rules that read `score`."
)
@click.option("--model", "model_path", type=FILE, help="Use this model's feature config (extra columns).")
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
    frame = load_transactions(app, data, mapping, label_delay_days, skip_bad_rows, labels_path)
    scores = None
    if scores_path is not None:
        scores = scored(frame, scores_path).score.reindex(frame.index)
    config = FraudModel.load(model_path).feature_config_ if model_path is not None else None
    result = backtest_rules(
        rules, frame, parse_day(start, "--from"), parse_day(end, "--to"), scores=scores, feature_config=config
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
    print_table(
        f"each rule alone over {result.transactions:,} transactions ({result.frauds:,} fraud,"
        f" {result.fraud_amount:,.2f} fraud amount), {result.days} day(s)",
        columns,
        cells,
    )
    print_table(
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

