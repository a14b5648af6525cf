"""Chat completions from any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp's servers,
LM Studio, LiteLLM and gateways that speak the same wire format."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from argentier.core._http import HttpFailure, openai_endpoint_url, post_json
from argentier.core.llm._base import with_schema_instruction
from argentier.core.llm._types import Message, RawCompletion, Usage
from argentier.errors import ProviderError, TransientProviderError

logger = logging.getLogger("argentier.llm")


def chat_completions_url(base_url: str) -> str:
    """The chat-completions URL for a base URL given with or without ``/v1`` (or already complete).

    >>> chat_completions_url("https://api.openai.com/v1")
    'https://api.openai.com/v1/chat/completions'
    >>> chat_completions_url("http://127.0.0.1:11434/")
    'http://127.0.0.1:11434/v1/chat/completions'
    """
    return openai_endpoint_url(base_url, "chat/completions")


def _refused_json_schema(failure: HttpFailure) -> bool:
    """Whether a failed request looks like a server that does not know response_format "json_schema"."""
    # Most servers answer 400; pydantic-validated ones 422; llama-cpp-python 0.3 turns its request validation
    # error into a 500 whose body names the field, which is the only way to tell it from a real server error.
    if failure.status in (400, 422):
        return True
    return failure.status is not None and "response_format" in failure.cause


class OpenAICompatibleProvider:
    """One chat call to ``POST {base_url}/chat/completions`` over httpx.

    With a JSON schema the request carries ``response_format = {"type": "json_schema", ...}``; a server that
    refuses that (HTTP 400 or 422, or an error naming ``response_format``) is asked again at once in JSON
    mode (``{"type": "json_object"}``, with the schema in the system message and in the ``schema`` field
    llama.cpp servers use for grammars), and once that works this provider stays in JSON mode. The API key
    is sent as a bearer token and never appears in messages or logs. One connection pool is shared by all
    threads; :meth:`close` releases it.

    >>> provider = OpenAICompatibleProvider(base_url="http://127.0.0.1:8080/v1", model="smollm2")
    >>> provider.url, provider.json_mode
    ('http://127.0.0.1:8080/v1/chat/completions', 'json_schema')
    """

    name = "openai"

    def __init__(
        self, *, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0
    ) -> None:
        if not base_url or not base_url.strip():
            raise ProviderError("no base_url for the OpenAI-compatible LLM endpoint")
        if not model or not model.strip():
            raise ProviderError(f"no model named for the OpenAI-compatible LLM endpoint {base_url}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {timeout_s}")
        self.url = chat_completions_url(base_url)
        self.model = model
        self.timeout_s = timeout_s
        self._api_key = api_key
        self._json_mode: Literal["json_schema", "json_object"] = "json_schema"
        self._client: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider(url={self.url!r}, model={self.model!r})"

    @property
    def json_mode(self) -> str:
        """``"json_schema"`` until the server has refused it, then ``"json_object"``."""
        return self._json_mode

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
    ) -> RawCompletion:
        """Send ``messages`` once and return the answer's text and token counts."""
        mode = self._json_mode if json_schema is not None else None
        outcome = self._post(self._payload(messages, json_schema, mode, temperature, max_tokens))
        if mode == "json_schema" and isinstance(outcome, HttpFailure) and _refused_json_schema(outcome):
            outcome = self._post(self._payload(messages, json_schema, "json_object", temperature, max_tokens))
            if not isinstance(outcome, HttpFailure):
                # Only a request that worked in JSON mode proves the refusal was about the schema, so only
                # then is the switch remembered; another 400 (a prompt too long, say) changes nothing.
                self._json_mode = "json_object"
                logger.info("%s refused response_format json_schema; using json_object from now on", self.url)
        if isinstance(outcome, HttpFailure):
            message = f"chat request to {self.url} (model {self.model}) failed: {outcome.cause}"
            if outcome.retryable:
                raise TransientProviderError(message, retry_after=outcome.retry_after)
            raise ProviderError(message)
        return self._parse(outcome.content)

    def close(self) -> None:
        """Close the connection pool (a later call opens a new one)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _payload(
        self,
        messages: Sequence[Message],
        json_schema: Mapping[str, Any] | None,
        mode: str | None,
        temperature: float,
        max_tokens: int,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.model, "temperature": temperature, "max_tokens": max_tokens}
        if json_schema is not None and mode == "json_schema":
            name = re.sub(r"[^A-Za-z0-9_-]", "_", str(json_schema.get("title") or "response"))[:64]
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": dict(json_schema)},
            }
        elif json_schema is not None:
            messages = with_schema_instruction(messages, json_schema)
            payload["response_format"] = {"type": "json_object", "schema": dict(json_schema)}
        payload["messages"] = [message.to_dict() for message in messages]
        return payload

    def _post(self, payload: dict[str, Any]) -> Any:
        return post_json(self._http(), self.url, payload, timeout_s=self.timeout_s)

    def _http(self) -> Any:
        import httpx

        with self._lock:
            if self._client is None:
                headers = {"Content-Type": "application/json", "Accept": "application/json"}
                if self._api_key:
                    headers["Authorization"] = f"Bearer {self._api_key}"
                self._client = httpx.Client(timeout=self.timeout_s, headers=headers)
            return self._client

    def _parse(self, body: bytes) -> RawCompletion:
        def bad(reason: str) -> ProviderError:
            return ProviderError(
                f"chat endpoint {self.url} (model {self.model}) returned an unusable answer: {reason}"
            )

        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad(f"invalid JSON ({exc})") from None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise bad("no 'choices' list")
        message = choices[0].get("message")
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str):
            raise bad("the first choice has no message content")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        try:
            tokens = Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
        except (TypeError, ValueError):
            raise bad("token counts in 'usage' are not integers") from None
        return RawCompletion(text=text, usage=tokens)
