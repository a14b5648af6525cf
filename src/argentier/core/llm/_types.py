"""The value objects of ``argentier.core.llm``: messages in, usage and completions out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]
_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One chat message.

    >>> Message("user", "Which clause sets the payment term?").to_dict()
    {'role': 'user', 'content': 'Which clause sets the payment term?'}
    """

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise ValueError(f"message role must be one of {', '.join(_ROLES)}, not {self.role!r}")
        if not isinstance(self.content, str):
            raise TypeError(f"message content must be a string, not {type(self.content).__name__}")

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Usage:
    """Tokens read and written by the model.

    >>> Usage(120, 30).total_tokens
    150
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens
        )

    def to_dict(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


@dataclass(frozen=True)
class RawCompletion:
    """What a provider's single chat call returns: the text as the model wrote it, and the token counts."""

    text: str
    usage: Usage


@dataclass(frozen=True)
class Completion:
    """The result of :meth:`LLMClient.complete`.

    ``data`` is the validated pydantic object when a schema was asked for, else ``None``. ``usage``,
    ``latency_s`` and ``cost_usd`` cover the whole call, repair included; a cache hit used no tokens, so its
    usage is zero and its cost 0.0 (``None`` when prices are not configured). ``attempts`` counts requests
    sent to the model, retries and the repair included (0 for a cache hit).

    >>> Completion(text="{}", data=None, usage=Usage(10, 2), latency_s=0.5, provider="openai",
    ...            model="gpt-4o-mini", cached=False, cost_usd=None, attempts=1).to_dict()["usage"]
    {'prompt_tokens': 10, 'completion_tokens': 2}
    """

    text: str
    data: Any
    usage: Usage
    latency_s: float
    provider: str
    model: str
    cached: bool
    cost_usd: float | None
    attempts: int
    grounding: Any = None  # a GroundingReport when the call was asked to check its quotes

    def to_dict(self) -> dict[str, Any]:
        data = self.data.model_dump(mode="json") if hasattr(self.data, "model_dump") else self.data
        return {
            "text": self.text,
            "data": data,
            "usage": self.usage.to_dict(),
            "latency_s": self.latency_s,
            "provider": self.provider,
            "model": self.model,
            "cached": self.cached,
            "cost_usd": self.cost_usd,
            "attempts": self.attempts,
            "grounding": self.grounding.to_dict() if self.grounding is not None else None,
        }
