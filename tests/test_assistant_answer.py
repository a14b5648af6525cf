"""The assistant's answers: extractive with highlighted sentences, refusals, amount conditions, tables, the LLM
path against a real OpenAI-compatible server on 127.0.0.1, and access control, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scripted_http import JSONHandler, ScriptedServer, serving

from argentier.assistant import REFUSAL_TEXT, Assistant
from argentier.assistant.retrieval import condition_fit, question_amounts
from argentier.core.llm import LLMClient, OpenAICompatibleProvider
from argentier.errors import InputError

PROCEDURES = Path(__file__).parents[1] / "src" / "argentier" / "assistant" / "data" / "procedures"

EXPENSES = """# Expense policy

## 1. Meals

Meals while travelling are reimbursed up to EUR 40 per day. Receipts are required for every meal.

## 2. Mileage

Business use of a private car is reimbursed at EUR 0.30 per kilometre. Commuting is not reimbursed.
"""

REFUNDS = """# Refunds

## 3. Approval limits

3.1 Refunds up to EUR 1,000 are approved by the credit control team leader.

3.2 Refunds above EUR 1,000 and up to EUR 25,000 are approved by the Head of Credit Control.

3.3 Refunds above EUR 25,000 also need the approval of the Group Financial Controller.
"""


@pytest.fixture
def assistant(library):
    library.add_text(EXPENSES, title="Expense policy", format="markdown", groups=["finance"])
    library.add_text(REFUNDS, title="Refunds", format="markdown", groups=["finance"])
    return Assistant(library, tools=[])


def _check_offsets(assistant, answer, groups=None):
    for citation in answer.citations:
        text = assistant.library.get_document(citation.document.id, groups=groups).parsed.text
        assert text[citation.start : citation.end] == citation.quote
        highlight = citation.highlight
        assert citation.start <= highlight.start < highlight.end <= citation.end
        assert text[highlight.start : highlight.end] == highlight.text


def test_extractive_answer_highlights_the_answering_sentence_with_offsets(assistant):
    answer = assistant.ask("How much are meals reimbursed per day?", groups=["finance"], log=False)
    assert not answer.refused and answer.method == "extractive"
    assert answer.answer == "Meals while travelling are reimbursed up to EUR 40 per day."
    first = answer.citations[0]
    assert first.document.title == "Expense policy" and first.section == "Expense policy > 1. Meals"
    assert first.highlight.text == answer.answer
    assert "Receipts are required for every meal." in first.quote  # the paragraph around the sentence
    _check_offsets(assistant, answer, ["finance"])
    data = answer.to_dict()
    assert set(data) >= {"answer", "citations", "refused"}
    assert set(data["citations"][0]) >= {"document", "page", "start", "end", "quote"}
    assert set(data["citations"][0]["document"]) == {"id", "title", "path"}


def test_amount_conditions_pick_the_limit_that_applies(assistant):
    small = assistant.ask("Who approves a refund of EUR 800?", log=False)
    assert "team leader" in small.answer
    middle = assistant.ask("Who approves a refund of EUR 12,000?", log=False)
    assert "Head of Credit Control" in middle.answer
    large = assistant.ask("Who must also approve refunds above EUR 25,000?", log=False)
    assert "Group Financial Controller" in large.answer
    assert question_amounts("refunds above EUR 25,000") == [25000.01]
    assert condition_fit([30000.0], "EUR 50,001 to EUR 250,000 | Approver: CFO") == -1


def test_a_question_the_documents_do_not_answer_is_refused_without_quotes(assistant):
    answer = assistant.ask("Who won the football world cup in 1998?", log=False)
    assert answer.refused and answer.method == "refusal" and answer.answer == REFUSAL_TEXT
    assert answer.citations == ()
    assert answer.confidence < assistant.threshold


def test_groups_decide_what_can_be_answered(assistant):
    answer = assistant.ask("How much are meals reimbursed per day?", groups=["hr"], log=False)
    assert answer.refused and answer.retrieved == ()
    assert assistant.ask("How much are meals reimbursed per day?", groups=["finance"], log=False).citations


def test_bad_questions_are_input_errors(assistant):
    with pytest.raises(InputError, match="empty"):
        assistant.ask("   ", log=False)
    with pytest.raises(InputError, match="longer than"):
        assistant.ask("why " * 1000, log=False)


def test_table_questions_are_answered_from_the_cells(library):
    pytest.importorskip("argentier.assistant.tables")
    library.add_file(PROCEDURES / "fixed-assets.html", collection="procedures")
    answer = Assistant(library, tools=[]).ask("What is the useful life of vehicles?", log=False)
    assert answer.method == "table" and answer.value == 5
    cell = answer.citations[0]
    assert cell.highlight.text == "5" and dict(cell.source) == {
        "kind": "table_cell", "row": "Vehicles", "column": "Useful life (years)"
    }
    assert "Vehicles" in cell.quote


# -- the LLM path ----------------------------------------------------------------------------------------------

GROUNDED = {
    "answer": "EUR 40 per day",
    "claims": [
        {"text": "Meals are reimbursed up to EUR 40 a day.",
         "quotes": [{"passage": 1, "text": "reimbursed up to EUR 40 per day"}]},
        {"text": "Meals are free on Fridays.", "quotes": [{"passage": 1, "text": "meals are free on Fridays"}]},
    ],
}


class _Handler(JSONHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.server.requests.append(body)
        if self.server.next_behaviour() == "500":
            self.reply(500, {"error": {"message": "overloaded"}})
            return
        content = json.dumps(self.server.answer)
        self.reply(200, {
            "id": "1", "object": "chat.completion", "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50},
        })


@pytest.fixture()
def server() -> Any:
    srv = ScriptedServer(_Handler)
    srv.answer = GROUNDED
    with serving(srv):
        yield srv


def _llm(server) -> LLMClient:
    provider = OpenAICompatibleProvider(base_url=server.base_url, model="scripted", timeout_s=5.0)
    return LLMClient(provider, max_retries=0, backoff_s=0.0)


def test_llm_answers_keep_only_grounded_statements_with_document_offsets(assistant, server):
    assistant.llm = _llm(server)
    answer = assistant.ask("How much are meals reimbursed per day?", log=False)
    assert answer.method == "llm" and answer.model == "scripted" and not answer.refused
    assert answer.answer == "Meals are reimbursed up to EUR 40 a day."  # the invented statement is dropped
    assert answer.details["n_claims"] == 2
    assert [c.quote for c in answer.citations] == ["reimbursed up to EUR 40 per day"]
    _check_offsets(assistant, answer)
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "Meals while travelling are reimbursed up to EUR 40 per day." in prompt


def test_llm_with_nothing_grounded_refuses_and_a_failed_call_falls_back(assistant, server):
    assistant.llm = _llm(server)
    server.answer = {"answer": "Free", "claims": [GROUNDED["claims"][1]]}
    refused = assistant.ask("How much are meals reimbursed per day?", log=False)
    assert refused.refused and refused.citations == () and "grounded" in refused.note
    server.script = ["500"]
    fallback = assistant.ask("How much are meals reimbursed per day?", log=False)
    assert fallback.method == "extractive" and "LLM call failed" in fallback.note
    assert fallback.answer == "Meals while travelling are reimbursed up to EUR 40 per day."


def test_llm_is_not_asked_when_no_passage_passes_the_threshold(assistant, server):
    assistant.llm = _llm(server)
    assert assistant.ask("Who won the football world cup in 1998?", log=False).refused
    assert server.requests == []


def _two_page_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for text in (
        "Treasury manual. Cash forecasts are prepared every Monday by the treasury analyst for the next 13 weeks.",
        "Foreign exchange. Forward contracts may hedge at most 80 percent of the forecast exposure in each currency.",
    ):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def test_pdf_answers_cite_their_page_and_eval_matches_pages(library, tmp_path):
    from argentier.assistant.eval import EvidenceRef, retrieval_ranks

    _two_page_pdf(tmp_path / "treasury.pdf")
    library.add_file(tmp_path / "treasury.pdf")
    answer = Assistant(library, tools=[]).ask("How much of the exposure may forward contracts hedge?", log=False)
    assert not answer.refused and "80 percent" in answer.answer
    assert answer.citations[0].page == 2
    # The one chunk runs over the page break, so it retrieves both pages, in order.
    assert [page.page for page in answer.retrieved] == [1, 2]
    assert retrieval_ranks([EvidenceRef("treasury.pdf", 2)], answer.retrieved, k=2) == (1.0, 0.5)
    assert retrieval_ranks([EvidenceRef("treasury.pdf", 3)], answer.retrieved, k=2) == (0.0, 0.0)


def test_cli_ask_takes_the_llm_path_when_an_llm_is_configured(server, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from argentier.cli._assistant import ask
    from argentier.cli._common import AppContext
    from argentier.core.library import Library

    for name in [name for name in __import__("os").environ if name.startswith("ARGENTIER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ARGENTIER_HOME", str(tmp_path / "home"))
    with Library.open(AppContext().settings) as library:
        library.add_text(EXPENSES, title="Expense policy", format="markdown")
    monkeypatch.setenv("ARGENTIER_LLM__PROVIDER", "openai")
    monkeypatch.setenv("ARGENTIER_LLM__BASE_URL", server.base_url)
    monkeypatch.setenv("ARGENTIER_LLM__MODEL", "scripted")
    monkeypatch.setenv("ARGENTIER_LLM__MAX_RETRIES", "0")
    outcome = CliRunner().invoke(ask, ["How much are meals reimbursed per day?", "--json"], obj=AppContext())
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert data["method"] == "llm" and data["model"] == "scripted"
    assert data["answer"] == "Meals are reimbursed up to EUR 40 a day." and not data["refused"]
    assert [c["quote"] for c in data["citations"]] == ["reimbursed up to EUR 40 per day"]
