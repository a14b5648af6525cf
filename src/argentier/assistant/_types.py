"""The assistant's result types: an answer and the citations that back it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from argentier.core.search import DocumentRef

Method = Literal["tool", "table", "extractive", "llm", "refusal"]

REFUSAL_TEXT = "The documents you can see do not answer this."


@dataclass(frozen=True)
class Highlight:
    """The sentence (or table cell) inside a citation that answers the question: ``text[start:end]``."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from.

    For a document, ``quote == document_text[start:end]`` and ``highlight`` marks the answering sentence (or
    table cell) inside it, with offsets into the same document text. For a tool result, ``document`` is
    ``None`` and ``source`` says which tool and which rows.

    >>> ref = DocumentRef(1, "Expense policy", None)
    >>> Citation(ref, None, "3 Meals", 10, 45, "Meals are capped at EUR 50 per day.").to_dict()["document"]
    {'id': 1, 'title': 'Expense policy', 'path': None}
    """

    document: DocumentRef | None
    page: int | None
    section: str | None
    start: int | None
    end: int | None
    quote: str
    highlight: Highlight | None = None
    score: float | None = None
    source: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "document": (
                {"id": self.document.id, "title": self.document.title, "path": self.document.path}
                if self.document is not None
                else None
            ),
            "page": self.page,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "highlight": self.highlight.to_dict() if self.highlight is not None else None,
        }
        if self.score is not None:
            data["score"] = self.score
        if self.source is not None:
            data["source"] = dict(self.source)
        return data


@dataclass(frozen=True)
class RetrievedPage:
    """One retrieved passage's document and page, in rank order (what recall@k and MRR are computed on)."""

    document: DocumentRef
    page: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": {"id": self.document.id, "title": self.document.title, "path": self.document.path},
            "page": self.page,
        }


@dataclass(frozen=True)
class Answer:
    """The assistant's reply to one question.

    ``method`` says how it was made: ``tool`` (a module's query tool), ``table`` (read and computed from table
    cells, ``arithmetic`` shows how), ``extractive`` (the best supporting sentence), ``llm`` (generated
    statements, each grounded by a verbatim quote) or ``refusal``. ``query`` is the text retrieval used: the
    question itself, or the question rewritten with the conversation's context for a follow-up.
    """

    question: str
    answer: str
    citations: tuple[Citation, ...]
    refused: bool
    method: Method
    confidence: float
    query: str
    arithmetic: str | None = None
    value: float | str | None = None
    note: str | None = None
    model: str | None = None
    retrieved: tuple[RetrievedPage, ...] = ()
    conversation_id: int | None = None
    exchange_id: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``argentier ask --json``: ``answer``, ``citations``, ``refused`` and the rest."""
        return {
            "answer": self.answer,
            "citations": [citation.to_dict() for citation in self.citations],
            "refused": self.refused,
            "method": self.method,
            "confidence": self.confidence,
            "question": self.question,
            "query": self.query,
            "arithmetic": self.arithmetic,
            "value": self.value,
            "note": self.note,
            "model": self.model,
            "retrieved": [page.to_dict() for page in self.retrieved],
            "conversation_id": self.conversation_id,
            "exchange_id": self.exchange_id,
            "details": dict(self.details),
        }
