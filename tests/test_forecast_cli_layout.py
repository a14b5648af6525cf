"""``argentier forecast anomalies`` on narrow and wide terminals: the real command with a rich console of a given
width; the reasons must be readable (not a column a few characters wide) and every line must fit."""

import io

import pytest
from click.testing import CliRunner
from rich.console import Console

from argentier.cli import cli
from argentier.forecast import demo_sales


@pytest.fixture(scope="module")
def sales(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anomaly-layout")
    frame = demo_sales(periods=48)
    frame.loc[(frame.unique_id == "North/Food") & (frame.ds == "2023-04-01"), "y"] *= 1.7
    frame.to_csv(folder / "sales.csv", index=False)
    return folder / "sales.csv"


def run(sales, monkeypatch, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    monkeypatch.setattr("argentier.cli._forecast.console", console)
    monkeypatch.setenv("ARGENTIER_HOME", str(sales.parent / "home"))
    args = ["forecast", "anomalies", str(sales), "--levels", "region,category", "--no-findings"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_narrow_terminal_lists_each_anomaly_with_its_reason_underneath(sales, monkeypatch):
    lines = run(sales, monkeypatch, 80)
    assert max(map(len, lines)) <= 80 and not any(line.startswith("┃") for line in lines)  # no table
    heading = next(i for i, line in enumerate(lines) if line.startswith("North/Food  2023-04-01  spike"))
    assert lines[heading + 1].startswith("  above the band at 2023-04-01:")
    north = next(i for i, line in enumerate(lines) if line.startswith("North  2023-04-01  spike"))
    assert any(line.startswith("  explained by North/Food") for line in lines[north + 1 : north + 4])


def test_wide_terminal_shows_a_table_with_unwrapped_dates(sales, monkeypatch):
    lines = run(sales, monkeypatch, 200)
    assert max(map(len, lines)) <= 200
    header = next(line for line in lines if line.startswith("┃"))
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "series", "when", "kind", "score", "reason", "explained by"
    ]
    assert any("│ North/Food │ 2023-04-01 │ spike" in line for line in lines)
