"""Conversations: follow-up rewriting, the append-only audit log, ownership and withheld answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from argentier.assistant import Assistant, rewrite_follow_up
from argentier.assistant.conversation import WITHHELD, is_follow_up
from argentier.core.store import DocumentGroup
from argentier.core.store._assistant_models import AssistantExchange
from argentier.errors import NotFoundError

REPORT = """# Annual figures

## Revenue

Revenue was EUR 412 million in 2019. Revenue was EUR 388 million in 2018.

## Travel

The hotel limit in London is EUR 180 per night. Hotel bookings above the limit are approved by the CFO.
"""


@pytest.mark.parametrize(
    ("question", "previous", "expected"),
    [
        ("and in 2018?", "What was the revenue in 2019?", "What was the revenue in 2018?"),
        ("What about 2017?", "Revenue in 2019 and 2018?", "Revenue in 2017 and 2018?"),
        ("who approves it?", "What is the hotel limit in London?", "who approves it? (hotel limit london)"),
        ("What is the mileage rate for private cars?", "What is the hotel limit?",
         "What is the mileage rate for private cars?"),
        ("and in 2018?", None, "and in 2018?"),
    ],
)
def test_follow_ups_are_rewritten_with_the_previous_question(question, previous, expected):
    assert rewrite_follow_up(question, previous) == expected


def test_standalone_questions_are_not_follow_ups():
    assert is_follow_up("and for Zurich?")
    assert not is_follow_up("Which accounts need a monthly reconciliation?")


@pytest.fixture
def assistant(library):
    library.add_text(REPORT, title="Annual figures", format="markdown", groups=["finance"])
    return Assistant(library, tools=[])


def test_a_conversation_keeps_context_and_logs_every_exchange(assistant):
    first = assistant.ask("What was the revenue in 2019?", groups=["finance"], user="ana")
    assert "412" in first.answer and first.conversation_id is not None and first.exchange_id is not None
    follow = assistant.ask("and in 2018?", groups=["finance"], user="ana", conversation=first.conversation_id)
    assert follow.query == "What was the revenue in 2018?" and "388" in follow.answer
    assert follow.conversation_id == first.conversation_id

    record = assistant.log.get(first.conversation_id, "ana", ["finance"])
    assert [e.question for e in record.exchanges] == ["What was the revenue in 2019?", "and in 2018?"]
    assert [e.ordinal for e in record.exchanges] == [1, 2]
    second = record.exchanges[1]
    assert second.groups == ("finance",) and second.user == "ana" and not second.refused
    assert second.answer == follow.answer and second.citations[0]["quote"] == follow.citations[0].quote
    assert [c.id for c in assistant.log.list("ana")] == [first.conversation_id]
    assert assistant.log.list("bob") == []


def test_another_users_conversation_is_not_found(assistant):
    first = assistant.ask("What was the revenue in 2019?", groups=["finance"], user="ana")
    with pytest.raises(NotFoundError):
        assistant.ask("and in 2018?", groups=["finance"], user="bob", conversation=first.conversation_id)
    with pytest.raises(NotFoundError):
        assistant.log.get(first.conversation_id, "bob", ["finance"])


def test_the_exchange_log_is_append_only(assistant, store):
    assistant.ask("What was the revenue in 2019?", groups=["finance"], user="ana")
    with pytest.raises(DBAPIError):
        with assistant.library.store.session() as session:
            session.execute(update(AssistantExchange).values(answer="rewritten"))
    with pytest.raises(DBAPIError):
        with assistant.library.store.session() as session:
            session.execute(text("DELETE FROM assistant_exchanges"))
    with assistant.library.store.session() as session:
        assert session.scalar(select(AssistantExchange.answer)) != "rewritten"


def test_answers_citing_documents_the_reader_lost_are_withheld(assistant):
    first = assistant.ask("What is the hotel limit in London?", groups=["finance"], user="ana")
    assert "EUR 180" in first.answer
    with assistant.library.store.session() as session:
        session.execute(update(DocumentGroup).values(group_name="board"))
    record = assistant.log.get(first.conversation_id, "ana", ["finance"])
    exchange = record.exchanges[0]
    assert exchange.withheld and exchange.answer == WITHHELD and exchange.citations == ()
    # Nothing of the answer anywhere in the record; timestamps are left out (their microseconds may read "180").
    assert "180" not in str(_without_timestamps(record.to_dict()))
    # The local administrator (no group restriction) still sees the audit record.
    assert assistant.log.get(first.conversation_id, "ana", None).exchanges[0].answer == first.answer


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in ("at", "created_at", "updated_at")}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value
