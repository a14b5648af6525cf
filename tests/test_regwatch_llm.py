"""The regulatory watch's LLM paths (summary, impact) against a real OpenAI-compatible server on 127.0.0.1."""

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
    from argentier.regwatch.llm_summary import prompt_passages

    passages = prompt_passages(doc, 2000)
    assert sum(len(p) for p in passages) <= 2000
    assert any("5.5%" in p for p in passages)  # the change itself survives the cut
    assert all(p in doc.text for p in passages)


def test_title_support_needs_its_numbers_and_half_its_words():
    text = "Spain raises the plastic tax to 0.45 euro per kilogram from July 2026."
    assert title_is_supported("Spain raises plastic tax", text)
    assert not title_is_supported("Spain raises plastic tax to 0.50 euro", text)
    assert not title_is_supported("Italy delays sugar levy again", text)


IMPACT = {
    "taxes": [
        {"id": "vat", "quote": "the reduced rate of 5.5% applies to energy renovation works"},
        {"id": "customs", "quote": "customs duties rise on heat pumps"},  # invented: dropped
        {"id": "not-a-tax", "quote": "the reduced rate of 5.5%"},  # not in the taxonomy: dropped
    ],
    "business_lines": [{"id": "retail", "quote": "heat pumps and the labour needed to install them"}],
    "severity": "medium",
    "severity_quote": "register the new rate in their invoicing systems by 31 March 2027",
}


def test_impact_adds_only_grounded_picks_from_the_taxonomy(server):
    from argentier.regwatch.impact import predict_impact
    from argentier.regwatch.llm_impact import LLM_CONFIDENCE, predict_impact_with_llm

    server.answer = IMPACT
    doc = parse_text(NOTICE)
    rules = predict_impact(doc)
    impact = predict_impact_with_llm(doc, _client(server))
    assert impact.model == "scripted"
    taxes = {match.id: match for match in impact.taxes}
    assert set(taxes) == {match.id for match in rules.taxes} | {"vat"}  # no customs, no unknown id
    assert taxes["vat"].confidence >= LLM_CONFIDENCE
    assert {m.id for m in impact.business_lines} == {m.id for m in rules.business_lines} | {"retail"}
    for match in (*impact.taxes, *impact.business_lines):
        assert match.evidence and all(doc.text[e.start : e.end] == e.quote for e in match.evidence)
    assert (impact.severity, impact.severity_rule) == ("medium", "assessed by scripted")
    assert doc.text[impact.severity_evidence[0].start : impact.severity_evidence[0].end].startswith("register")


def test_impact_keeps_the_rules_severity_without_a_grounded_quote_and_on_failure(server):
    from argentier.regwatch.impact import predict_impact
    from argentier.regwatch.llm_impact import predict_impact_with_llm

    doc = parse_text(NOTICE)
    rules = predict_impact(doc)
    server.answer = {**IMPACT, "severity": "low", "severity_quote": "nothing of the sort is written"}
    impact = predict_impact_with_llm(doc, _client(server))
    assert (impact.severity, impact.severity_rule) == (rules.severity, rules.severity_rule)
    server.script = ["500"]
    assert predict_impact_with_llm(doc, _client(server)) == rules
    assert predict_impact_with_llm(doc, LLMClient(NoLLM())) == rules


def test_cli_summarise_takes_the_llm_paths_when_an_llm_is_configured(server, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from argentier.cli._common import AppContext
    from argentier.cli._regwatch_summarise import summarise_command

    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    monkeypatch.setenv("ARGENTIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARGENTIER_LLM__PROVIDER", "openai")
    monkeypatch.setenv("ARGENTIER_LLM__BASE_URL", server.base_url)
    monkeypatch.setenv("ARGENTIER_LLM__MODEL", "scripted")
    monkeypatch.setenv("ARGENTIER_LLM__MAX_RETRIES", "0")
    server.answer = {**GOOD, **IMPACT}  # one JSON object valid for both schemas
    outcome = CliRunner().invoke(summarise_command, [str(notice), "--json"], obj=AppContext())
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert data["method"] == "llm" and data["model"] == "scripted" and len(data["statements"]) == 2
    assert data["impact"]["model"] == "scripted" and data["impact"]["severity_rule"] == "assessed by scripted"
    forced = CliRunner().invoke(summarise_command, [str(notice), "--json", "--extractive"], obj=AppContext())
    assert json.loads(forced.output)["method"] == "extractive"
