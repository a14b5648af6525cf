"""Pydantic models at the API boundary; responses are built from the domain results' ``to_dict()``."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next_offset`` is null on the last page."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None
    total: int | None = Field(None, description="Number of items in all pages, when known cheaply.")


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DocumentOut(_Out):
    id: int
    title: str
    path: str | None
    collection: str
    format: str
    groups: list[str]
    meta: dict[str, Any]
    pages: int | None
    chunks: int
    content_hash: str
    created_at: str
    updated_at: str


class DocumentDetail(DocumentOut):
    text: str


class AddOutcomeOut(_Out):
    source: str
    status: str
    document: DocumentOut | None
    error: str | None


class SearchHitOut(_Out):
    document: dict[str, Any]
    collection: str
    page: int | None
    section: str | None
    start: int
    end: int
    text: str
    score: float
    ranks: dict[str, int | None]


class FindingOut(_Out):
    id: int
    kind: str
    subject: dict[str, str]
    document_id: int | None
    source_document_id: int | None
    payload: dict[str, Any]
    current_payload: dict[str, Any]
    evidence: list[dict[str, Any]]
    producer: dict[str, Any]
    confidence: float | None
    created_at: str
    status: str
    latest_verdict: dict[str, Any] | None


class ApproveIn(BaseModel):
    reason: str | None = Field(None, max_length=2000)


class EditIn(BaseModel):
    payload: dict[str, Any]
    reason: str | None = Field(None, max_length=2000)


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class SourceIn(BaseModel):
    url: str = Field(pattern=r"^https?://", max_length=2000, description="An http(s) feed or page.")
    jurisdiction: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2 code, or EU.")
    language: str | None = Field(None, max_length=20)
    kind: Literal["feed", "page"] | None = Field(None, description="Sniffed on the first fetch when omitted.")


class UpdateIn(BaseModel):
    """A notice added by hand: an http(s) ``url`` to fetch, or its ``text`` with a ``title``."""

    url: str | None = Field(None, pattern=r"^https?://", max_length=2000)
    text: str | None = Field(None, min_length=1, max_length=2_000_000)
    title: str | None = Field(None, min_length=1, max_length=1000)
    jurisdiction: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2 code, or EU.")
    language: str | None = Field(None, max_length=20)

    @model_validator(mode="after")
    def _one_source(self) -> UpdateIn:
        if (self.url is None) == (self.text is None):
            raise ValueError("give either url or text")
        if self.text is not None and self.title is None:
            raise ValueError("a notice given as text needs a title")
        return self


class SourceOut(_Out):
    id: int
    url: str
    kind: str | None
    jurisdiction: str
    language: str | None
    last_fetched_at: str | None
    last_status: str | None
    last_error: str | None


class UpdateOut(_Out):
    id: int
    document_id: int
    source_id: int | None
    url: str | None
    title: str
    jurisdiction: str
    language: str | None
    published_at: str | None
    retrieved_at: str | None
    content_hash: str
    version: int
    previous_id: int | None
    group_id: int | None


class UpdateOutcomeOut(_Out):
    source: str
    status: Literal["added", "duplicate"]
    update: UpdateOut
    analysed: int = Field(description="Updates whose title, summary and impact were sent to review.")


class JobOut(_Out):
    id: str
    kind: str
    owner: str
    status: Literal["queued", "running", "succeeded", "failed"]
    done: int
    total: int | None
    message: str
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    token_name: str = Field("login", max_length=200)
    expires_in_days: float | None = Field(30.0, gt=0, description="Null for a token that does not expire.")


class TokenIn(BaseModel):
    name: str = Field("api", min_length=1, max_length=200)
    username: str | None = Field(None, description="Issue for another user (admins only).")
    expires_in_days: float | None = Field(None, gt=0)


class TokenOut(_Out):
    id: int
    username: str
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret: shown once, store it now.")


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=12, max_length=1000)
    role: Literal["viewer", "analyst", "admin"] = "viewer"
    groups: list[str] = Field(default_factory=list)


class UserOut(_Out):
    id: int
    username: str
    role: str
    groups: list[str]
