"""``argentier profit elasticity|iv|prices``: price elasticities (log-log, DML, 2SLS) and price recommendations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import console, json_option, print_json, progress_bar
from argentier.cli._fit import Column, print_fitted, wide_option
from argentier.cli._profit import (
    data_options,
    elasticities_value,
    money,
    open_data,
    period_option,
    period_value,
)


@click.command("elasticity")
@data_options
@click.option("--method", type=click.Choice(["loglog", "dml", "naive"]), default="loglog", show_default=True)
@click.option("--level", type=click.Choice(["sku", "category"]), default="sku", show_default=True)
@period_option
@click.option("--min-obs", default=30, show_default=True, type=click.IntRange(3))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the estimates to a CSV.")
@click.option("--limit", default=25, show_default=True, type=click.IntRange(0), help="Rows shown (0 = all).")
@json_option
def elasticity(method: str, level: str, period: str | None, min_obs: int, seed: int, out: Path | None,
               limit: int, as_json: bool, **options: Any) -> None:
    """Price elasticity per SKU or category, with intervals and identification warnings."""
    from argentier.profitability import ElasticityEstimator, price_panel, write_elasticities

    with open_data(options, as_json) as data:
        panel = price_panel(data, period=period_value(period))
    with progress_bar(disable=as_json) as progress:
        progress.add_task(f"fitting {method} elasticities", total=None)
        estimator = ElasticityEstimator(method=method, level=level, min_obs=min_obs, seed=seed).fit(panel)
    if out is not None:
        write_elasticities(estimator.estimates_, out)
    if as_json:
        print_json([e.to_dict() for e in estimator.estimates_])
        return
    table = Table(title=f"{method} elasticities by {level} ({len(estimator.estimates_)} groups)")
    for name in (level, "elasticity", "95 % interval", "obs", "warnings"):
        table.add_column(name, justify="right" if name in ("elasticity", "obs") else "left")
    for e in estimator.estimates_[: limit or None]:
        value = "" if e.elasticity is None else f"{e.elasticity:.3f}"
        interval = "" if e.lower is None else f"{e.lower:.2f} to {e.upper:.2f}"
        table.add_row(escape(e.group), value, interval, str(e.n_obs), escape("; ".join(e.warnings)))
    console.print(table)
    warned = sum(1 for e in estimator.estimates_ if e.warnings)
    console.print(f"{warned} group(s) with warnings" + (f"; estimates written to {out}" if out else ""), highlight=False)


@click.command("iv")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quantity", required=True, help="Quantity column (logged).")
@click.option("--price", required=True, help="Price column (logged, instrumented).")
@click.option("--instrument", "instruments", multiple=True, required=True, help="Instrument column (repeatable).")
@click.option("--control", "controls", multiple=True, help="Exogenous control column, logged (repeatable).")
@click.option("--where", "where", help="Keep rows where COLUMN=VALUE, e.g. year=1995.")
@json_option
def iv(path: Path, quantity: str, price: str, instruments: tuple[str, ...], controls: tuple[str, ...],
       where: str | None, as_json: bool) -> None:
    """Elasticity by two-stage least squares from a CSV or Parquet table (e.g. Stock & Watson's cigarettes)."""
    import pandas as pd

    from argentier.errors import InputError
    from argentier.profitability import iv_elasticity

    try:
        frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from None
    if where:
        column, _, value = where.partition("=")
        if column not in frame.columns:
            raise InputError(f"no column {column!r} for --where", source=str(path))
        frame = frame[frame[column].astype(str) == value]
    result = iv_elasticity(frame, quantity=quantity, price=price, instruments=instruments, exog=controls)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"2SLS elasticity {result.elasticity:.3f} (robust s.e. {result.std_error:.3f}, 95 % "
                  f"{result.lower:.2f} to {result.upper:.2f}), first-stage F {result.first_stage_f:.1f}, "
                  f"{result.n_obs} observations", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


@click.command("prices")
@data_options
@click.option("--elasticity", help="A number for every SKU, or a CSV from 'profit elasticity --out' "
              "(default: estimated by category from the data).")
@click.option("--default-elasticity", type=float, help="For SKUs missing from the --elasticity file.")
@click.option("--products", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with sku, family, tier (good/better/best) for price ordering.")
@period_option
@click.option("--max-change", default=0.10, show_default=True, type=click.FloatRange(0, 1))
@click.option("--margin-floor", default=0.0, show_default=True, type=click.FloatRange(-1, 1))
@click.option("--tier-gap", default=0.0, show_default=True, type=click.FloatRange(0, 1))
@click.option("--min-units-ratio", type=click.FloatRange(0, 2), help="Keep total units at least this share of today's.")
@click.option("--solver", type=click.Choice(["milp", "cp-sat"]), default="milp", show_default=True)
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(0.1))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the recommended prices to a CSV.")
@click.option("--limit", default=25, show_default=True, type=click.IntRange(0), help="Rows shown (0 = all).")
@wide_option
@json_option
def prices(elasticity: str | None, default_elasticity: float | None, products: Path | None, period: str | None,
           max_change: float, margin_floor: float, tier_gap: float, min_units_ratio: float | None, solver: str,
           time_limit: float, out: Path | None, limit: int, wide: bool, as_json: bool, **options: Any) -> None:
    """Recommend ladder prices that maximise contribution under margin, change and tier constraints."""
    import pandas as pd

    from argentier.profitability import ElasticityEstimator, price_panel, pricing_items, recommend_prices

    catalogue = None if products is None else pd.read_csv(products)
    with open_data(options, as_json) as data:
        given = elasticities_value(elasticity)
        if given is None:
            given = ElasticityEstimator(level="category").fit(price_panel(data)).elasticities()
        elif isinstance(given, float):
            given, default_elasticity = {}, given
        items = pricing_items(data, given, period=period_value(period), products=catalogue,
                              default_elasticity=default_elasticity)
    with progress_bar(disable=as_json) as progress:
        progress.add_task(f"optimising {len(items)} prices", total=None)
        result = recommend_prices(items, max_change=max_change, margin_floor=margin_floor, tier_gap=tier_gap,
                                  min_units_ratio=min_units_ratio, solver=solver, time_limit=time_limit)
    if out is not None:
        result.to_csv(out)
    if as_json:
        print_json(result.to_dict())
        return
    changed = sorted((c for c in result.choices if c.new_price != c.current_price),
                     key=lambda c: c.contribution - c.new_contribution)
    shown = changed[: limit or None]
    columns = [
        Column("item", [escape(c.item) for c in shown], left=True),
        Column("price", [str(c.current_price) for c in shown]),
        Column("new price", [str(c.new_price) for c in shown]),
        Column("units", [f"{c.units:,.0f}" for c in shown], drop=2),
        Column("new units", [f"{c.new_units:,.0f}" for c in shown], drop=3),
        Column("contribution", [money(c.contribution) for c in shown], drop=1),
        Column("new contribution", [money(c.new_contribution) for c in shown]),
    ]
    print_fitted(f"{len(changed)} of {len(result.choices)} prices change ({result.status}, "
                  f"{result.solve_seconds:.1f} s)", columns, wide, target=console)
    console.print(f"modelled contribution {money(result.contribution_before)} -> {money(result.contribution_after)}"
                  f" (bound {money(result.bound)})", highlight=False)
    if result.below_floor:
        console.print(f"[yellow]{len(result.below_floor)} item(s) cannot reach the margin floor within "
                      f"{max_change:.0%}[/]", highlight=False)
