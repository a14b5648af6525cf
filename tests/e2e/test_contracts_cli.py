"""End-to-end runs of ``argentier contracts`` in a subprocess: review (one file, bulk, export), ask, errors."""

import json
from pathlib import Path

import pytest
import yaml
from _cli import cli_runner

from argentier.core.documents import load_document

CONTRACT = """SUPPLY AGREEMENT

This Supply Agreement is made as of the 1st day of September, 2019 between Acme Widgets Inc. ("Supplier") and
Beta Retail LLC ("Buyer").

1. Exclusivity. During the term, Supplier appoints Buyer as its exclusive distributor of the Products in the
Territory, and Supplier shall not appoint any other distributor in the Territory.

2. Governing Law. This Agreement shall be governed by the laws of the State of Texas.
"""
OTHER = """CONSULTING AGREEMENT

This Agreement is dated 9/1/19. Either party may terminate this Agreement for convenience upon thirty (30) days
written notice. This Agreement shall be governed by the laws of the State of Delaware.
"""


def _runner(tmp_path, database_url):
    return cli_runner(tmp_path, database_url, USER="ann")


@pytest.fixture
def contracts(tmp_path):
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "supply.txt").write_text(CONTRACT)
    (folder / "consulting.txt").write_text(OTHER)
    return folder


def test_review_one_file_records_findings(tmp_path, database_url, contracts):
    run = _runner(tmp_path, database_url)
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(run("contracts", "playbook-example").stdout)
    data = json.loads(
        run(
            "contracts", "review", str(contracts / "supply.txt"), "--playbook", str(playbook), "--json"
        ).stdout
    )
    assert set(data) == {"document", "clauses", "terms", "playbook"}
    text = load_document(contracts / "supply.txt").text  # offsets index the loaded (normalised) text
    for clause in data["clauses"]:
        assert text[clause["start"] : clause["end"]] == clause["text"]
    assert data["terms"]["agreement_date"]["value"] == "2019-09-01"
    assert data["terms"]["governing_law"]["value"] == "Texas"
    outcomes = {item["rule"]: item["outcome"] for item in data["playbook"]}
    assert outcomes["governing-law"] == "deviation" and outcomes["no-exclusivity"] == "deviation"
    listed = json.loads(run("review", "list", "--kind", "contracts.clause.governing_law", "--json").stdout)
    assert len(listed) == 1 and listed[0]["source_document_id"] == data["document"]["id"]
    run("review", "approve", str(listed[0]["id"]))
    stats = {row["category"]: row for row in json.loads(run("contracts", "stats", "--json").stdout)}
    assert stats["Governing Law"]["acceptance_rate"] == 1.0
    assert stats["playbook"]["pending"] == len(outcomes)


def test_bulk_review_prints_json_lines_and_exports(tmp_path, contracts):
    run = _runner(tmp_path, f"sqlite:///{tmp_path / 'a.db'}")
    result = run("contracts", "review", str(contracts), "--no-record", "--json", "--export", "out.xlsx")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(item["document"]["path"]).name for item in lines] == ["consulting.txt", "supply.txt"]
    assert (tmp_path / "out.xlsx").stat().st_size > 0
    table = run("contracts", "review", str(contracts), "--no-record", "--export", "out.csv").stdout
    assert "2 contract(s)" in table and "Delaware" in table
    assert (tmp_path / "out.csv").read_text().count("\n") == 3


def test_ask_and_errors(tmp_path, contracts):
    run = _runner(tmp_path, f"sqlite:///{tmp_path / 'a.db'}")
    answer = json.loads(
        run(
            "contracts",
            "ask",
            str(contracts / "consulting.txt"),
            "How much notice to terminate for convenience?",
            "--json",
        ).stdout
    )
    assert "thirty (30) days" in answer["citations"][0]["text"]
    missing = run("contracts", "review", str(tmp_path / "nope.txt"), "--no-record", check=False)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr and "nope.txt" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"rules": [{"id": "x", "check": "sometimes", "category": "Insurance"}]}))
    result = run("contracts", "review", str(contracts), "--playbook", str(bad), "--no-record", check=False)
    assert result.returncode == 1 and "bad.yaml" in result.stderr and "check must be one of" in result.stderr
    result = run("contracts", "review", str(contracts), "--export", "out.pdf", "--no-record", check=False)
    assert result.returncode == 2 and not (tmp_path / "out.pdf").exists()
