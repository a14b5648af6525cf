"""Conversations: follow-up questions that keep their context, and the audit log of every exchange.

A follow-up ("and in 2018?", "who approves it?") is rewritten deterministically before retrieval: a
question that only swaps a year or a number takes the previous question with that value replaced; another
short or referring question gets the previous question's key terms added. Only the user's own earlier
questions are carried over, never an earlier answer, so a follow-up cannot bring back content retrieved
under other groups.

>>> rewrite_follow_up("and in 2018?", "What was the revenue in 2019?")
'What was the revenue in 2018?'
>>> rewrite_follow_up("who approves it?", "What is the limit for hotel rooms in Paris?")
'who approves it? (limit hotel rooms paris)'
>>> rewrite_follow_up("What is the meal allowance for domestic travel?", "What is the hotel limit?")
'What is the meal allowance for domestic travel?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import func, select

from argentier.assistant._types import Answer
from argentier.core.search import STOPWORDS
from argentier.core.store import Document, Store
from argentier.core.store._assistant_models import AssistantConversation, AssistantExchange
from argentier.errors import InputError, NotFoundError

__all__ = [
    "ConversationLog",
    "ConversationSummary",
    "ExchangeRecord",
    "is_follow_up",
    "rewrite_follow_up",
]

_NUMBER = re.compile(r"\b(?:19|20)\d\d\b|\b\d+(?:[.,]\d+)?%?")
_WORD = re.compile(r"[^\W_]+")
_OPENERS = ("and ", "what about", "how about", "and what", "also ", "same for", "what if", "or ")
_REFERRING = frozenset({"it", "its", "this", "that", "these", "those", "they", "them", "there", "one", "ones"})
_FILLER = frozenset({"and", "also", "about", "same", "for", "what", "how", "then", "year", "instead"})
WITHHELD = "[withheld: this answer cites documents your groups may not read]"


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the previous one: it opens like a follow-up, refers back, or is too short
    to stand alone (fewer than three content words)."""
    lowered = " ".join(question.lower().split())
    words = _WORD.findall(lowered)
    content = [word for word in words if word not in STOPWORDS and word not in _FILLER]
    return lowered.startswith(_OPENERS) or bool(_REFERRING & set(words)) or len(content) < 3


def rewrite_follow_up(question: str, previous: str | None) -> str:
    """The question to retrieve with: ``question`` itself, or rewritten with ``previous`` (see module doc)."""
    question = " ".join(question.split())
    if not previous or not is_follow_up(question):
        return question
    words = _WORD.findall(question.lower())
    content = [word for word in words if word not in STOPWORDS and word not in _FILLER]
    new_values = _NUMBER.findall(question)
    old_values = _NUMBER.findall(previous)
    if new_values and old_values and all(_NUMBER.fullmatch(word) for word in content):
        rewritten, replacements = previous, iter(new_values)
        for old in old_values:
            value = next(replacements, None)
            if value is None:
                break
            rewritten = rewritten.replace(old, value, 1)
        return rewritten
    carried = [
        word
        for word in dict.fromkeys(_WORD.findall(previous.lower()))
        if word not in STOPWORDS and word not in _FILLER and word not in words and len(word) > 2
    ]
    return f"{question} ({' '.join(carried)})" if carried else question


@dataclass(frozen=True)
class ExchangeRecord:
    """One logged exchange as its asker sees it."""

    id: int
    conversation_id: int
    ordinal: int
    at: datetime
    user: str
    groups: tuple[str, ...] | None
    question: str
    query: str
    answer: str
    citations: tuple[dict[str, Any], ...]
    refused: bool
    method: str
    withheld: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "ordinal": self.ordinal,
            "at": self.at.isoformat(),
            "user": self.user,
            "groups": list(self.groups) if self.groups is not None else None,
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "citations": list(self.citations),
            "refused": self.refused,
            "method": self.method,
            "withheld": self.withheld,
        }


@dataclass(frozen=True)
class ConversationSummary:
    """A conversation's identity and size, with its exchanges when asked for one conversation."""

    id: int
    user: str
    title: str
    collection: str | None
    created_at: datetime
    updated_at: datetime
    n_exchanges: int
    exchanges: tuple[ExchangeRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "title": self.title,
            "collection": self.collection,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "n_exchanges": self.n_exchanges,
            "exchanges": [exchange.to_dict() for exchange in self.exchanges],
        }


