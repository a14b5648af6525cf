"""End-to-end runs of ``argentier plan`` in a subprocess, on the shipped example inputs."""

import json
import subprocess
from importlib import resources

import pytest
from _cli import cli_runner

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def run(tmp_path):
    return cli_runner(tmp_path, prefix=("plan",))


@pytest.fixture
def examples(tmp_path):
    """The shipped example inputs, copied without a subprocess (``plan examples`` is tested once below)."""
    target = tmp_path / "ex"
    target.mkdir()
    for item in (resources.files("argentier.planning") / "data").iterdir():
        if item.is_file():
            (target / item.name).write_bytes(item.read_bytes())
    return target


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_staffing_textbook_example_as_in_the_issue(run):
    args = [
        "staffing",
        "--volume",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--service-level",
        "0.8",
        "--answer-seconds",
        "20",
        "--shrinkage",
        "0.3",
    ]
    data = json.loads(run(*args, "--json").stdout)
    assert data["agents"] == 14 and data["scheduled_agents"] == 20
    assert round(data["service_level"], 3) == 0.888 and round(data["probability_of_waiting"], 3) == 0.174
    assert round(data["average_speed_of_answer"], 1) == 7.8 and round(data["occupancy"], 3) == 0.714
    table = run(*args, "--patience-seconds", "120").stdout
    assert "erlang a" in table and "12" in table and "18" in table and "82.6 %" in table


def test_staffing_from_a_forecast_file_then_a_schedule_from_its_output(run, examples, tmp_path):
    data = json.loads(
        run(
            "staffing",
            "--volumes",
            str(examples / "interval_volumes.csv"),
            "--aht-seconds",
            "240",
            "--shrinkage",
            "0.3",
            "--output",
            "staff.csv",
            "--chart",
            "staff.png",
            "--json",
        ).stdout
    )
    assert data["totals"]["intervals"] == 168 and data["intervals"][0]["interval_minutes"] == 30
    assert (tmp_path / "staff.png").read_bytes().startswith(PNG)
    header = (tmp_path / "staff.csv").read_text().splitlines()[0]
    assert "scheduled_agents" in header and "unique_id" in header
    # One day of the plan scheduled with the example shift rules (the week takes longer to prove optimal).
    day = (tmp_path / "staff.csv").read_text().splitlines()[:25]
    (tmp_path / "day.csv").write_text("\n".join(day) + "\n")
    schedule = json.loads(
        run(
            "schedule",
            "day.csv",
            "--shifts",
            str(examples / "shift_patterns.yaml"),
            "--work-days",
            "1",
            "--chart",
            "day.png",
            "--output",
            "cover.csv",
            "--json",
        ).stdout
    )
    assert schedule["status"] == "optimal"
    assert all(p["covered"] >= p["required"] for p in schedule["periods"])
    assert (tmp_path / "day.png").read_bytes().startswith(PNG)
    assert (tmp_path / "cover.csv").read_text().startswith("period,required,covered")


def test_schedule_classic_problem(run):
    data = json.loads(run("schedule", "--needs", "17,13,15,19,14,16,11", "--json").stdout)
    assert data["headcount"] == 23 and data["status"] == "optimal"
    capped = run("schedule", "--needs", "17,13,15,19,14,16,11", "--max-headcount", "22", check=False)
    assert "no schedule exists" in _one_error_line(capped)


def test_peak_supply_capital_and_forward_examples(run, examples, tmp_path):
    peak = json.loads(run("peak", str(examples / "peak_plan.yaml"), "--chart", "peak.png", "--json").stdout)
    assert len(peak["weeks"]) == 8 and float(peak["total_cost"]) > 0
    supply = json.loads(
        run(
            "supply",
            str(examples / "supply_network.yaml"),
            "--replications",
            "3",
            "--plan",
            "baseline",
            "--plan",
            "second_supplier",
            "--chart",
            "supply.png",
            "--json",
        ).stdout
    )
    assert [p["plan"] for p in supply["plans"]] == ["baseline", "second_supplier"] and supply[
        "replications"
    ] == 3
    assert 0 < supply["plans"][0]["fill_rate"]["mean"] <= 1 and supply["plans"][1]["cost_change"] is not None
    capital = json.loads(
        run(
            "capital",
            str(examples / "capital_projects.csv"),
            "--rules",
            str(examples / "capital_rules.yaml"),
            "--budget",
            "2027=200",
            "--samples",
            "500",
            "--frontier",
            "3",
            "--chart",
            "frontier.png",
            "--json",
        ).stdout
    )
    assert capital["plan"]["status"] == "optimal" and "auto-rpa" in capital["plan"]["selected"]  # mandatory
    assert float(capital["plan"]["budget_years"][0]["spend"]) <= 200
    assert len(capital["frontier"]) >= 2 and len(capital["projects"]) == 15
    forward = run("forward", str(examples / "forward_view.yaml"), "--chart", "forward.png").stdout
    assert "2027-12" in forward and "operating margin" in forward
    for chart in ("peak.png", "supply.png", "frontier.png", "forward.png"):
        assert (tmp_path / chart).read_bytes().startswith(PNG)


def test_bad_inputs_fail_on_one_line_and_write_nothing(run, tmp_path):
    (tmp_path / "bad.csv").write_text("ds,volume\n2026-11-30 08:00,10\n2026-11-30 08:30,lots\n")
    result = run(
        "staffing", "--volumes", "bad.csv", "--aht-seconds", "180", "--output", "out.csv", check=False
    )
    assert "bad.csv: row 3, column 'volume'" in _one_error_line(result)
    assert not (tmp_path / "out.csv").exists()
    (tmp_path / "net.yaml").write_text("nodes:\n  a: {type: depot}\n")
    assert "nodes.a: needs type" in _one_error_line(run("supply", "net.yaml", check=False))
    (tmp_path / "projects.csv").write_text("id,capex_2027,annual_benefit,life_years\na,1,1,2\n")
    assert "no budget" in _one_error_line(run("capital", "projects.csv", check=False))


def test_examples_command_copies_the_inputs(run, tmp_path):
    output = run("examples", "mine").stdout
    assert "supply_network.yaml" in output
    assert (tmp_path / "mine" / "capital_projects.csv").read_text().startswith("id,name,category")
