"""End-to-end runs of ``argentier ask``, ``argentier chat`` and ``argentier assistant`` in a fresh data home."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ARGENTIER = str(Path(sys.executable).parent / "argentier")

CLOSE = """# Month-end close

## 1. Ledger lock

The ledgers of the closing month are locked at 18:00 on working day 3.

## 2. Revenue

Revenue was EUR 412 million in 2019. Revenue was EUR 388 million in 2018.
"""


@pytest.fixture
def run(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(tmp_path / "home"))

    def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [ARGENTIER, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, input=stdin
        )
        if check and result.returncode != 0:
            raise AssertionError(f"argentier {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "close.md").write_text(CLOSE)
    run("docs", "add", str(folder), "--groups", "finance", "--collection", "policies", "--json")
    return run


def test_ask_prints_the_cited_answer_as_json_and_as_text(run, tmp_path):
    data = json.loads(run("ask", "When are the ledgers locked?", "--collection", "policies", "--json").stdout)
    assert not data["refused"] and data["answer"] == "The ledgers of the closing month are locked at 18:00 on working day 3."
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
        json.dumps({"question": "When are the ledgers locked?", "answer": "18:00 on working day 3",
                    "evidence": [{"document": "close.md", "page": None}]}) + "\n"
        + json.dumps({"question": "What was the revenue in 2018?", "answer": "EUR 388 million"}) + "\n"
        + json.dumps({"question": "Who is the external auditor?", "answer": "", "unanswerable": True}) + "\n"
    )
    report = json.loads(run("assistant", "eval", str(qa), "--collection", "policies", "--json").stdout)
    assert report["n"] == 3 and report["accuracy"] == 1.0 and report["recall_at_5"] == 1.0
    assert report["correct_refusal_rate"] == 1.0 and report["grounded_share"] == 1.0
    table = run("assistant", "eval", str(qa)).stdout
    assert "accuracy" in table and "mrr" in table

    (tmp_path / "bad.jsonl").write_text("{broken\n")
    failed = run("assistant", "eval", str(tmp_path / "bad.jsonl"), check=False)
    assert failed.returncode == 1 and "line 1" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    empty = run("ask", "  ", check=False)
    assert empty.returncode == 1 and "empty" in empty.stderr
