"""The LLM path against a scripted OpenAI-compatible server: only verbatim quotes survive; combining paths."""

import json
import re

import pytest
from scripted_http import JSONHandler, ScriptedServer, serving

from argentier.config import LLMSettings
from argentier.contracts import ClauseMatch, answer_question, combine_clauses, explain_clause, llm_clauses
from argentier.core.documents import parse_text
from argentier.core.llm import make_llm_client
from argentier.errors import ProviderUnavailable

CONTRACT = (
    "SERVICES AGREEMENT\n\n"
    "1. Fees. Customer shall pay the fees monthly.\n\n"
    "2. Governing Law. This Agreement shall be governed by the laws of the State of Ohio.\n\n"
    "3. Insurance. Provider shall maintain commercial general liability insurance."
)


class _Handler(JSONHandler):
    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.server.requests.append(payload)
        prompt = payload["messages"][-1]["content"]
        category = re.search(r"Category: (.+)", prompt)
        if category and category.group(1).strip() == "Governing Law":
            # one verbatim quote (with different whitespace) and one the contract does not contain
            quotes = [
                "This Agreement shall be  governed by the laws of the State of Ohio.",
                "This Agreement is governed by Swiss law.",
            ]
            content = json.dumps({"quotes": quotes})
        elif category:
            content = json.dumps({"quotes": []})
        else:  # the grounded answer prompt
            content = json.dumps(
                {
                    "answer": "Ohio law governs.",
                    "claims": [
                        {
                            "text": "Ohio law governs.",
                            "quotes": [{"passage": 1, "text": "laws of the State of Ohio"}],
                        }
                    ],
                }
            )
        self.reply(
            200,
            {
                "id": "x",
                "object": "chat.completion",
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
            },
        )


@pytest.fixture
def client():
    with serving(ScriptedServer(_Handler)) as server:
        yield (
            make_llm_client(
                LLMSettings(
                    provider="openai", base_url=server.base_url, model="m", max_retries=0, cache=False
                )
            ),
            server,
        )


def test_only_verbatim_quotes_are_kept(client):
    llm, server = client
    doc = parse_text(CONTRACT)
    found = llm_clauses(doc, llm, categories=["Governing Law", "Insurance"])
    assert [(m.category, m.text) for m in found] == [
        ("Governing Law", "This Agreement shall be governed by the laws of the State of Ohio.")
    ]
    assert doc.text[found[0].start : found[0].end] == found[0].text
    assert any("Governing Law" in r["messages"][-1]["content"] for r in server.requests)


def test_grounded_answer_with_an_llm(client):
    llm, _ = client
    doc = parse_text(CONTRACT)
    answer = answer_question(doc, "Which law governs the agreement?", llm=llm)
    assert answer.method == "llm" and answer.answer == "Ohio law governs."
    [citation] = answer.citations
    assert doc.text[citation.start : citation.end] == "laws of the State of Ohio"


def test_no_llm_configured_raises_provider_unavailable():
    with pytest.raises(ProviderUnavailable):
        llm_clauses(parse_text(CONTRACT), make_llm_client(LLMSettings()), categories=["Governing Law"])


def test_combine_boosts_agreement_and_discounts_llm_only_quotes():
    model = [
        ClauseMatch("Insurance", "Provider shall maintain insurance.", 0, 34, 0.6),
        ClauseMatch("Audit Rights", "Customer may audit.", 40, 59, 0.7),
    ]
    llm = [
        ClauseMatch("Insurance", "Provider shall maintain insurance.", 0, 34, 0.5),
        ClauseMatch("Exclusivity", "Provider is exclusive.", 60, 82, 0.5),
    ]
    combined = {m.category: m.score for m in combine_clauses(model, llm)}
    assert combined["Insurance"] == pytest.approx(0.8)
    assert combined["Audit Rights"] == pytest.approx(0.7)
    assert combined["Exclusivity"] == pytest.approx(0.1)


def test_generated_explanations_are_kept_only_when_grounded(client):
    llm, _ = client
    law = "This Agreement shall be governed by the laws of the State of Ohio."
    grounded = explain_clause(ClauseMatch("Governing Law", law, 0, len(law), 0.9), llm=llm)
    assert grounded == "Ohio law governs."
    other = "Disputes go to arbitration in Geneva."
    fallback = explain_clause(ClauseMatch("Governing Law", other, 0, len(other), 0.9), llm=llm)
    assert fallback == explain_clause(ClauseMatch("Governing Law", other, 0, len(other), 0.9))
    assert fallback.startswith("Governing Law (")
