"""What every LLM provider promises, and the ``none`` provider."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from argentier.core.llm._types import Message, RawCompletion
from argentier.errors import ProviderUnavailable


@runtime_checkable
class LLMProvider(Protocol):
    """One raw chat call to one model; retries, caching, validation and records are :class:`LLMClient`'s.

    ``name`` is the provider kind (``"openai"``, ``"bedrock"``, ``"llamacpp"``, ``"none"``) and ``model`` the
    model it calls. :meth:`chat` raises :class:`~argentier.errors.TransientProviderError` for failures worth
    retrying (timeouts, lost connections, 429, 5xx, throttling) and :class:`~argentier.errors.ProviderError`
    for the rest, each with a one-line message naming the endpoint or model and the cause.

    >>> isinstance(NoLLM(), LLMProvider)
    True
    """

    name: str
    model: str

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
    ) -> RawCompletion:
        """Send ``messages`` once; with ``json_schema``, ask for a JSON object that follows it."""
        ...


class NoLLM:
    """The ``none`` provider: every call raises :class:`~argentier.errors.ProviderUnavailable`, so callers
    take their deterministic path.

    >>> try:
    ...     NoLLM().chat([Message("user", "hi")])
    ... except ProviderUnavailable as error:
    ...     print(error)
    no LLM is configured (llm.provider = "none"): use the deterministic path
    """

    name = "none"
    model = "none"

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
    ) -> RawCompletion:
        raise ProviderUnavailable('no LLM is configured (llm.provider = "none"): use the deterministic path')

    def __repr__(self) -> str:
        return "NoLLM()"


def schema_outline(json_schema: Mapping[str, Any]) -> str:
    """A compact outline of a JSON schema, easier for a model to follow than the schema itself: references
    resolved, enums spelt out, optional keys marked with ``?``.

    >>> from argentier.core.llm import Quote, label_choice_model
    >>> print(schema_outline(label_choice_model(["fees", "tax"]).model_json_schema()))
    {"label": "fees" | "tax", "quote": string}
    >>> print(schema_outline({"type": "array", "items": {"$ref": "#/$defs/Quote"},
    ...                       "$defs": {"Quote": Quote.model_json_schema()}}))
    [{"passage": integer, "text": string}, ...]
    """
    definitions = {**json_schema.get("$defs", {}), **json_schema.get("definitions", {})}

    def outline(node: Mapping[str, Any], depth: int) -> str:
        if depth > 20:  # a recursive schema: stop unfolding it
            return "..."
        if "$ref" in node:
            return outline(definitions.get(str(node["$ref"]).rsplit("/", 1)[-1], {}), depth + 1)
        if "const" in node:
            return json.dumps(node["const"], ensure_ascii=False)
        if "enum" in node:
            return " | ".join(json.dumps(value, ensure_ascii=False) for value in node["enum"])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                return " | ".join(outline(option, depth + 1) for option in node[key])
        kind = node.get("type")
        if isinstance(kind, list):
            return " | ".join(outline({**node, "type": option}, depth + 1) for option in kind)
        if kind == "object" or "properties" in node:
            required = set(node.get("required", ()))
            fields = (
                f"{json.dumps(name)}{'' if name in required else '?'}: {outline(value, depth + 1)}"
                for name, value in node.get("properties", {}).items()
            )
            return "{" + ", ".join(fields) + "}"
        if kind == "array":
            return f"[{outline(node.get('items', {}), depth + 1)}, ...]"
        return {"boolean": "true | false"}.get(str(kind), str(kind) if kind else "any")

    return outline(json_schema, 0)


def with_schema_instruction(messages: Sequence[Message], json_schema: Mapping[str, Any]) -> list[Message]:
    """``messages`` with the shape of the expected JSON spelt out in the system message, for endpoints that
    cannot take the schema as a request parameter (JSON mode without a schema, Bedrock's Converse API).

    >>> with_schema_instruction([Message("user", "Pick one.")], {"type": "object"})[0]
    Message(role='system', content='Reply with a single JSON object of this shape, and nothing else: {}')
    """
    instruction = (
        f"Reply with a single JSON object of this shape, and nothing else: {schema_outline(json_schema)}"
    )
    messages = list(messages)
    if messages and messages[0].role == "system":
        return [Message("system", f"{messages[0].content}\n\n{instruction}"), *messages[1:]]
    return [Message("system", instruction), *messages]
