"""``argentier forecast``: revenue forecasts by hierarchy, backtests, anomalies and scenarios.

``run`` writes ``unique_id, ds, yhat, yhat_lo_<L>, yhat_hi_<L>`` (every level of the hierarchy), the file the
planning module reads. The heavy libraries (pandas, statsforecast ...) load only inside the commands.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
from argentier.forecast._hierarchy import RECONCILERS
from argentier.forecast._models import MODEL_NAMES

if TYPE_CHECKING:
    from argentier.forecast import DataReport, SeriesData

_MODEL_NAMES = MODEL_NAMES
_RECONCILERS = RECONCILERS


@click.group("forecast", cls=ArgentierGroup)
def forecast_group() -> None:
    """Revenue forecasts by hierarchy, backtests, anomalies and scenarios."""


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def data_options(function: Callable) -> Callable:
    """The options that say how to read the data (shared by every command that reads series)."""
    for option in reversed(
        (
            click.argument("data", type=click.Path(path_type=Path)),
            click.option(
                "--freq",
                help="Frequency (pandas alias: MS, QS, W-SUN, D, h; or 1 for integer periods)."
                " Inferred when absent.",
            ),
            click.option(
                "--season-length", type=click.IntRange(1), help="Seasonal period (default from --freq)."
            ),
            click.option("--levels", "hierarchy", help="Hierarchy columns, top first, e.g. region,category."),
            click.option(
                "--fill",
                type=click.Choice(["interpolate", "zero", "error"]),
                default="interpolate",
                show_default=True,
                help="What to do with gaps and missing values.",
            ),
            click.option(
                "--duplicates",
                type=click.Choice(["error", "sum", "last"]),
                default="error",
                show_default=True,
                help="What to do with repeated (unique_id, ds) rows.",
            ),
        )
    ):
        function = option(function)
    return function


def forecaster_options(function: Callable) -> Callable:
    for option in reversed(
        (
            click.option(
                "--horizon", "-h", type=click.IntRange(1), required=True, help="Periods to forecast."
            ),
            click.option(
                "--level",
                "levels",
                type=click.IntRange(1, 99),
                multiple=True,
                help="Prediction interval level in percent (repeatable; default 80 and 95).",
            ),
            click.option(
                "--models",
                default="ets,arima,theta,seasonal_naive,mstl",
                show_default=True,
                help=f"Candidate models: {', '.join(_MODEL_NAMES)}.",
            ),
            click.option(
                "--global-model/--no-global-model",
                default=None,
                help="Force or forbid the LightGBM global model (default: when data allow).",
            ),
            click.option(
                "--cv-windows",
                type=click.IntRange(1, 20),
                default=2,
                show_default=True,
                help="Rolling-origin windows used to choose each series' combination.",
            ),
            click.option(
                "--reconciliation", type=click.Choice(_RECONCILERS), default="min_trace", show_default=True
            ),
            click.option("--nonnegative", is_flag=True, help="Keep every forecast at or above zero."),
            click.option(
                "--engine",
                type=click.Choice(["local", "dask", "ray", "spark"]),
                help="Where statsforecast runs; default: [forecast] engine in the config (local).",
            ),
        )
    ):
        function = option(function)
    return function


def _load(data: Path, freq, season_length, hierarchy, fill, duplicates) -> SeriesData:
    from argentier.forecast import load_series

    return load_series(
        data,
        freq=freq,
        season_length=season_length,
        hierarchy=_split(hierarchy),
        fill=fill,
        duplicates=duplicates,
    )


def _forecaster(horizon, levels, models, global_model, cv_windows, reconciliation, nonnegative, engine):
    from argentier.forecast import Forecaster

    for name in _split(models):
        if name not in _MODEL_NAMES:
            raise click.BadParameter(
                f"unknown model {name!r}; choose from {', '.join(_MODEL_NAMES)}", param_hint="--models"
            )
    engine = engine or _forecast_settings().engine
    return Forecaster(
        horizon,
        models=_split(models),
        level=levels or (80, 95),
        global_model="auto" if global_model is None else global_model,
        cv_windows=cv_windows,
        reconciliation=reconciliation,
        nonnegative=nonnegative,
        engine=engine,
    )


def _forecast_settings():
    app = click.get_current_context().find_object(AppContext)
    return (app or AppContext()).settings.forecast


def _join_cluster(engine: str) -> None:
    """Join the engine's cluster (``[forecast] address``) once the data have loaded, just before fitting."""
    from argentier.forecast import connect_engine

    if engine == "ray":
        _quiet_ray()
    connect_engine(engine, _forecast_settings().address)


