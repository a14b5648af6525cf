"""``argentier plan``: staffing, shift schedules, peak plans, supply-chain simulation, capital, forward view.

The planning package (NumPy, SciPy, pandas, OR-Tools, SimPy) is imported inside each command, so the rest of the
command line starts without it.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from argentier.cli._common import ArgentierGroup, console, json_option, print_json, progress_bar

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT = click.Path(dir_okay=False, path_type=Path)
chart_option = click.option("--chart", type=_OUT, help="Write a PNG chart to this path.")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for number, name in enumerate(columns):
        table.add_column(name, justify="left" if number == 0 else "right")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


def pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def write_chart(kind: str, result: Any, path: Path | None) -> None:
    """Write the ``kind`` chart of ``result`` when ``--chart`` was given (matplotlib is imported only then)."""
    if path is not None:
        from argentier.planning import _charts

        getattr(_charts, f"{kind}_chart")(result, path)


def saved(path: Path | None) -> None:
    if path is not None:
        console.print(f"wrote {path}", highlight=False)


@click.group("plan", cls=ArgentierGroup)
def plan_group() -> None:
    """Operational planning: staffing, shifts, peaks, supply-chain simulation, capital, forward view."""


@plan_group.command("staffing")
@click.option("--volume", type=click.FloatRange(min=0), help="Contacts in one interval.")
@click.option(
    "--volumes", type=FILE, help="CSV/Parquet of volumes per interval (or a forecast: unique_id, ds, yhat)."
)
@click.option("--volume-column", help="Column holding the volume, e.g. yhat_hi_80 (default: volume or yhat).")
@click.option(
    "--interval-minutes",
    type=click.FloatRange(min=0, min_open=True),
    help="Interval length [default: 30 for --volume, inferred from the file's timestamps].",
)
@click.option("--aht-seconds", type=click.FloatRange(min=0, min_open=True), help="Average handling time.")
@click.option("--service-level", default=0.8, show_default=True, type=click.FloatRange(0, 1, max_open=True))
@click.option("--answer-seconds", default=20.0, show_default=True, type=click.FloatRange(min=0))
@click.option(
    "--asa-seconds", type=click.FloatRange(min=0, min_open=True), help="Maximum average speed of answer."
)
@click.option("--max-occupancy", type=click.FloatRange(0, 1, min_open=True), help="Occupancy cap, e.g. 0.85.")
@click.option("--shrinkage", default=0.0, show_default=True, type=click.FloatRange(0, 1, max_open=True))
@click.option(
    "--patience-seconds",
    type=click.FloatRange(min=0, min_open=True),
    help="Mean caller patience: use Erlang A (abandonment) instead of Erlang C.",
)
@click.option(
    "--max-abandonment",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Abandonment cap (Erlang A).",
)
@click.option("--output", type=_OUT, help="Write the per-interval plan to this CSV.")
@chart_option
@json_option
def staffing(
    volume,
    volumes,
    volume_column,
    interval_minutes,
    aht_seconds,
    service_level,
    answer_seconds,
    asa_seconds,
    max_occupancy,
    shrinkage,
    patience_seconds,
    max_abandonment,
    output,
    chart,
    as_json,
):
    """Agents needed on the floor and to schedule, for one interval or a whole volume series."""
    from argentier.planning import StaffingTargets, read_volumes, required_agents, staff_intervals
    from argentier.planning._io import atomic_path

    if (volume is None) == (volumes is None):
        raise click.UsageError("give exactly one of --volume or --volumes")
    targets = StaffingTargets(
        service_level,
        answer_seconds,
        asa_seconds,
        max_occupancy,
        max_abandonment,
        shrinkage,
        patience_seconds,
    )
    if volume is not None:
        if aht_seconds is None:
            raise click.UsageError("--aht-seconds is required with --volume")
        result = required_agents(
            volume, interval_minutes=interval_minutes or 30.0, aht_seconds=aht_seconds, targets=targets
        )
        if as_json:
            print_json(result.to_dict())
            return
        print_table(
            f"staffing ({result.model.replace('_', ' ')})",
            [
                "volume",
                "agents",
                "scheduled",
                "service level",
                "P(wait)",
                "ASA (s)",
                "occupancy",
                "abandonment",
                "binding",
            ],
            [
                [
                    f"{volume:g}",
                    result.agents,
                    result.scheduled_agents,
                    pct(result.metrics.service_level),
                    pct(result.metrics.probability_of_waiting),
                    f"{result.metrics.average_speed_of_answer:.1f}",
                    pct(result.metrics.occupancy),
                    pct(result.metrics.abandonment),
                    result.binding,
                ]
            ],
        )
        return
    table = read_volumes(volumes, volume_column=volume_column)
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("staffing intervals", total=len(table))
        plan = staff_intervals(
            table,
            aht_seconds=aht_seconds,
            interval_minutes=interval_minutes,
            targets=targets,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    if output is not None:
        with atomic_path(output) as temporary:
            plan.to_frame().to_csv(temporary, index=False)
    write_chart("staffing", plan, chart)
    if as_json:
        print_json(plan.to_dict())
        return
    rows = [
        [
            s,
            ds,
            f"{i.volume:.1f}",
            i.agents,
            i.scheduled_agents,
            pct(i.metrics.service_level),
            f"{i.metrics.average_speed_of_answer:.1f}",
            pct(i.metrics.occupancy),
        ]
        for s, ds, i in zip(plan.series, plan.timestamps, plan.intervals)
    ]
    print_table(
        f"staffing per interval: peak {plan.peak_agents} on the floor, {plan.peak_scheduled_agents} scheduled,"
        f" {plan.scheduled_hours:.1f} paid hours",
        ["series", "interval", "volume", "agents", "scheduled", "service level", "ASA (s)", "occupancy"],
        rows,
    )
    saved(output)
    saved(chart)


@plan_group.command("schedule")
@click.argument("requirements", type=FILE, required=False)
@click.option(
    "--needs", help="Comma-separated people needed per day of a repeating cycle, e.g. 17,13,15,19,14,16,11."
)
@click.option(
    "--work-days", type=click.IntRange(min=1), help="Consecutive days on per cycle (with --needs: default 5)."
)
@click.option(
    "--shifts", "shifts_path", type=FILE, help="Shift rules YAML (required for intraday requirements)."
)
@click.option(
    "--column", help="Column of REQUIREMENTS with the people needed (default: required or scheduled_agents)."
)
@click.option("--max-headcount", type=click.IntRange(min=0), help="Cap on the number of people.")
@click.option(
    "--shortfall-cost",
    type=click.FloatRange(min=0),
    help="Allow understaffing at this cost per person-period.",
)
@click.option(
    "--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds."
)
@click.option(
    "--solver",
    type=click.Choice(["scip", "cp-sat"]),
    default="scip",
    show_default=True,
    help="MILP (SCIP) or constraint programming (OR-Tools CP-SAT).",
)
@click.option("--output", type=_OUT, help="Write the coverage per period to this CSV.")
@chart_option
@json_option
def schedule(
    requirements,
    needs,
    work_days,
    shifts_path,
    column,
    max_headcount,
    shortfall_cost,
    time_limit,
    solver,
    output,
    chart,
    as_json,
):
    """Cheapest set of shifts covering the people needed in every period (OR-Tools: SCIP or CP-SAT)."""
    from argentier.planning import (
        ShiftRules,
        build_patterns,
        consecutive_days_patterns,
        load_shift_rules,
        read_requirements,
        schedule_shifts,
    )
    from argentier.planning._io import write_atomic

    if (requirements is None) == (needs is None):
        raise click.UsageError("give a REQUIREMENTS file or --needs")
    if needs is not None:
        try:
            required = [int(part) for part in needs.split(",") if part.strip()]
        except ValueError:
            raise click.BadParameter(
                "expected whole numbers separated by commas", param_hint="--needs"
            ) from None
        labels = [f"day {d + 1}" for d in range(len(required))]
        patterns = consecutive_days_patterns(len(required), work_days or 5)
    else:
        stamps, required, minutes = read_requirements(requirements, column=column)
        rules = load_shift_rules(shifts_path) if shifts_path else ShiftRules(())
        if work_days is not None:
            rules = ShiftRules(rules.shifts, work_days, rules.cost_per_day)
        patterns = build_patterns(stamps, minutes, rules)
        labels = [
            stamp.strftime("%a %Y-%m-%d %H:%M" if minutes < 1440 else "%a %Y-%m-%d") for stamp in stamps
        ]
    result = schedule_shifts(
        required,
        patterns,
        labels=labels,
        max_headcount=max_headcount,
        shortfall_cost=shortfall_cost,
        time_limit_seconds=time_limit,
        solver=solver,
    )
    if output is not None:
        lines = ["period,required,covered,surplus,shortfall"]
        lines += [
            f"{p['period']},{p['required']},{p['covered']},{p['surplus']},{p['shortfall']}"
            for p in result.to_dict()["periods"]
        ]
        write_atomic(output, "\n".join(lines) + "\n")
    write_chart("schedule", result, chart)
    if as_json:
        print_json(result.to_dict())
        return
    print_table(
        f"{result.headcount} people, cost {result.to_dict()['cost']} ({result.status},"
        f" {result.solve_seconds:.2f} s)",
        ["pattern", "people"],
        [[name, count] for name, count in sorted(result.people.items())],
    )
    short = sum(result.shortfall)
    if short:
        console.print(f"[bold red]{short} person-period(s) left uncovered[/]")
    saved(output)
    saved(chart)


@plan_group.command("peak")
@click.argument("config", type=FILE)
@chart_option
@json_option
def peak(config, chart, as_json):
    """Weekly staffing plan and cost for a peak event (baseline x peak profile, hiring lead time, overtime)."""
    from argentier.planning import plan_peak_file

    result = plan_peak_file(config)
    write_chart("peak", result, chart)
    if as_json:
        print_json(result.to_dict())
        return
    print_table(
        f"peak plan: total cost {result.to_dict()['total_cost']}, shortfall {result.shortfall_hours:.0f} h",
        [
            "week",
            "hours needed",
            "peak agents",
            "headcount",
            "new hires",
            "request by",
            "overtime h",
            "shortfall h",
            "cost",
        ],
        [
            [
                w.week_start,
                f"{w.required_hours:.0f}",
                w.peak_agents,
                w.headcount,
                w.hires_starting,
                w.hire_by or "",
                f"{w.overtime_hours:.0f}",
                f"{w.shortfall_hours:.0f}",
                w.to_dict()["cost"],
            ]
            for w in result.weeks
        ],
    )
    saved(chart)


@plan_group.command("forward")
@click.argument("scenario", type=FILE)
@click.option("--volume-column", help="Forecast column to plan on, e.g. yhat_hi_80 (default: yhat).")
@chart_option
@json_option
def forward(scenario, volume_column, chart, as_json):
    """Forecasts tied to staffing, capacity, capital spend and margin, by month."""
    from argentier.planning import forward_view_file

    view = forward_view_file(scenario, volume_column=volume_column)
    write_chart("forward", view, chart)
    if as_json:
        print_json(view.to_dict())
        return
    rows = [
        [
            m["month"],
            f"{m['volume']:,.0f}",
            m["fte"],
            pct(m["capacity_used"]),
            m["revenue"],
            m["staff_cost"],
            m["capex"],
            m["operating_margin"],
        ]
        for m in (month.to_dict() for month in view.months)
    ]
    print_table(
        "forward view",
        ["month", "volume", "FTE", "seats used", "revenue", "staff cost", "capex", "operating margin"],
        rows,
    )
    saved(chart)


@plan_group.command("examples")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def examples(directory):
    """Copy the example inputs (supply network, capital projects, shift rules, peak and forward scenarios)."""
    directory.mkdir(parents=True, exist_ok=True)
    source = resources.files("argentier.planning") / "data"
    for item in sorted(source.iterdir(), key=lambda entry: entry.name):
        if item.is_file():
            with resources.as_file(item) as path:
                shutil.copyfile(path, directory / item.name)
            console.print(f"wrote {directory / item.name}", highlight=False)
