"""The permission-leak test: a finance user and an HR user, each with documents and account rows of their own.

Whatever either asks (directly, through follow-ups, through tools, through a model that tries to quote what it
should not, or through the REST API), no retrieved, quoted or summarised content of the other group's
documents or rows may appear in the answer, its citations, its retrieval list, the conversation log as they
read it, or a tool's result. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from scripted_http import JSONHandler, ScriptedServer, serving

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.assistant import Assistant
from argentier.config import Settings
from argentier.core.llm import LLMClient, OpenAICompatibleProvider
from argentier.errors import NotFoundError

FINANCE_DOC = """# Project Kestrel acquisition memo

## 1. Price

The board approved the acquisition of Kestrel Robotics for EUR 73.4 million in cash, payable on 14 March.

## 2. Financing

The acquisition is financed by a bridge loan from Danube Bank at Euribor plus 3.15 percentage points.
"""
HR_DOC = """# Executive pay bands

## 1. Salary bands

The salary band of the chief financial officer is EUR 310,000 to EUR 365,000 a year.

## 2. Bonus

Executive bonuses are capped at 65 % of base salary and paid in April after the audit.
"""
PUBLIC_DOC = """# Office guide

## 1. Opening hours

The head office is open from 07:30 to 19:00 on working days. Visitors sign in at reception.
"""
FINANCE_SECRETS = ("73.4", "Kestrel Robotics", "Danube Bank", "3.15", "14 March", "Project Kestrel")
HR_SECRETS = ("310,000", "365,000", "65 %", "Executive pay bands", "capped at 65")
QUESTIONS = (
    "What price was approved for the acquisition?",
    "Who finances the acquisition and at what margin?",
    "What is the salary band of the chief financial officer?",
    "How large can executive bonuses be?",
    "When is the head office open?",
    "What is the balance of Kestrel Holdings?",
    "What is the balance of Orchid Staffing?",
    "Show the open invoices of Kestrel Holdings",
    "Show the open invoices of Orchid Staffing",
    "Which invoices are overdue?",
    "Was invoice INV-K-0001 paid?",
    "Was invoice INV-O-0001 paid?",
)
FOLLOW_UPS = ("and the financing?", "and the bonus?", "and for Kestrel Holdings?", "and for Orchid Staffing?")
ACCOUNT_SECRETS = {
    "finance": ("Kestrel Holdings", "C-7001", "INV-K-0001", "PAY-K-1", "84,000", "84000"),
    "hr": ("Orchid Staffing", "C-8001", "INV-O-0001", "PAY-O-1", "51,500", "51500"),
}


def _load_accounts(store) -> None:
    try:
        from argentier.assistant.accounts import AccountData
    except ImportError:
        return
    data = AccountData(store)
    for group, (name, customer, invoice, payment, amount, _) in ACCOUNT_SECRETS.items():
        data.load_rows("customers", [{"customer_id": customer, "name": name, "currency": "EUR"}], groups=[group])
        data.load_rows("invoices", [{
            "invoice_number": invoice, "customer_id": customer, "issue_date": "2026-01-05",
            "due_date": "2026-02-04", "amount": amount.replace(",", ""), "currency": "EUR", "status": "open",
        }], groups=[group])
        data.load_rows("payments", [{
            "payment_id": payment, "invoice_number": invoice, "paid_on": "2026-02-01", "amount": "1000",
            "currency": "EUR",
        }], groups=[group])


def _forbidden(group: str) -> tuple[str, ...]:
    other = "hr" if group == "finance" else "finance"
    return (FINANCE_SECRETS if other == "finance" else HR_SECRETS) + ACCOUNT_SECRETS[other]


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in ("at", "created_at", "updated_at")}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def _assert_clean(payload: dict, group: str, own_words: str = "") -> None:
    """No content of the other group in the payload, leaving out the caller's own question words (and timestamps,
    whose digits can read like a secret amount: 16:48:03.150346 holds "3.15")."""
    content = {key: value for key, value in payload.items() if key not in ("question", "query", "title")}
    text = json.dumps(_without_timestamps(content), ensure_ascii=False)
    for secret in _forbidden(group):
        if secret.lower() in own_words.lower():
            continue  # the caller typed it: echoing their own words back reveals nothing
        assert secret not in text, f"{group} sees {secret!r} in {text[:400]}"


def _documents(library) -> dict[str, int]:
    ids = {}
    for text, title, groups in (
        (FINANCE_DOC, "Project Kestrel acquisition memo", ["finance"]),
        (HR_DOC, "Executive pay bands", ["hr"]),
        (PUBLIC_DOC, "Office guide", None),
    ):
        ids[title] = library.add_text(text, title=title, format="markdown", groups=groups).document.id
    return ids


@pytest.fixture
def world(library):
    ids = _documents(library)
    _load_accounts(library.store)
    assistant = Assistant(library)
    visible = {
        "finance": {ids["Project Kestrel acquisition memo"], ids["Office guide"]},
        "hr": {ids["Executive pay bands"], ids["Office guide"]},
    }
    return SimpleNamespace(assistant=assistant, visible=visible, ids=ids)


@pytest.mark.parametrize("group", ["finance", "hr"])
def test_answers_citations_retrieval_and_tools_stay_within_the_callers_groups(world, group):
    user = f"{group}-user"
    for index, question in enumerate(QUESTIONS):
        answer = world.assistant.ask(question, groups=[group], user=user)
        assert {c.document.id for c in answer.citations if c.document} <= world.visible[group]
        assert {page.document.id for page in answer.retrieved} <= world.visible[group]
        _assert_clean(answer.to_dict(), group, question)
        for follow_up in (FOLLOW_UPS[index % len(FOLLOW_UPS)], FOLLOW_UPS[(index + 1) % len(FOLLOW_UPS)]):
            follow = world.assistant.ask(follow_up, groups=[group], user=user, conversation=answer.conversation_id)
            assert {c.document.id for c in follow.citations if c.document} <= world.visible[group]
            _assert_clean(follow.to_dict(), group, question + " " + follow_up)
    for summary in world.assistant.log.list(user):
        record = world.assistant.log.get(summary.id, user, [group])
        words = " ".join(exchange.question for exchange in record.exchanges)
        _assert_clean(record.to_dict(), group, words)


def test_each_side_does_get_its_own_answers(world):
    finance = world.assistant.ask("What price was approved for the acquisition?", groups=["finance"], log=False)
    assert "EUR 73.4 million" in finance.answer
    hr = world.assistant.ask("What is the salary band of the chief financial officer?", groups=["hr"], log=False)
    assert "EUR 310,000" in hr.answer
    refused = world.assistant.ask("What price was approved for the acquisition?", groups=["hr"], log=False)
    assert refused.refused


def test_follow_ups_cannot_borrow_another_users_conversation(world):
    finance = world.assistant.ask("What price was approved for the acquisition?", groups=["finance"], user="fin")
    with pytest.raises(NotFoundError):
        world.assistant.ask("and the financing?", groups=["hr"], user="hr-user", conversation=finance.conversation_id)
    with pytest.raises(NotFoundError):
        world.assistant.log.get(finance.conversation_id, "hr-user", ["hr"])
    # The same user who lost the finance group sees the old answer withheld.
    record = world.assistant.log.get(finance.conversation_id, "fin", ["hr"])
    _assert_clean(record.to_dict(), "hr", record.exchanges[0].question)


def test_account_tools_return_only_the_callers_rows(world):
    pytest.importorskip("argentier.assistant.tools")
    finance = world.assistant.ask("What is the balance of Kestrel Holdings?", groups=["finance"], log=False)
    assert finance.method == "tool" and "Kestrel Holdings" in finance.answer
    hr = world.assistant.ask("What is the balance of Kestrel Holdings?", groups=["hr"], log=False)
    assert "84,000" not in json.dumps(hr.to_dict()) and "C-7001" not in json.dumps(hr.to_dict())


class _LeakyModel(JSONHandler):
    """A model that tries to quote the finance memo whatever it is shown."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        content = json.dumps({"answer": "EUR 73.4 million", "claims": [
            {"text": "The board approved EUR 73.4 million for Kestrel Robotics.",
             "quotes": [{"passage": 1, "text": "acquisition of Kestrel Robotics for EUR 73.4 million"}]},
        ]})
        self.reply(200, {"id": "1", "object": "chat.completion", "model": "leaky",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                         "usage": {"prompt_tokens": 10, "completion_tokens": 10}})