# Below this width the reasons (one or two sentences each) wrap into tall, narrow cells: each anomaly is printed
# as a heading line and its reason underneath instead of as a table row.
_ANOMALY_TABLE_WIDTH = 120


def print_anomalies(title: str, anomalies) -> None:
    """The anomalies as a table on a wide terminal, as a list (heading line, reason, drill-down) on a narrow one."""
    from rich.padding import Padding

    rows = []
    for anomaly in anomalies:
        children = ", ".join(
            f"{d['unique_id']} {100 * d['share']:.0f} %" for d in anomaly.drill_down[:3] if d["share"] is not None
        )
        when = anomaly.start if anomaly.start == anomaly.end else f"{anomaly.start} .. {anomaly.end}"
        rows.append((anomaly.unique_id, when, anomaly.kind, f"{anomaly.score:.1f}", anomaly.reason, children))
    if console.width < _ANOMALY_TABLE_WIDTH:
        console.print(f"[bold]{escape(title)}[/]", highlight=False)
        for series, when, kind, score, reason, children in rows:
            console.print(f"[bold]{escape(series)}[/]  {when}  {kind}  score {score}", highlight=False)
            console.print(Padding(escape(reason), (0, 0, 0, 2)), highlight=False)
            if children:
                console.print(Padding(f"[dim]explained by {escape(children)}[/]", (0, 0, 0, 2)), highlight=False)
        return
    table = Table(title=title)
    explained = any(row[-1] for row in rows)
    names = ("series", "when", "kind", "score", "reason") + (("explained by",) if explained else ())
    for name in names:
        table.add_column(name, justify="right" if name == "score" else "left", no_wrap=name != "reason")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row[: len(names)]))
    console.print(table)


def _quiet_ray() -> None:
    """Ray Data logs every stage of every dataset at INFO on stderr; a terminal user wants the table, not that.

    Ray reads ``RAY_ADDRESS`` to join a running cluster; without it a local one starts for the command.
    ``RAY_DATA_LOG_LEVEL`` set by the user wins.
    """
    import logging
    import os

    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")
    try:
        import ray.data
    except ImportError:
        return  # the Forecaster says which extra to install
    logging.getLogger("ray").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False


def _read_future(path: Path):
    """Future drivers: ``unique_id, ds`` and the exogenous columns, ``ds`` parsed like the data's."""
    from argentier.forecast import read_table
    from argentier.forecast._data import parse_ds

    frame = read_table(path)
    if "ds" not in frame.columns or "unique_id" not in frame.columns:
        from argentier.errors import InputError

        raise InputError("future drivers need columns unique_id and ds", source=str(path))
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame["ds"] = parse_ds(frame["ds"], str(path), True)
    return frame


def _print_report(report: DataReport) -> None:
    err_console.print(
        f"{escape(report.source)}: {report.n_series} series, {report.n_rows} periods,"
        f" {report.start} .. {report.end}, freq {report.freq}, season {report.season_length}",
        highlight=False,
    )
    for issue in report.issues[:10]:
        err_console.print(f"  [yellow]{issue.kind}[/] {escape(issue.message)}", highlight=False)
    if len(report.issues) > 10:
        err_console.print(f"  ... and {len(report.issues) - 10} more issue(s) (--json lists them all)")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return escape(str(value))


def print_frame(frame, title: str, limit: int = 40) -> None:
    """A DataFrame as a rich table (the first ``limit`` rows)."""
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if frame[column].dtype == object else "right")
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    console.print(table)


def plan_book(app: AppContext):
    from contextlib import contextmanager

    from argentier.forecast import PlanBook

    @contextmanager
    def opened():
        with app.store() as store:
            yield PlanBook(store)

    return opened()


