"""``argentier profit``: margins, variance bridges, cost drivers, what-ifs, elasticity, prices and promotions.

Every command reads sales lines and unit costs (``--sales`` and ``--costs``, or ``--data DIR`` holding
``sales.parquet|csv`` and ``costs.parquet|csv``, as written by ``argentier profit demo DIR``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import ArgentierGroup, console, err_console, json_option, print_json, progress_bar
from argentier.cli._fit import Column, natural_width, print_fitted, wide_option

if TYPE_CHECKING:
    from argentier.profitability import ProfitData


@click.group("profit", cls=ArgentierGroup)
def profit_group() -> None:
    """Product profitability: margins, variance, drivers, what-ifs, elasticity, prices."""


def data_options(function: Callable) -> Callable:
    for option in reversed(
        (
            click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                         help="Folder with sales.parquet|csv and costs.parquet|csv."),
            click.option("--sales", type=click.Path(dir_okay=False, path_type=Path), help="Sales lines file."),
            click.option("--costs", type=click.Path(dir_okay=False, path_type=Path), help="Unit costs file."),
            click.option("--drivers", help="Comma-separated cost columns to use (default: all)."),
            click.option("--cache/--no-cache", "use_cache", default=True, show_default=True,
                         help="Keep the checked lines in a cache folder; later runs on the same files open them."),
            click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                         help="Cache folder (default: HOME/cache/profit, HOME from the settings)."),
        )
    ):
        function = option(function)
    return function


def _find(directory: Path, stem: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (directory / f"{stem}{suffix}").is_file():
            return directory / f"{stem}{suffix}"
    raise click.UsageError(f"no {stem}.parquet or {stem}.csv in {directory}")


@contextmanager
def open_data(options: dict[str, Any], quiet: bool) -> Iterator[ProfitData]:
    from argentier.profitability import ProfitData

    sales, costs, directory = options.pop("sales"), options.pop("costs"), options.pop("data_dir")
    drivers = options.pop("drivers")
    cache_dir = _cache_dir(options.pop("use_cache"), options.pop("cache_dir"))
    if directory is not None:
        sales, costs = sales or _find(directory, "sales"), costs or _find(directory, "costs")
    if sales is None or costs is None:
        raise click.UsageError("give --sales and --costs, or --data DIR")
    with progress_bar(disable=quiet) as progress:
        progress.add_task("reading and checking the data", total=None)
        data = ProfitData.load(sales, costs, drivers=None if drivers is None else _split(drivers), cache_dir=cache_dir)
    try:
        yield data
    finally:
        data.close()


def _cache_dir(use_cache: bool, given: Path | None) -> Path | None:
    if not use_cache:
        return None
    if given is not None:
        return given
    from argentier.cli._common import AppContext

    return click.get_current_context().ensure_object(AppContext).settings.home / "cache" / "profit"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _filters(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"expected dimension=value, got {pair!r}", param_hint="--filter")
        filters.setdefault(name.strip(), []).append(value.strip())
    return filters


def period_value(value: str | None):
    from argentier.profitability import parse_period

    return None if value is None else parse_period(value)


def money(value: Any) -> str:
    return f"{value:,.2f}"


def _chart(steps, path: Path | None, title: str, as_json: bool) -> None:
    if path is None:
        return
    from argentier.profitability import write_waterfall

    written = write_waterfall(steps, path, title=title)
    (err_console if as_json else console).print(f"chart written to {escape(str(written))}", highlight=False)


period_option = click.option("--period", help="2025, 2025-Q2, 2025-03 or 2025-01-01:2025-06-30.")
chart_option = click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Write a .png or .html chart.")


@profit_group.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--skus", default=600, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--weeks", default=104, show_default=True, type=click.IntRange(1, 520))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--format", "file_format", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@json_option
def demo(directory: Path, skus: int, weeks: int, seed: int, file_format: str, as_json: bool) -> None:
    """Generate a demo catalogue with known elasticities and cost shocks into DIRECTORY."""
    from argentier.profitability import generate_profit_demo

    with progress_bar(disable=as_json) as progress:
        progress.add_task("generating sales and costs", total=None)
        truth = generate_profit_demo(directory, n_skus=skus, weeks=weeks, seed=seed, file_format=file_format)
    if as_json:
        print_json(truth.to_dict() | {"elasticities": len(truth.elasticities)})
        return
    console.print(f"{truth.n_sales_lines:,} sales lines for {skus} SKUs in {escape(str(truth.directory))}", highlight=False)
    for shock in truth.cost_shocks:
        where = ", ".join(filter(None, (shock.region, shock.category))) or "everywhere"
        console.print(f"  cost shock: {shock.driver} {shock.change:+.0%} from {shock.start:%Y-%m} ({where})", highlight=False)


@profit_group.command("margins")
@data_options
@click.option("--by", default="sku", show_default=True, help="Comma-separated dimensions, e.g. category,region,month.")
@period_option
@click.option("--filter", "filters", multiple=True, metavar="DIM=VALUE", help="Keep only these lines (repeatable).")
@click.option("--sort", default="contribution", show_default=True,
              type=click.Choice(["contribution", "revenue", "margin_rate", "units", "key"]))
@click.option("--limit", default=25, show_default=True, type=click.IntRange(0), help="Rows shown (0 = all).")
@chart_option
@wide_option
@json_option
def margins(by: str, period: str | None, filters: tuple[str, ...], sort: str, limit: int, chart: Path | None,
            wide: bool, as_json: bool, **options: Any) -> None:
    """Contribution margin by any grouping, with the margin waterfall."""
    from argentier.profitability import contribution_margin

    with open_data(options, as_json) as data:
        report = contribution_margin(data, _split(by), period=period_value(period), filters=_filters(filters),
                                     sort=sort, limit=limit or None)
    if as_json:
        print_json(report.to_dict())
    else:
        print_margin_table(report, wide=wide)
    _chart(report.waterfall(), chart, "Margin waterfall", as_json)


def margin_columns(report, *, fold_costs: bool) -> list[Column]:
    """The margins table's columns; ``fold_costs`` puts every cost driver into one ``costs`` column."""
    rows = [*report.rows, report.total]
    columns = [Column(name, [escape(r.key.get(name, "total")) for r in rows], left=True) for name in report.by]
    columns.append(Column("units", [f"{r.units:,}" for r in rows], drop=3))
    if report.total.returned_units is not None:
        columns.append(Column("returned", [f"{r.returned_units:,}" for r in rows], drop=4))
    columns.append(Column("net revenue", [money(r.revenue) for r in rows]))
    if fold_costs:
        columns.append(Column("costs", [money(sum(r.costs.values())) for r in rows]))
    else:
        columns += [Column(d, [money(r.costs[d]) for r in rows], drop=5) for d in report.drivers]
    columns.append(Column("contribution", [money(r.contribution) for r in rows]))
    columns.append(Column("margin", ["" if r.margin_rate is None else f"{100 * r.margin_rate:.1f} %" for r in rows],
                           drop=2))
    return columns