def test_a_model_cannot_bring_in_content_the_caller_may_not_read(world):
    server = ScriptedServer(_LeakyModel)
    with serving(server):
        provider = OpenAICompatibleProvider(base_url=server.base_url, model="leaky", timeout_s=5.0)
        world.assistant.llm = LLMClient(provider, max_retries=0, backoff_s=0.0)
        answer = world.assistant.ask("When is the head office open?", groups=["hr"], log=False)
    assert answer.refused and answer.citations == ()
    _assert_clean(answer.to_dict(), "hr")


FAST = ScryptParams(n=2**10, r=8, p=1)


def test_the_rest_endpoint_keeps_the_same_boundaries(database_url, tmp_path, embedder):
    settings = Settings(home=tmp_path / "home", database_url=database_url, api={"job_workers": 1})
    app = create_app(settings, embedder=embedder)
    services = app.state.services
    _documents(services.library)
    _load_accounts(services.store)
    headers = {}
    for name, group in (("fiona", "finance"), ("harry", "hr")):
        create_user(services.store, name, f"{name}-long-password", role="viewer", groups=[group], params=FAST)
        headers[group] = {"Authorization": f"Bearer {create_token(services.store, name).token}"}
    with TestClient(app) as client:
        for group in ("finance", "hr"):
            for question in QUESTIONS[:8]:
                reply = client.post("/assistant/ask", json={"question": question}, headers=headers[group])
                assert reply.status_code == 200, reply.text
                _assert_clean(reply.json(), group, question)
                follow = client.post(
                    "/assistant/ask",
                    json={"question": "and the financing?", "conversation_id": reply.json()["conversation_id"]},
                    headers=headers[group],
                )
                _assert_clean(follow.json(), group, question + " and the financing?")
            for summary in client.get("/assistant/conversations", headers=headers[group]).json():
                record = client.get(f"/assistant/conversations/{summary['id']}", headers=headers[group]).json()
                words = " ".join(exchange["question"] for exchange in record["exchanges"])
                _assert_clean(record, group, words)
        finance_answer = client.post(
            "/assistant/ask", json={"question": "What price was approved for the acquisition?"},
            headers=headers["finance"],
        ).json()
        assert "73.4" in finance_answer["answer"]
        stolen = client.get(f"/assistant/conversations/{finance_answer['conversation_id']}", headers=headers["hr"])
        assert stolen.status_code == 404 and "73.4" not in stolen.text