@forecast_group.command("run")
@data_options
@forecaster_options
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Forecast file (.csv or .parquet)."
)
@click.option(
    "--chart", type=click.Path(path_type=Path), help="Chart of the top series (.png, .svg or .html)."
)
@click.option(
    "--future",
    type=click.Path(path_type=Path),
    help="Future values of the exogenous columns (unique_id, ds, drivers) for the horizon.",
)
@click.option(
    "--driver-agg",
    "driver_agg",
    multiple=True,
    metavar="COLUMN=RULE",
    help="With --levels: how a driver adds up the hierarchy: sum, mean (default) or wmean (weighted by each"
    " series' recent y, e.g. price=wmean). Repeatable.",
)
@click.option("--save-version", help="Also keep the forecast in the store as the next version of this name.")
@click.option(
    "--version-kind", type=click.Choice(["forecast", "budget"]), default="forecast", show_default=True
)
@json_option
@pass_app
def run(
    app: AppContext,
    data,
    freq,
    season_length,
    hierarchy,
    fill,
    duplicates,
    horizon,
    levels,
    models,
    global_model,
    cv_windows,
    reconciliation,
    nonnegative,
    engine,
    out,
    chart,
    future,
    driver_agg,
    save_version,
    version_kind,
    as_json,
) -> None:
    """Forecast every series (and every hierarchy level) of DATA; write the forecasts to --out."""
    from argentier.forecast._charts import forecast_chart
    from argentier.forecast._io import write_table

    forecaster = _forecaster(
        horizon, levels, models, global_model, cv_windows, reconciliation, nonnegative, engine
    )
    forecaster.driver_aggregation = list(driver_agg) or None
    series = _load(data, freq, season_length, hierarchy, fill, duplicates)
    _join_cluster(forecaster.engine)
    if not as_json:
        _print_report(series.report)
    with progress_bar(disable=as_json) as progress:
        progress.add_task("fitting and validating models", total=None)
        result = forecaster.fit(series, future=_read_future(future) if future else None).predict()
    write_table(result.frame, out)
    if chart:
        top = [
            uid
            for uid in result.frame["unique_id"].unique()
            if result.hierarchy is None or result.hierarchy.level_of(uid) in result.hierarchy.levels[:2]
        ]
        if result.hierarchy is not None:
            top.sort(key=lambda uid: result.hierarchy.levels.index(result.hierarchy.level_of(uid)))
        forecast_chart(result.history, result.frame, chart, series=top[:6] if result.hierarchy else None)
    version = None
    if save_version:
        with plan_book(app) as book:
            version = book.save_version(
                result.frame,
                save_version,
                kind=version_kind,
                source=str(data),
                hierarchy=result.hierarchy,
                meta=result.summary(),
            )
    if as_json:
        print_json(
            {
                **result.summary(),
                "engine": forecaster.engine,
                "data": series.report.to_dict(),
                "out": str(out),
                "chart": str(chart) if chart else None,
                "version": version.to_dict() if version else None,
            }
        )
        return
    summary = result.summary()
    totals = (
        result.frame.groupby("ds", as_index=False)["yhat"].sum()
        if result.hierarchy is None
        else result.frame[result.frame["unique_id"] == result.hierarchy.tags["total"][0]]
    )
    print_frame(
        totals.assign(ds=totals["ds"].astype(str)),
        "forecast of the total" if result.hierarchy else "sum of all series",
    )
    chosen = ", ".join(f"{name} x{count}" for name, count in list(summary["chosen"].items())[:6])
    console.print(
        f"{summary['n_series']} series, chosen: {escape(chosen or 'mean of all models')}", highlight=False
    )
    if result.hierarchy is not None:
        console.print(
            f"reconciled with {result.reconciliation}: largest incoherence {result.coherence_error:.1e}",
            highlight=False,
        )
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    console.print(
        f"wrote {escape(str(out))}" + (f" and {escape(str(chart))}" if chart else ""), highlight=False
    )
    if version:
        console.print(f"kept as {escape(version.name)} #{version.number} ({version.kind})", highlight=False)


