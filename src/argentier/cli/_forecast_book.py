"""``argentier forecast version`` and ``scenario``: kept forecasts and budgets (append-only) and the what-if
scenarios built on them, stored in the configured store. Registered on ``forecast_group`` by ``argentier.cli``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import AppContext, ArgentierGroup, console, json_option, pass_app, print_json
from argentier.cli._forecast import plan_book, print_frame


@click.group("version", cls=ArgentierGroup)
def version_group() -> None:
    """Kept forecasts and budgets: saved once, never changed, each save a new number."""


@version_group.command("save")
@click.argument("forecast_file", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Version name, e.g. 'FY27 budget'.")
@click.option("--kind", type=click.Choice(["forecast", "budget"]), default="forecast", show_default=True)
@click.option("--by", "created_by", help="Who saves it (default: login name).")
@json_option
@pass_app
def version_save(app: AppContext, forecast_file, name, kind, created_by, as_json) -> None:
    """Keep a forecast file (unique_id, ds, yhat ...) as the next version of NAME."""
    from argentier.forecast import load_forecast

    frame = load_forecast(forecast_file)
    with plan_book(app) as book:
        info = book.save_version(frame, name, kind=kind, created_by=created_by, source=str(forecast_file))
    if as_json:
        print_json(info.to_dict())
        return
    console.print(
        f"saved {escape(info.name)} #{info.number} ({info.kind}), sha256 {info.checksum[:12]}",
        highlight=False,
    )


@version_group.command("list")
@click.option("--name", help="Only versions of this name.")
@json_option
@pass_app
def version_list(app: AppContext, name, as_json) -> None:
    """List kept versions."""
    with plan_book(app) as book:
        infos = book.list_versions(name)
    if as_json:
        print_json([info.to_dict() for info in infos])
        return
    table = Table(title=f"{len(infos)} version(s)")
    for column in ("id", "name", "number", "kind", "created", "by", "sha256"):
        table.add_column(column)
    for info in infos:
        table.add_row(
            str(info.id),
            escape(info.name),
            str(info.number),
            info.kind,
            info.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(info.created_by),
            info.checksum[:12],
        )
    console.print(table)


@click.group("scenario", cls=ArgentierGroup)
def scenario_group() -> None:
    """What-if scenarios: a kept version plus overrides on drivers, compared side by side."""


def _read_overrides(spec: Path | None, inline: tuple[str, ...]) -> list:
    import json

    import yaml

    from argentier.errors import InputError
    from argentier.forecast import Override

    items: list = []
    if spec is not None:
        try:
            loaded = yaml.safe_load(spec.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read: {exc}", source=str(spec)) from exc
        loaded = loaded.get("overrides") if isinstance(loaded, dict) else loaded
        if not isinstance(loaded, list):
            raise InputError("expected a list of overrides (or a mapping with 'overrides')", source=str(spec))
        items.extend(loaded)
    for text in inline:
        try:
            items.append(json.loads(text))
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc.msg}", param_hint="--override") from exc
    overrides = []
    for number, item in enumerate(items, start=1):
        try:
            overrides.append(Override.from_dict(item))
        except InputError as exc:
            raise InputError(f"override {number}: {exc}", source=str(spec) if spec else None) from exc
    return overrides


@scenario_group.command("create")
@click.argument("name")
@click.option("--base", required=True, help="The kept version it starts from (name or id).")
@click.option("--number", type=int, help="Version number (default: the latest).")
@click.option("--spec", type=click.Path(path_type=Path), help="YAML file with a list of overrides.")
@click.option("--override", "inline", multiple=True, help="One override as JSON (repeatable).")
@click.option("--replace", is_flag=True, help="Replace a scenario of the same name.")
@click.option("--by", "created_by", help="Who creates it (default: login name).")
@json_option
@pass_app
def scenario_create(app: AppContext, name, base, number, spec, inline, replace, created_by, as_json) -> None:
    """Apply overrides to a kept version and store the result as scenario NAME."""
    overrides = _read_overrides(spec, inline)
    with plan_book(app) as book:
        info = book.create_scenario(
            name,
            int(base) if base.isdigit() else base,
            overrides,
            number=number,
            created_by=created_by,
            replace=replace,
        )
        table = book.compare([info.name])
    if as_json:
        print_json({**info.to_dict(), "comparison": table.to_dict(orient="records")})
        return
    print_frame(table, f"scenario {name} against its base")


@scenario_group.command("list")
@json_option
@pass_app
def scenario_list(app: AppContext, as_json) -> None:
    """List scenarios."""
    with plan_book(app) as book:
        infos = book.list_scenarios()
    if as_json:
        print_json([info.to_dict() for info in infos])
        return
    table = Table(title=f"{len(infos)} scenario(s)")
    for column in ("name", "version id", "created", "by", "overrides"):
        table.add_column(column)
    for info in infos:
        table.add_row(
            escape(info.name),
            str(info.version_id),
            info.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(info.created_by),
            escape(", ".join(o["kind"] for o in info.overrides)),
        )
    console.print(table)


@scenario_group.command("compare")
@click.argument("names", nargs=-1, required=True)
@click.option("--series", help="Series to compare (default: the top of the hierarchy).")
@click.option("--chart", type=click.Path(path_type=Path), help="Chart (.png, .svg or .html).")
@json_option
@pass_app
def scenario_compare(app: AppContext, names, series, chart, as_json) -> None:
    """Scenarios side by side with their base version: per period, total, and change against the base."""
    from argentier.forecast._charts import scenario_chart

    with plan_book(app) as book:
        table = book.compare(list(names), series=series)
    if chart:
        lines = table[table["ds"] != "total"].set_index("ds")[["base", *names]]
        scenario_chart(lines, chart, title=f"Scenarios: {series or 'total'}")
    if as_json:
        print_json(table.to_dict(orient="records"))
        return
    print_frame(table, "scenarios against the base", limit=200)


@scenario_group.command("delete")
@click.argument("name")
@json_option
@pass_app
def scenario_delete(app: AppContext, name, as_json) -> None:
    """Delete a scenario (versions are never deleted)."""
    with plan_book(app) as book:
        book.delete_scenario(name)
    if as_json:
        print_json({"deleted": name})
        return
    console.print(f"deleted scenario {escape(name)}", highlight=False)
