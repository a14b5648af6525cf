"""``argentier config``: show the effective configuration."""

from __future__ import annotations

import click
from rich.table import Table

from argentier.cli._common import AppContext, console, json_option, pass_app, print_json


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (argentier.toml + ARGENTIER_* variables)."""


@config_group.command("show")
@json_option
@pass_app
def show(app: AppContext, as_json: bool) -> None:
    """Print the settings in force and where they came from."""
    data = app.settings.to_dict()
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Argentier settings (from {data.pop('source') or 'defaults and environment'})")
    table.add_column("setting")
    table.add_column("value")
    for key, value in data.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                table.add_row(f"{key}.{sub_key}", str(sub_value))
        else:
            table.add_row(key, str(value))
    console.print(table)