@forecast_group.command("backtest")
@data_options
@forecaster_options
@click.option("--windows", type=click.IntRange(1, 50), default=3, show_default=True, help="Rolling origins.")
@click.option("--step", type=click.IntRange(1), help="Periods between origins (default: the horizon).")
@click.option(
    "--compare", help="Also score, from the same fits: base and/or reconciliations, comma-separated."
)
@click.option("--per-series-out", type=click.Path(path_type=Path), help="Write the per-series scores here.")
@json_option
def backtest_command(
    data,
    freq,
    season_length,
    hierarchy,
    fill,
    duplicates,
    horizon,
    levels,
    models,
    global_model,
    cv_windows,
    reconciliation,
    nonnegative,
    engine,
    windows,
    step,
    compare,
    per_series_out,
    as_json,
) -> None:
    """Rolling-origin backtest: MASE, sMAPE, WAPE, interval coverage and weighted quantile loss per level."""
    from argentier.forecast import backtest
    from argentier.forecast._io import write_table

    extra = _split(compare)
    for name in extra:
        if name not in ("base", *_RECONCILERS):
            raise click.BadParameter(f"unknown method {name!r}", param_hint="--compare")
    forecaster = _forecaster(
        horizon, levels, models, global_model, cv_windows, reconciliation, nonnegative, engine
    )
    series = _load(data, freq, season_length, hierarchy, fill, duplicates)
    _join_cluster(forecaster.engine)
    if not as_json:
        _print_report(series.report)
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("backtesting", total=windows)
        result = backtest(
            series,
            forecaster,
            n_windows=windows,
            step=step,
            compare=extra,
            progress=lambda done, total: progress.update(task, completed=done),
        )
    if per_series_out:
        write_table(result.per_series, per_series_out)
    if as_json:
        print_json(result.to_dict())
        return
    print_frame(result.metrics, f"backtest: {windows} origin(s), horizon {horizon}")


@forecast_group.command("anomalies")
@data_options
@click.option(
    "--level",
    type=click.FloatRange(50, 99.99),
    default=99.0,
    show_default=True,
    help="Width of the expected band in percent.",
)
@click.option("--out", type=click.Path(path_type=Path), help="Per-period scores (.csv or .parquet).")
@click.option("--chart", type=click.Path(path_type=Path), help="Chart of the most anomalous series.")
@click.option(
    "--findings/--no-findings",
    default=True,
    show_default=True,
    help="Record each anomaly as a finding in the review queue.",
)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Anomalies shown.")
@json_option
@pass_app
def anomalies(
    app: AppContext,
    data,
    freq,
    season_length,
    hierarchy,
    fill,
    duplicates,
    level,
    out,
    chart,
    findings,
    limit,
    as_json,
) -> None:
    """Find points and periods of DATA outside the expected band; drill down into the children."""
    from argentier.forecast import AnomalyDetector
    from argentier.forecast._charts import anomaly_chart
    from argentier.forecast._io import write_table

    series = _load(data, freq, season_length, hierarchy, fill, duplicates)
    if not as_json:
        _print_report(series.report)
    with progress_bar(disable=as_json) as progress:
        progress.add_task("scoring actuals", total=None)
        result = AnomalyDetector(level=level).fit(series).predict()
    if out:
        columns = ["unique_id", "ds", "y", "expected", "lo", "hi", "score", "is_anomaly", "kind", "reason"]
        write_table(result.frame[columns], out)
    if chart:
        anomaly_chart(result.frame, chart)
    recorded = []
    if findings and result.anomalies:
        from argentier.core.review import ReviewService
        from argentier.forecast import record_anomaly_findings

        with app.store() as store:
            recorded = record_anomaly_findings(ReviewService(store, app.settings), result.anomalies)
    if as_json:
        print_json(
            {**result.to_dict(), "finding_ids": [f.id for f in recorded], "out": str(out) if out else None}
        )
        return
    title = (
        f"{len(result.anomalies)} anomal{'y' if len(result.anomalies) == 1 else 'ies'}"
        f" ({int(result.frame['is_anomaly'].sum())} periods)"
    )
    print_anomalies(title, result.anomalies[:limit])
    if recorded:
        console.print(
            f"{len(recorded)} finding(s) added to the review queue (argentier review list"
            " --kind forecast.anomaly)"
        )