def print_margin_table(report, *, wide: bool = False, target=None) -> None:
    """The margins table, every cost in its own column if the terminal is wide enough (or ``wide``), else the
    costs folded into one column and, if still too wide, returned units, units and margin hidden in turn."""
    out = target or console
    title = f"contribution margin by {', '.join(report.by) or 'total'} ({report.n_groups} groups)"
    columns = margin_columns(report, fold_costs=False)
    note = ""
    if not wide and natural_width(columns) > out.width and len(report.drivers) > 1:
        columns = margin_columns(report, fold_costs=True)
        note = f"{len(report.drivers)} cost drivers folded into 'costs' (--chart FILE draws each in the waterfall)"
    print_fitted(title, columns, wide, note, target=out)


def _compare_options(function: Callable) -> Callable:
    for option in reversed(
        (
            click.option("--base", "base_period", help="Base period (e.g. 2024); default all of the base data."),
            click.option("--compare", "compare_period", help="Comparison period (e.g. 2025)."),
            click.option("--compare-sales", type=click.Path(dir_okay=False, path_type=Path),
                         help="Sales of a second version (e.g. plan) to compare with."),
            click.option("--compare-costs", type=click.Path(dir_okay=False, path_type=Path),
                         help="Unit costs of the second version."),
            click.option("--level", default="sku,region", show_default=True, help="Items of the mix."),
        )
    ):
        function = option(function)
    return function


