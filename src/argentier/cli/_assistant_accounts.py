"""``argentier assistant accounts load|demo`` and ``argentier assistant tools``: the assistant's account data and tools."""

from __future__ import annotations

import click
from rich.table import Table

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    json_option,
    pass_app,
    print_json,
    split_groups,
)


@click.group("accounts", cls=ArgentierGroup)
def accounts_group() -> None:
    """Account data (customers, invoices, payments) that the assistant's read-only query tools answer from."""


def _print_reports(reports: list, as_json: bool) -> None:  # reports: LoadReport, imported lazily
    if as_json:
        print_json([report.to_dict() for report in reports])
        return
    table = Table("kind", "source", "inserted", "updated")
    for report in reports:
        table.add_row(report.kind, report.source, str(report.inserted), str(report.updated))
    console.print(table)


@accounts_group.command("load")
@click.argument("kind", type=click.Choice(["customers", "invoices", "payments"]))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--groups",
    required=True,
    help="Comma-separated groups that may see rows without their own 'groups' value (e.g. finance,ar).",
)
@json_option
@pass_app
def load(app: AppContext, kind: str, path: str, groups: str, as_json: bool) -> None:
    """Load a CSV of customers, invoices or payments: every row checked first, then all rows or none.

    A row whose key (customer_id, invoice_number, payment_id) is already stored is updated, so a monthly export
    can be loaded again.
    """
    from argentier.assistant.accounts import AccountData

    with app.store() as store:
        report = AccountData(store).load_csv(kind, path, groups=split_groups(groups) or [])  # type: ignore[arg-type]
    _print_reports([report], as_json)


@accounts_group.command("demo")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed of the generator.")
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 100_000))
@json_option
@pass_app
def demo(app: AppContext, seed: int, customers: int, as_json: bool) -> None:
    """Generate realistic demo account data (public to every group) and load it."""
    from argentier.assistant.accounts import AccountData

    with app.store() as store:
        reports = AccountData(store).load_demo(seed=seed, customers=customers)
    _print_reports(list(reports.values()), as_json)


@click.command("tools")
@json_option
def tools(as_json: bool) -> None:
    """The tools the assistant can call, with their parameters and who may run them."""
    from argentier.assistant.tools import default_tools

    rows = [
        {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
            "allowed_groups": sorted(tool.allowed_groups) if tool.allowed_groups is not None else None,
        }
        for tool in default_tools()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("tool", "what it answers", "parameters", "groups")
    for row in rows:
        table.add_row(
            row["name"],
            row["description"],
            ", ".join(row["parameters"].get("properties", {})),
            ", ".join(row["allowed_groups"]) if row["allowed_groups"] is not None else "anyone",
        )
    console.print(table)