class ConversationLog:
    """Conversations and their exchanges in the store; each user sees only their own conversations."""

    def __init__(self, store: Store, *, public_group: str = "public") -> None:
        self.store = store
        self.public_group = public_group

    def start(self, user: str, question: str, *, collection: str | None = None) -> int:
        """A new conversation for ``user``, titled by its first question; returns its id."""
        now = datetime.now(timezone.utc)
        with self.store.session() as session:
            row = AssistantConversation(
                user_name=user, collection=collection, title=" ".join(question.split())[:300] or "(empty)",
                created_at=now, updated_at=now,
            )
            session.add(row)
            session.flush()
            return row.id

    def _owned(self, session, conversation_id: int, user: str) -> AssistantConversation:  # noqa: ANN001
        row = session.get(AssistantConversation, conversation_id)
        # Someone else's conversation is reported as missing, so ids reveal nothing.
        if row is None or row.user_name != user:
            raise NotFoundError(f"no conversation with id {conversation_id}")
        return row

    def last_query(self, conversation_id: int, user: str) -> str | None:
        """The retrieval query of the conversation's latest exchange (a follow-up's context)."""
        with self.store.session() as session:
            self._owned(session, conversation_id, user)
            return session.scalar(
                select(AssistantExchange.query)
                .where(AssistantExchange.conversation_id == conversation_id)
                .order_by(AssistantExchange.ordinal.desc())
                .limit(1)
            )

    def collection_of(self, conversation_id: int, user: str) -> str | None:
        with self.store.session() as session:
            return self._owned(session, conversation_id, user).collection

    def record(self, conversation_id: int, user: str, groups: Iterable[str] | None, answer: Answer) -> int:
        """Append one exchange to the log; returns its id."""
        now = datetime.now(timezone.utc)
        with self.store.session() as session:
            conversation = self._owned(session, conversation_id, user)
            ordinal = (
                session.scalar(
                    select(func.max(AssistantExchange.ordinal)).where(
                        AssistantExchange.conversation_id == conversation_id
                    )
                )
                or 0
            ) + 1
            row = AssistantExchange(
                conversation_id=conversation_id,
                ordinal=ordinal,
                at=now,
                user_name=user,
                groups=sorted(groups) if groups is not None else None,
                question=answer.question,
                query=answer.query,
                answer=answer.answer,
                citations=[citation.to_dict() for citation in answer.citations],
                refused=answer.refused,
                method=answer.method,
                confidence=answer.confidence,
                model=answer.model,
                details={"arithmetic": answer.arithmetic, "note": answer.note, **dict(answer.details)},
            )
            session.add(row)
            conversation.updated_at = now
            session.flush()
            return row.id

    def list(self, user: str, *, limit: int = 50) -> list[ConversationSummary]:
        """``user``'s conversations, latest first."""
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}")
        with self.store.session() as session:
            counts = (
                select(AssistantExchange.conversation_id, func.count().label("n"))
                .group_by(AssistantExchange.conversation_id)
                .subquery()
            )
            rows = session.execute(
                select(AssistantConversation, counts.c.n)
                .outerjoin(counts, counts.c.conversation_id == AssistantConversation.id)
                .where(AssistantConversation.user_name == user)
                .order_by(AssistantConversation.updated_at.desc(), AssistantConversation.id.desc())
                .limit(limit)
            ).all()
            return [_summary(row, n or 0) for row, n in rows]

    def get(self, conversation_id: int, user: str, groups: Iterable[str] | None) -> ConversationSummary:
        """One conversation with its exchanges; an exchange citing a document that ``groups`` may no longer
        read is shown with its answer and citations withheld."""
        with self.store.session() as session:
            row = self._owned(session, conversation_id, user)
            exchanges = session.scalars(
                select(AssistantExchange)
                .where(AssistantExchange.conversation_id == conversation_id)
                .order_by(AssistantExchange.ordinal)
            ).all()
            readable = self._readable(session, exchanges, groups)
            records = tuple(_record(exchange, readable) for exchange in exchanges)
            return _summary(row, len(records), records)

    def _readable(self, session, exchanges, groups: Iterable[str] | None) -> set[int] | None:  # noqa: ANN001
        if groups is None:
            return None
        cited = {
            citation["document"]["id"]
            for exchange in exchanges
            for citation in exchange.citations
            if citation.get("document")
        }
        if not cited:
            return set()
        from argentier.core.search import readable_by

        visible = readable_by(frozenset(groups), self.public_group)
        return set(session.scalars(select(Document.id).where(Document.id.in_(cited), visible)))


def _summary(row: AssistantConversation, n: int, exchanges: tuple[ExchangeRecord, ...] = ()) -> ConversationSummary:
    return ConversationSummary(
        row.id, row.user_name, row.title, row.collection, row.created_at, row.updated_at, n, exchanges
    )


def _record(row: AssistantExchange, readable: set[int] | None) -> ExchangeRecord:
    cited = {citation["document"]["id"] for citation in row.citations if citation.get("document")}
    withheld = readable is not None and not cited <= readable
    return ExchangeRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        ordinal=row.ordinal,
        at=row.at,
        user=row.user_name,
        groups=tuple(row.groups) if row.groups is not None else None,
        question=row.question,
        query=row.query,
        answer=WITHHELD if withheld else row.answer,
        citations=() if withheld else tuple(row.citations),
        refused=row.refused,
        method=row.method,
        withheld=withheld,
    )
