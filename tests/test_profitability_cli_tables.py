"""``argentier profit`` tables on narrow and wide terminals: run the real commands with a rich console of a
given width and check every line fits, what is folded or hidden, and that ``--wide`` brings it all back."""

import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rich.console import Console

from argentier.cli import cli
from argentier.profitability import generate_profit_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("profit-tables")
    generate_profit_demo(directory / "demo", n_skus=12, weeks=60, seed=5)
    return directory


def run(demo, monkeypatch, width: int, *args: str) -> list[str]:
    """The command's terminal output as printed on a ``width``-column console (lines, trailing blanks cut)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    monkeypatch.setattr("argentier.cli._profit.console", console)
    monkeypatch.setattr("argentier.cli._profit_pricing.console", console)
    monkeypatch.setenv("ARGENTIER_HOME", str(demo / "home"))
    result = CliRunner().invoke(cli, ["profit", *args, "--data", str(demo / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [line.rstrip() for line in console.export_text().splitlines()]


def header(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("┃"))


def test_margins_fold_costs_at_80_columns(demo, monkeypatch):
    lines = run(demo, monkeypatch, 80, "margins", "--by", "category,region", "--limit", "5")
    assert max(map(len, lines)) <= 80
    columns = [cell.strip() for cell in header(lines).strip("┃").split("┃")]
    assert columns[:2] == ["category", "region"] and "costs" in columns and "contribution" in columns
    assert "cogs" not in columns and "outbound_shipping" not in columns
    hint = " ".join(lines[-4:])
    assert "7 cost drivers folded into 'costs'" in hint and "--wide" in hint and "--json" in hint
    assert "hidden to fit 80 columns: returned, units" in hint


def test_margins_at_120_keep_units_and_at_200_show_every_cost(demo, monkeypatch):
    lines = run(demo, monkeypatch, 120, "margins", "--by", "region")
    assert max(map(len, lines)) <= 120
    columns = [cell.strip() for cell in header(lines).strip("┃").split("┃")]
    assert columns == ["region", "units", "returned", "net revenue", "costs", "contribution", "margin"]
    assert not any("hidden" in line for line in lines)
    lines = run(demo, monkeypatch, 200, "margins", "--by", "region")
    columns = [cell.strip() for cell in header(lines).strip("┃").split("┃")]
    assert "costs" not in columns and {"cogs", "outbound_shipping", "marketing"} <= set(columns)
    assert not any("folded" in line for line in lines)


def test_wide_shows_every_column_on_a_narrow_console(demo, monkeypatch):
    lines = run(demo, monkeypatch, 80, "margins", "--by", "region", "--wide")
    columns = [cell.strip() for cell in header(lines).strip("┃").split("┃")]
    assert "outbound_shipping" in columns and "units" in columns and "costs" not in columns
    assert max(map(len, lines)) > 80  # as long as the table needs, not squeezed into unreadable cells
    assert not any("…" in line for line in lines)


def test_folded_costs_add_up_to_the_json_figures(demo, monkeypatch):
    lines = run(demo, monkeypatch, 80, "margins", "--by", "region")
    columns = [cell.strip() for cell in header(lines).strip("┃").split("┃")]
    total = next(line for line in lines if line.startswith("│ total"))
    cells = dict(zip(columns, (cell.strip() for cell in total.strip("│").split("│"))))
    report = json.loads(CliRunner().invoke(cli, ["profit", "margins", "--by", "region", "--json", "--data",
                                                 str(demo / "demo")]).output)
    costs = sum(Decimal(value) for value in report["total"]["costs"].values())
    assert Decimal(cells["costs"].replace(",", "")) == costs
    assert Decimal(cells["net revenue"].replace(",", "")) - costs == Decimal(report["total"]["contribution"])


@pytest.mark.parametrize("args", [
    ("drivers", "--base", "2024-Q1", "--compare", "2024-Q4", "--by", "sku,region", "--top", "6"),
    ("whatif", "--change", "outbound_shipping:+12%,region=EU", "--by", "category,region", "--elasticity", "-1.5"),
    ("prices", "--elasticity", "-1.5", "--max-change", "0.1", "--limit", "5"),
])
def test_other_wide_tables_fit_80_columns(demo, monkeypatch, args):
    narrow = run(demo, monkeypatch, 80, *args)
    assert max(map(len, narrow)) <= 80
    assert not any("…" in line for line in narrow if line.startswith("│"))  # whole numbers, no cut cells
    wide = run(demo, monkeypatch, 80, *args, "--wide")
    assert any("hidden to fit 80 columns" in line for line in narrow)
    assert max(len(line) for line in wide if line.startswith("┃")) > 80
    roomy = run(demo, monkeypatch, 200, *args)
    assert not any("hidden" in line for line in roomy) and header(roomy) == next(l for l in wide if l.startswith("┃"))


def test_promotions_table_fits_80_columns(demo, monkeypatch):
    lines = run(demo, monkeypatch, 80, "promotions")
    assert max(map(len, lines)) <= 80 and "ROI" in header(lines)
