"""End-to-end runs of ``argentier review`` on findings written with the Python API into the same database."""

import json
import subprocess

import pytest
from _cli import cli_runner

from argentier.core.grounding import find_quote
from argentier.core.review import Producer, ReviewService

POLICY = "Treasury policy. The net debt to EBITDA covenant must stay below 3.0x at each quarter end."


@pytest.fixture
def run(tmp_path, database_url):
    return cli_runner(tmp_path, database_url, USER="bob")


@pytest.fixture
def findings(library, settings):
    """A treasury-only summary with evidence, a fraud alert and a contract clause, all pending."""
    document = library.add_text(POLICY, title="Treasury policy", groups=["treasury"]).document
    service = ReviewService(library.store, settings)
    span = find_quote(POLICY, "net debt to EBITDA covenant must stay below 3.0x")
    summary = service.create_finding(
        kind="regwatch.summary",
        subject_type="document",
        subject_id=str(document.id),
        document_id=document.id,
        payload={"summary": "Net debt / EBITDA must stay below 3.0x."},
        evidence=[{"quote": POLICY[span.start : span.end], "start": span.start, "end": span.end}],
        producer=Producer("regwatch.summarise", "0.3", model="mistral-7b"),
        confidence=0.9,
    )
    alert = service.create_finding(
        kind="fraud.alert",
        subject_type="transaction",
        subject_id="tx-9",
        payload={"score": 0.97},
        producer=Producer("fraud.model", "2.1"),
    )
    clause = service.create_finding(
        kind="contracts.clause",
        subject_type="document",
        subject_id="contract-1",
        payload={"clause": "limitation of liability", "cap": "12 months of fees"},
        producer=Producer("contracts.clauses", "1.0", model="deberta"),
    )
    return summary.id, alert.id, clause.id


def _error_lines(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_review_list_show_verdicts_and_stats(run, findings, tmp_path):
    summary, alert, clause = findings
    listed = json.loads(run("review", "list", "--json").stdout)
    assert [item["id"] for item in listed] == [summary, alert, clause]
    assert {item["status"] for item in listed} == {"pending"}
    assert [i["id"] for i in json.loads(run("review", "list", "--groups", "sales", "--json").stdout)] == [
        alert,
        clause,
    ]

    approved = json.loads(run("review", "approve", str(summary), "--reviewer", "alice", "--json").stdout)
    assert approved["status"] == "approved" and approved["latest_verdict"]["reviewer"] == "alice"
    denied = run("review", "approve", str(summary), "--groups", "sales", check=False)
    assert denied.returncode == 1
    assert _error_lines(denied) == [f"error: not allowed to read finding {summary}"]

    (tmp_path / "edit.json").write_text('{"clause": "limitation of liability", "cap": "12 months"}')
    edited = json.loads(run("review", "edit", str(clause), "--payload", "@edit.json", "--json").stdout)
    assert edited["status"] == "edited"
    assert edited["latest_verdict"]["reviewer"] == "bob"  # from $USER
    assert edited["payload"]["cap"] == "12 months of fees"
    assert edited["current_payload"]["cap"] == "12 months"

    assert run("review", "reject", str(alert), check=False).returncode == 2  # --reason is required
    rejected = run("review", "reject", str(alert), "--reason", "known supplier", "--reviewer", "carol").stdout
    assert f"finding {alert}: rejected by carol" in rejected
    assert [i["id"] for i in json.loads(run("review", "list", "--status", "rejected", "--json").stdout)] == [
        alert
    ]

    shown = json.loads(run("review", "show", str(summary), "--json").stdout)
    assert [event["action"] for event in shown["audit"]] == ["finding.create", "finding.approve"]
    assert shown["finding"]["evidence"][0]["quote"] == "net debt to EBITDA covenant must stay below 3.0x"
    table = run("review", "show", str(summary)).stdout
    assert "finding.approve" in table and "covenant must stay below" in table

    stats = json.loads(run("review", "stats", "--json").stdout)
    assert stats["overall"]["reviewed"] == 3 and stats["overall"]["rejected"] == 1
    assert stats["overall"]["acceptance_rate"] == pytest.approx(2 / 3)
    assert json.loads(run("review", "stats", "--light-edit-threshold", "0", "--json").stdout)["overall"][
        "acceptance_rate"
    ] == pytest.approx(1 / 3)
    stats_table = run("review", "stats").stdout
    assert "regwatch.summary" in stats_table and "66.7 %" in stats_table and "mistral-7b" in stats_table


def test_review_errors_are_one_line(run, findings):
    summary, _, _ = findings
    missing = run("review", "show", "9999", check=False)
    assert missing.returncode == 1
    assert _error_lines(missing) == ["error: no finding with id 9999"]
    bad_json = run("review", "edit", str(summary), "--payload", "{not json", check=False)
    assert bad_json.returncode == 2 and "--payload" in bad_json.stderr and "not valid JSON" in bad_json.stderr
    listed = run("review", "list").stdout
    assert "regwatch.summary" in listed and "pending" in listed
