"""The summariser's LLM path against a real OpenAI-compatible HTTP server on 127.0.0.1 that answers as told."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scripted_http import JSONHandler, ScriptedServer, serving

from argentier.core.documents import parse_text
from argentier.core.llm import LLMClient, NoLLM, OpenAICompatibleProvider
from argentier.regwatch.llm_summary import summarise_with_llm, title_is_supported
from argentier.regwatch.summarise import summarise_document

NOTICE = """Reduced VAT rate for energy renovation works

From 1 January 2027 the reduced rate of 5.5% applies to energy renovation works in homes older than two years.
The reduced rate covers insulation, heat pumps and the labour needed to install them.
Businesses must register the new rate in their invoicing systems by 31 March 2027.
"""

GOOD = {
    "title": "VAT on energy renovation falls to 5.5% in 2027",
    "claims": [
        {
            "text": "Energy renovation works in homes older than two years are taxed at 5.5% from 1 January 2027.",
            "quotes": [{"passage": 2, "text": "From 1 January 2027 the reduced rate of 5.5% applies"}],
        },
        {
            "text": "Invoicing systems must carry the new rate by 31 March 2027.",
            "quotes": [{"passage": 2, "text": "register the new rate in their invoicing systems by 31 March 2027"}],
        },
        {
            "text": "Solar panels are also covered.",  # not in the notice: the quote is invented
            "quotes": [{"passage": 2, "text": "solar panels are covered as well"}],
        },
    ],
}


class _Handler(JSONHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        behaviour = self.server.next_behaviour()
        if behaviour == "500":
            self.reply(500, {"error": {"message": "overloaded"}})
            return
        content = json.dumps(self.server.answer)
        self.reply(
            200,
            {
                "id": "1",
                "object": "chat.completion",
                "model": "scripted",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50},
            },
        )


@pytest.fixture()
def server() -> Any:
    srv = ScriptedServer(_Handler)
    srv.answer = GOOD
    with serving(srv):
        yield srv


def _client(server: Any) -> LLMClient:
    provider = OpenAICompatibleProvider(base_url=server.base_url, model="scripted", timeout_s=5.0)
    return LLMClient(provider, max_retries=0, backoff_s=0.0)


def test_only_grounded_statements_are_kept_with_offsets_into_the_update(server):
    doc = parse_text(NOTICE)
    summary = summarise_with_llm(doc, _client(server), max_words=80)
    assert summary.method == "llm" and summary.model == "scripted" and summary.note is None
    assert [claim.text for claim in summary.statements] == [c["text"] for c in GOOD["claims"][:2]]
    assert "Solar" not in summary.summary
    assert summary.sentences and all(doc.text[e.start : e.end] == e.quote for e in summary.sentences)
    assert summary.title == GOOD["title"]
    assert summary.dates == summarise_document(doc).dates  # dates stay with the deterministic extractor
    data = summary.to_dict()
    assert data["method"] == "llm" and data["statements"][0]["evidence"][0]["start"] >= 0


def test_word_limit_drops_later_statements(server):
    summary = summarise_with_llm(parse_text(NOTICE), _client(server), max_words=20)
    assert len(summary.statements) == 1 and len(summary.summary.split()) <= 20


def test_a_title_with_a_number_not_in_the_text_is_replaced(server):
    server.answer = {**GOOD, "title": "VAT on energy renovation falls to 5% in 2028"}
    summary = summarise_with_llm(parse_text(NOTICE), _client(server))
    assert summary.method == "llm"
    assert summary.title == summarise_document(parse_text(NOTICE)).title


def test_nothing_grounded_or_a_failed_call_falls_back_to_the_extractive_summary(server):
    doc = parse_text(NOTICE)
    extractive = summarise_document(doc, max_words=80)
    server.answer = {"title": "Something", "claims": [GOOD["claims"][2]]}
    ungrounded = summarise_with_llm(doc, _client(server), max_words=80)
    assert ungrounded.method == "extractive" and ungrounded.summary == extractive.summary
    assert "no generated statement was grounded" in ungrounded.note
    server.script = ["500"]
    failed = summarise_with_llm(doc, _client(server), max_words=80)
    assert failed.method == "extractive" and "LLM call failed" in failed.note and "500" in failed.note


def test_without_a_model_the_extractive_summary_is_returned_unchanged():
    doc = parse_text(NOTICE)
    assert summarise_with_llm(doc, LLMClient(NoLLM())) == summarise_document(doc)


def test_long_updates_are_cut_to_their_best_sentences_for_the_prompt(server):
    filler = " ".join(f"Paragraph {i} restates general background on the tax system." for i in range(400))
    doc = parse_text(NOTICE + "\n\n" + filler)
    from argentier.regwatch.llm_summary import _passages

    passages = _passages(doc, 2000)
    assert sum(len(p) for p in passages) <= 2000
    assert any("5.5%" in p for p in passages)  # the change itself survives the cut
    assert all(p in doc.text for p in passages)


def test_title_support_needs_its_numbers_and_half_its_words():
    text = "Spain raises the plastic tax to 0.45 euro per kilogram from July 2026."
    assert title_is_supported("Spain raises plastic tax", text)
    assert not title_is_supported("Spain raises plastic tax to 0.50 euro", text)
    assert not title_is_supported("Italy delays sugar levy again", text)
