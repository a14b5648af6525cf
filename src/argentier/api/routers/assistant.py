"""`/assistant`: the finance assistant: questions with cited answers, conversations.

Viewers may ask. The caller's groups (from the token) decide what can be retrieved, quoted or summarised;
conversations belong to their user (someone else's is a 404) and answers citing documents the caller can no
longer read are withheld when the log is read back.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from argentier.api._deps import ServicesDep, Viewer
from argentier.assistant import Assistant

router = APIRouter(prefix="/assistant", tags=["assistant"])


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class AskIn(BaseModel):
    """A question, optionally continuing a conversation (follow-ups keep its context)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=2000)
    collection: str | None = Field(default=None, max_length=200)
    conversation_id: int | None = Field(default=None, ge=1)


class DocumentOut(_Out):
    id: int
    title: str
    path: str | None


class CitationOut(_Out):
    document: DocumentOut | None
    page: int | None
    section: str | None
    start: int | None
    end: int | None
    quote: str
    highlight: dict[str, Any] | None
    score: float | None = None
    source: dict[str, Any] | None = None


class AnswerOut(_Out):
    answer: str
    citations: list[CitationOut]
    refused: bool
    method: str
    confidence: float
    question: str
    query: str
    arithmetic: str | None
    value: float | str | None
    note: str | None
    model: str | None
    retrieved: list[dict[str, Any]]
    conversation_id: int | None
    exchange_id: int | None
    details: dict[str, Any]


class ExchangeOut(_Out):
    id: int
    conversation_id: int
    ordinal: int
    at: str
    user: str
    groups: list[str] | None
    question: str
    query: str
    answer: str
    citations: list[dict[str, Any]]
    refused: bool
    method: str
    withheld: bool


class ConversationOut(_Out):
    id: int
    user: str
    title: str
    collection: str | None
    created_at: str
    updated_at: str
    n_exchanges: int
    exchanges: list[ExchangeOut]


def _assistant(services: ServicesDep) -> Assistant:
    """An assistant over the shared library; the LLM client (and its connections) and the cache of sentence
    embeddings are made once per process and shared by every request."""
    from argentier.assistant.answer import SentenceVectors
    from argentier.core.llm import make_llm_client

    llm = services.__dict__.get("_assistant_llm")
    if llm is None:
        llm = services.__dict__.setdefault("_assistant_llm", make_llm_client(services.settings, store=services.store))
    vectors = services.__dict__.setdefault("_assistant_vectors", SentenceVectors())
    return Assistant(services.library, services.settings, llm=llm, vectors=vectors)


@router.post("/ask", response_model=AnswerOut)
def ask(services: ServicesDep, user: Viewer, body: AskIn) -> dict:
    """Answer from the documents (and tools) your groups may read, with citations; logged for audit."""
    answer = _assistant(services).ask(
        body.question,
        groups=user.groups,
        collection=body.collection,
        conversation=body.conversation_id,
        user=user.username,
    )
    return answer.to_dict()


@router.get("/conversations", response_model=list[ConversationOut])
def conversations(
    services: ServicesDep, user: Viewer, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict]:
    """Your conversations, latest first (without their exchanges)."""
    return [row.to_dict() for row in _assistant(services).log.list(user.username, limit=limit)]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def conversation(services: ServicesDep, user: Viewer, conversation_id: int) -> dict:
    """One of your conversations with its exchanges; answers citing documents you cannot read are withheld."""
    return _assistant(services).log.get(conversation_id, user.username, user.groups).to_dict()