def _bridge(options: dict[str, Any], data: ProfitData):
    from argentier.profitability import ProfitData, variance_bridge

    level = _split(options.pop("level"))
    base_period, compare_period = period_value(options.pop("base_period")), period_value(options.pop("compare_period"))
    compare_sales, compare_costs = options.pop("compare_sales"), options.pop("compare_costs")
    if (compare_sales is None) != (compare_costs is None):
        raise click.UsageError("give both --compare-sales and --compare-costs, or neither")
    if compare_sales is None:
        return variance_bridge(data, level=level, base_period=base_period, compare_period=compare_period)
    with ProfitData.load(compare_sales, compare_costs, drivers=data.drivers) as other:
        return variance_bridge(data, other, level=level, base_period=base_period, compare_period=compare_period,
                               base_label="base", compare_label="compare")


@profit_group.command("variance")
@data_options
@_compare_options
@chart_option
@json_option
def variance(chart: Path | None, as_json: bool, **options: Any) -> None:
    """Bridge contribution between two periods or versions: price, volume, mix and cost-rate effects."""
    with open_data(options, as_json) as data:
        bridge = _bridge(options, data)
    if as_json:
        print_json(bridge.to_dict())
    else:
        table = Table(title=f"contribution bridge over {', '.join(bridge.level)}")
        table.add_column("step")
        table.add_column("amount", justify="right")
        for step in bridge.steps():
            style = "bold" if step.kind == "total" else ("green" if step.amount >= 0 else "red")
            table.add_row(escape(step.label), f"[{style}]{money(step.amount)}[/]")
        console.print(table)
        console.print(f"change {money(bridge.total_change)} = sum of the effects, to the cent", highlight=False)
    _chart(bridge.steps(), chart, "Contribution bridge", as_json)


@profit_group.command("drivers")
@data_options
@_compare_options
@click.option("--by", help="Roll items up to these dimensions (a subset of --level), e.g. region.")
@click.option("--top", default=15, show_default=True, type=click.IntRange(1))
@wide_option
@json_option
def drivers(by: str | None, top: int, wide: bool, as_json: bool, **options: Any) -> None:
    """Rank the cost drivers, items and (item, driver) cells that explain a change in contribution."""
    from argentier.profitability import attribute_drivers

    with open_data(options, as_json) as data:
        bridge = _bridge(options, data)
    result = attribute_drivers(bridge, by=None if by is None else _split(by), top=top)
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"cost drivers of a {money(result.total_change)} change in contribution")
    for name in ("driver", "rate effect", "share of change"):
        table.add_column(name, justify="left" if name == "driver" else "right")
    for effect in result.drivers:
        share = "" if effect.share_of_change is None else f"{100 * effect.share_of_change:.1f} %"
        table.add_row(escape(effect.driver), money(effect.amount), share)
    console.print(table)
    found = result.items
    columns = [Column(n, [escape(i.key[n]) for i in found], left=True) for n in result.by]
    columns += [
        Column("change", [money(i.change) for i in found]),
        Column("price", [money(i.price) for i in found], drop=2),
        Column("cost rate", [money(i.cost_rate) for i in found], drop=1),
        Column("volume+mix", [money(i.volume_mix) for i in found], drop=3),
        Column("largest driver", [escape(i.largest_driver or "") for i in found], left=True, drop=4),
    ]
    print_fitted(f"top {len(found)} items by change", columns, wide, target=console)


