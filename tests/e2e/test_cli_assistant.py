"""End-to-end runs of ``argentier ask``, ``argentier chat`` and ``argentier assistant`` in a fresh data home."""

import json

import pytest
from _cli import cli_runner

CLOSE = """# Month-end close

## 1. Ledger lock

The ledgers of the closing month are locked at 18:00 on working day 3.

## 2. Revenue

Revenue was EUR 412 million in 2019. Revenue was EUR 388 million in 2018.
"""


@pytest.fixture
def run(tmp_path):
    run = cli_runner(tmp_path)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "close.md").write_text(CLOSE)
    run("docs", "add", str(folder), "--groups", "finance", "--collection", "policies", "--json")
    return run


def test_ask_prints_the_cited_answer_as_json_and_as_text(run, tmp_path):
    data = json.loads(run("ask", "When are the ledgers locked?", "--collection", "policies", "--json").stdout)
    assert (
        not data["refused"]
        and data["answer"] == "The ledgers of the closing month are locked at 18:00 on working day 3."
    )
    citation = data["citations"][0]
    assert set(citation) >= {"document", "page", "start", "end", "quote"}
    assert citation["document"]["path"] == (tmp_path / "docs" / "close.md").resolve().as_posix()
    assert citation["quote"] == data["answer"] and citation["page"] is None

    text = run("ask", "When are the ledgers locked?").stdout
    assert "locked at 18:00 on working day 3" in text and "Month-end close" in text

    hidden = json.loads(run("ask", "When are the ledgers locked?", "--groups", "sales", "--json").stdout)
    assert hidden["refused"] and hidden["citations"] == []
    refused = run("ask", "Who won the 1998 football world cup?").stdout
    assert "do not answer this" in refused


def test_chat_keeps_context_and_logs_the_exchanges(run):
    lines = run("chat", "--json", stdin="What was the revenue in 2019?\nand in 2018?\n").stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert "412" in first["answer"] and "388" in second["answer"]
    assert second["query"] == "What was the revenue in 2018?"
    assert second["conversation_id"] == first["conversation_id"]
    listed = json.loads(run("assistant", "conversations", "--json").stdout)
    assert [c["n_exchanges"] for c in listed] == [2]
    record = json.loads(run("assistant", "conversation", str(listed[0]["id"]), "--json").stdout)
    assert [e["question"] for e in record["exchanges"]] == ["What was the revenue in 2019?", "and in 2018?"]


def test_assistant_eval_reports_the_measures(run, tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        json.dumps(
            {
                "question": "When are the ledgers locked?",
                "answer": "18:00 on working day 3",
                "evidence": [{"document": "close.md", "page": None}],
            }
        )
        + "\n"
        + json.dumps({"question": "What was the revenue in 2018?", "answer": "EUR 388 million"})
        + "\n"
        + json.dumps({"question": "Who is the external auditor?", "answer": "", "unanswerable": True})
        + "\n"
    )
    report = json.loads(run("assistant", "eval", str(qa), "--collection", "policies", "--json").stdout)
    assert report["n"] == 3 and report["accuracy"] == 1.0 and report["recall_at_5"] == 1.0
    assert report["correct_refusal_rate"] == 1.0 and report["grounded_share"] == 1.0
    table = run("assistant", "eval", str(qa)).stdout
    assert "accuracy" in table and "mrr" in table

    (tmp_path / "bad.jsonl").write_text("{broken\n")
    failed = run("assistant", "eval", str(tmp_path / "bad.jsonl"), check=False)
    assert (
        failed.returncode == 1 and "line 1" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    )
    empty = run("ask", "  ", check=False)
    assert empty.returncode == 1 and "empty" in empty.stderr


def test_account_data_is_loaded_checked_and_answered_within_groups(tmp_path):
    run = cli_runner(tmp_path)
    (tmp_path / "customers.csv").write_text(
        "customer_id,name,currency,groups\nC-1,Northwind Traders GmbH,EUR,sales-emea\nC-2,Contoso Ltd,USD,sales-us\n"
    )
    (tmp_path / "invoices.csv").write_text(
        "invoice_number,customer_id,issue_date,due_date,amount,currency\n"
        "INV-1,C-1,2026-01-05,2026-02-04,1200.50,EUR\nINV-2,C-2,2026-01-05,2026-02-04,99.00,USD\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "invoice_number,customer_id,issue_date,due_date,amount,currency\nINV-9,C-1,soon,2026-02-04,1,EUR\n"
    )
    loaded = json.loads(
        run(
            "assistant", "accounts", "load", "customers", "customers.csv", "--groups", "finance", "--json"
        ).stdout
    )
    assert loaded[0]["inserted"] == 2
    run("assistant", "accounts", "load", "invoices", "invoices.csv", "--groups", "sales-emea", "--json")
    failed = run("assistant", "accounts", "load", "invoices", str(bad), "--groups", "finance", check=False)
    assert failed.returncode == 1 and "bad.csv" in failed.stderr and "issue_date" in failed.stderr
    assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    question = "What are the open invoices of Northwind Traders GmbH?"
    emea = json.loads(run("ask", question, "--groups", "sales-emea", "--json").stdout)
    assert not emea["refused"] and "INV-1" in json.dumps(emea)
    us = json.loads(run("ask", question, "--groups", "sales-us", "--json").stdout)
    assert "INV-1" not in json.dumps(us) and "1,200.50" not in json.dumps(us)
    names = [tool["name"] for tool in json.loads(run("assistant", "tools", "--json").stdout)]
    assert {"open_invoices", "customer_balance"} <= set(names)
