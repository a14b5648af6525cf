"""The ``argentier`` command line: a thin face over the Python API."""

from __future__ import annotations

from pathlib import Path

import click

from argentier import __version__
from argentier.cli._assistant import ASSISTANT_COMMANDS, assistant_group
from argentier.cli._assistant_accounts import accounts_group, tools
from argentier.cli._common import AppContext, ArgentierGroup
from argentier.cli._config import config_group
from argentier.cli._contracts import contracts_group
from argentier.cli._demo import demo
from argentier.cli._docs import docs_group
from argentier.cli._forecast import forecast_group
from argentier.cli._forecast_book import scenario_group, version_group
from argentier.cli._fraud import fraud_group
from argentier.cli._fraud_eval import drift, evaluate_command, rules_group, thresholds
from argentier.cli._fraud_store import alerts, feedback, models_group
from argentier.cli._plan import plan_group
from argentier.cli._plan_portfolio import capital, supply
from argentier.cli._profit import profit_group
from argentier.cli._profit_pricing import elasticity, iv, prices
from argentier.cli._regwatch import regwatch_group
from argentier.cli._regwatch_summarise import summarise_command
from argentier.cli._review import review_group
from argentier.cli._search import search
from argentier.cli._serve import serve, users_group


@click.group(cls=ArgentierGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Path to argentier.toml (default: ./argentier.toml, then $ARGENTIER_HOME/argentier.toml).",
)
@click.version_option(__version__, prog_name="argentier")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Argentier: open AI tools for finance teams."""
    ctx.obj = AppContext(config_path=config_path)


cli.add_command(config_group)
cli.add_command(docs_group)
cli.add_command(search)
cli.add_command(demo)
cli.add_command(review_group)
regwatch_group.add_command(summarise_command)
cli.add_command(regwatch_group)
cli.add_command(contracts_group)
for command in (evaluate_command, thresholds, drift, rules_group, models_group, alerts, feedback):
    fraud_group.add_command(command)
cli.add_command(fraud_group)
forecast_group.add_command(version_group)
forecast_group.add_command(scenario_group)
cli.add_command(forecast_group)
for command in (elasticity, iv, prices):
    profit_group.add_command(command)
cli.add_command(profit_group)
plan_group.add_command(supply)
plan_group.add_command(capital)
cli.add_command(plan_group)
assistant_group.add_command(accounts_group)
assistant_group.add_command(tools)
cli.add_command(assistant_group)
for command in ASSISTANT_COMMANDS:
    cli.add_command(command)
cli.add_command(serve)
cli.add_command(users_group)


def main() -> None:
    cli(prog_name="argentier")