def elasticities_value(value: str | None):
    """``--elasticity``: a number for every SKU, or a CSV written by ``profit elasticity --out``."""
    from argentier.profitability import read_elasticities

    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return read_elasticities(value)


@profit_group.command("whatif")
@data_options
@click.option("--change", "changes", multiple=True, required=True, metavar="SPEC",
              help="driver:+12%[,region=EU][,from=2025-03][,to=2025-12]; 'price' as driver for prices. Repeatable.")
@click.option("--by", default="region", show_default=True, help="Comma-separated dimensions.")
@period_option
@click.option("--elasticity", help="A number for every SKU, or a CSV from 'profit elasticity --out'.")
@click.option("--default-elasticity", type=float, help="For SKUs missing from the --elasticity file.")
@click.option("--pass-through", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of each unit-cost change passed on to the price.")
@wide_option
@json_option
def whatif(changes: tuple[str, ...], by: str, period: str | None, elasticity: str | None,
           default_elasticity: float | None, pass_through: float, wide: bool, as_json: bool, **options: Any) -> None:
    """Simulate cost or price changes: impact at fixed volume (exact) and elasticity-adjusted."""
    from argentier.profitability import Change, simulate_whatif

    parsed = [Change.parse(text) for text in changes]
    with open_data(options, as_json) as data:
        result = simulate_whatif(data, parsed, by=_split(by), period=period_value(period),
                                 elasticities=elasticities_value(elasticity), default_elasticity=default_elasticity,
                                 pass_through=pass_through)
    if as_json:
        print_json(result.to_dict())
        return
    rows = [*result.rows, result.total]
    elastic = any(row.adjusted_contribution is not None for row in rows)

    def adjusted(row, value) -> str:
        return "" if row.adjusted_contribution is None else money(value)

    def units(row) -> str:
        if row.adjusted_units is None or not row.base_units:
            return ""
        return f"{row.adjusted_units / row.base_units - 1:+.2%}"

    columns = [Column(n, [escape(r.key.get(n, "total")) for r in rows], left=True) for n in result.by]
    columns += [
        Column("contribution", [money(r.base_contribution) for r in rows], drop=2),
        Column("fixed volume", [money(r.fixed_contribution) for r in rows], drop=3),
        Column("impact", [money(r.fixed_impact) for r in rows]),
    ]
    if elastic:
        columns += [
            Column("elasticity-adjusted", [adjusted(r, r.adjusted_contribution) for r in rows], drop=4),
            Column("adjusted impact", [adjusted(r, r.adjusted_impact) for r in rows], drop=1),
            Column("units", [units(r) for r in rows], drop=5),
        ]
    print_fitted("what-if: " + "; ".join(escape(c) for c in changes), columns, wide, target=console)


@profit_group.command("promotions")
@data_options
@click.option("--baseline-periods", default=4, show_default=True, type=click.IntRange(1, 52))
@period_option
@wide_option
@json_option
def promotions(baseline_periods: int, period: str | None, wide: bool, as_json: bool, **options: Any) -> None:
    """Return on past promotions: lift and incremental contribution over a seasonally adjusted baseline."""
    from argentier.profitability import promotion_roi

    with open_data(options, as_json) as data:
        report = promotion_roi(data, baseline_periods=baseline_periods, period=period_value(period))
    if as_json:
        print_json(report.to_dict())
        return
    entries = list(report.by_category.items())
    columns = [
        Column("category", [escape(category) for category, _ in entries], left=True),
        Column("events", [str(e["events"]) for _, e in entries], drop=2),
        Column("lift", ["" if e["lift"] is None else f"{e['lift']:+.1%}" for _, e in entries]),
        Column("incremental contribution", [money(e["incremental_contribution"]) for _, e in entries]),
        Column("investment", [money(e["investment"]) for _, e in entries], drop=1),
        Column("ROI", ["" if e["roi"] is None else f"{e['roi']:+.2f}" for _, e in entries]),
    ]
    print_fitted(f"{len(report.events)} promotions ({report.skipped} without a baseline)", columns, wide,
                 target=console)
