"""``LLMClient``: the one robust way modules call a model (retries, concurrency, cache, JSON, records)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from argentier.core._http import backoff_delay, one_line
from argentier.core.grounding import Claim, GroundingReport, verify_claims
from argentier.core.llm._base import LLMProvider, NoLLM
from argentier.core.llm._prompts import PromptTemplate, load_prompt
from argentier.core.llm._records import CallRecord, read_cache, record_call, write_cache
from argentier.core.llm._types import Completion, Message, Usage
from argentier.errors import ProviderError, ProviderUnavailable, TransientProviderError

if TYPE_CHECKING:
    from argentier.core.store import Store

_FENCED = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)


def extract_json_text(text: str) -> str:
    """The JSON inside a model's answer: the first fenced code block if there is one, else the stripped text.

    >>> extract_json_text('Here it is:\\n```json\\n{"label": "fees"}\\n```')
    '{"label": "fees"}'
    """
    match = _FENCED.search(text)
    return (match.group(1) if match else text).strip()


def describe_validation_error(error: ValidationError) -> str:
    """A one-line account of why an answer does not fit the schema: the first problem and how many more.

    >>> from pydantic import BaseModel
    >>> class Pick(BaseModel):
    ...     label: str
    >>> try:
    ...     Pick.model_validate_json('{"lable": "fees"}')
    ... except ValidationError as error:
    ...     print(describe_validation_error(error))
    label: Field required
    """
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return one_line(f"{where + ': ' if where else ''}{first['msg']}{more}")


def cache_key(
    provider: str,
    model: str,
    messages: Sequence[Message],
    json_schema: Mapping[str, Any] | None,
    temperature: float,
    max_tokens: int,
) -> str:
    """SHA-256 over everything that determines an answer, in a canonical JSON form.

    >>> key = cache_key("openai", "m", [Message("user", "hi")], None, 0, 64)
    >>> key == cache_key("openai", "m", [Message("user", "hi")], None, 0.0, 64), len(key)
    (True, 64)
    """
    canonical = json.dumps(
        [provider, model, [m.to_dict() for m in messages], json_schema, float(temperature), max_tokens],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


PASSAGE_SEPARATOR = "\n\n"


class LLMClient:
    """Chat completions with structured output, made dependable: the client every module uses.

    - **Retries.** Transient failures (timeouts, lost connections, 429, 5xx, Bedrock throttling) are retried
      up to ``max_retries`` times with exponential backoff from ``backoff_s`` and jitter, or after the
      server's ``Retry-After``; other failures raise at once.
    - **Concurrency.** At most ``concurrency`` requests are in flight at once, across threads.
    - **Cache.** With a ``store`` and ``cache``, a validated answer is kept under a hash of the provider,
      model, messages, schema, temperature and max_tokens and returned for an identical call. Calls with a
      temperature above 0 are sampled, so they bypass the cache unless ``cache_nonzero_temperature``.
    - **Structured output.** With a pydantic ``schema`` the answer is parsed (code fences stripped) and
      validated. An invalid answer is sent back once, with the validation error, asking for a corrected
      one (the ``repair_json`` prompt); if that is invalid too, :class:`ProviderError` says why, and the
      caller takes its deterministic path.
    - **Records.** With a ``store``, every exchange with the model (first answer, repair, failure) and
      every cache hit is a row of ``llm_calls``: tokens, latency (time in the provider, without queueing or
      backoff), cost from the per-1,000-token prices (unknown when they are not set), status and error.

    With the ``none`` provider, :meth:`complete` raises :class:`ProviderUnavailable` and records nothing.

    >>> client = LLMClient(NoLLM())
    >>> client.available
    False
    >>> client.cost(Usage(1000, 500)) is None
    True
    >>> LLMClient(NoLLM(), price_per_1k_input=0.15, price_per_1k_output=0.6).cost(Usage(2000, 1000))
    0.9
    """

    def __init__(
        self,
        provider: LLMProvider,
        *,
        store: Store | None = None,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        concurrency: int = 4,
        max_tokens: int = 1024,
        cache: bool = True,
        cache_nonzero_temperature: bool = False,
        price_per_1k_input: float | None = None,
        price_per_1k_output: float | None = None,
    ) -> None:
        if max_retries < 0 or backoff_s < 0 or concurrency < 1 or max_tokens < 1:
            raise ValueError(
                "max_retries >= 0, backoff_s >= 0, concurrency >= 1 and max_tokens >= 1 are required"
            )
        self.provider = provider
        self.store = store
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.concurrency = concurrency
        self.max_tokens = max_tokens
        self.cache = cache
        self.cache_nonzero_temperature = cache_nonzero_temperature
        self.price_per_1k_input = price_per_1k_input
        self.price_per_1k_output = price_per_1k_output
        self._slots = threading.BoundedSemaphore(concurrency)
        self._rng = random.Random()

    def __repr__(self) -> str:
        return f"LLMClient({self.provider!r}, concurrency={self.concurrency}, max_retries={self.max_retries})"

    def __enter__(self) -> LLMClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def available(self) -> bool:
        """Whether a model is configured at all (``False`` for the ``none`` provider)."""
        return not isinstance(self.provider, NoLLM)

    def cost(self, usage: Usage) -> float | None:
        """The price of ``usage`` in US dollars, or ``None`` when either price is not configured."""
        if self.price_per_1k_input is None or self.price_per_1k_output is None:
            return None
        return round(
            usage.prompt_tokens / 1000 * self.price_per_1k_input
            + usage.completion_tokens / 1000 * self.price_per_1k_output,
            10,
        )

    def close(self) -> None:
        """Release the provider's connections, if it holds any."""
        close = getattr(self.provider, "close", None)
        if callable(close):
            close()

    def complete(
        self,
        prompt: PromptTemplate | Sequence[Message],
        *,
        variables: Mapping[str, object] | None = None,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        grounding_passages: Sequence[str] | None = None,
    ) -> Completion:
        """Ask the model once (plus retries and at most one repair) and return the answer.

        ``prompt`` is a template rendered with ``variables``, or ready messages. With ``schema``,
        ``Completion.data`` is an instance of it. With ``grounding_passages`` the answer must have ``claims``
        (as :class:`GroundedAnswer` does): every claim's quotes are looked up in the passages,
        ``Completion.grounding`` holds the report (only grounded claims are in its ``verified``) and the
        grounded share is recorded with the call. Raises :class:`ProviderUnavailable` for the ``none``
        provider and :class:`ProviderError` when the endpoint fails or the answer stays invalid.

        >>> from argentier.core.llm import load_prompt
        >>> LLMClient(NoLLM()).complete(load_prompt("classify_label"), variables={"labels": "a", "text": "b"})
        Traceback (most recent call last):
        argentier.errors.ProviderUnavailable: no LLM is configured (llm.provider = "none"): use the ...
        """
        started = time.perf_counter()
        messages, label = self._messages(prompt, variables)
        if not self.available:
            self.provider.chat(messages)  # raises ProviderUnavailable: nothing to record, no model was asked
        max_tokens = max_tokens or self.max_tokens
        json_schema = schema.model_json_schema() if schema is not None else None
        key = None
        if self.store is not None and self.cache and (temperature == 0 or self.cache_nonzero_temperature):
            key = cache_key(
                self.provider.name, self.provider.model, messages, json_schema, temperature, max_tokens
            )
            cached = self._from_cache(key, schema, label, started, grounding_passages)
            if cached is not None:
                return cached

        exchange = self._exchange(messages, json_schema, temperature, max_tokens, label, repair=False)
        exchanges = [exchange]
        data = None
        if schema is not None:
            data, error = _validate(exchange.text, schema)
            if error is not None:
                self._record(label, exchange, "invalid_json", error)
                follow_up = load_prompt("repair_json").render(error=error)
                repair = [*messages, Message("assistant", exchange.text), *follow_up]
                exchange = self._exchange(repair, json_schema, temperature, max_tokens, label, repair=True)
                exchanges.append(exchange)
                data, error = _validate(exchange.text, schema)
                if error is not None:
                    self._record(label, exchange, "invalid_json", error)
                    raise ProviderError(
                        f"{self.provider.name} model {self.provider.model} returned invalid JSON after one"
                        f" repair: {error}"
                    )
        report = _check_grounding(data, grounding_passages)
        self._record(label, exchange, "ok", None, report)
        usage = sum((item.usage for item in exchanges), Usage())
        if key is not None:
            write_cache(
                self.store,
                key,
                provider=self.provider.name,
                model=self.provider.model,
                text=exchange.text,
                usage=usage,
            )
        return Completion(
            text=exchange.text,
            data=data,
            usage=usage,
            latency_s=time.perf_counter() - started,
            provider=self.provider.name,
            model=self.provider.model,
            cached=False,
            cost_usd=self.cost(usage),
            attempts=sum(item.attempts for item in exchanges),
            grounding=report,
        )

    def _messages(
        self, prompt: PromptTemplate | Sequence[Message], variables: Mapping[str, object] | None
    ) -> tuple[list[Message], PromptTemplate | None]:
        if isinstance(prompt, PromptTemplate):
            return prompt.render(**(variables or {})), prompt
        if variables:
            raise TypeError("variables are only used with a PromptTemplate, not with ready messages")
        if isinstance(prompt, (str, bytes)):
            raise TypeError("complete() takes a PromptTemplate or a list of Message, not a string")
        messages = [
            item if isinstance(item, Message) else Message(item["role"], item["content"]) for item in prompt
        ]
        if not messages:
            raise ValueError("complete() needs at least one message")
        return messages, None

    def _from_cache(
        self,
        key: str,
        schema: type[BaseModel] | None,
        label: PromptTemplate | None,
        started: float,
        grounding_passages: Sequence[str] | None,
    ) -> Completion | None:
        assert self.store is not None
        hit = read_cache(self.store, key)
        if hit is None:
            return None
        text, _ = hit
        data = None
        if schema is not None:
            data, error = _validate(text, schema)
            if error is not None:  # the model class changed its validators since; ask the model afresh
                return None
        latency = time.perf_counter() - started
        report = _check_grounding(data, grounding_passages)
        self._record(label, _Exchange(text, Usage(), 0, latency, repair=False), "cached", None, report)
        return Completion(
            text=text,
            data=data,
            usage=Usage(),
            latency_s=latency,
            provider=self.provider.name,
            model=self.provider.model,
            cached=True,
            cost_usd=self.cost(Usage()),
            attempts=0,
            grounding=report,
        )

    def _exchange(
        self,
        messages: list[Message],
        json_schema: Mapping[str, Any] | None,
        temperature: float,
        max_tokens: int,
        label: PromptTemplate | None,
        *,
        repair: bool,
    ) -> _Exchange:
        """One answer from the model, retrying transient failures; a failure is recorded, then raised."""
        in_provider = 0.0
        attempts = 0
        while True:
            attempts += 1
            try:
                with self._slots:
                    begun = time.perf_counter()
                    try:
                        raw = self.provider.chat(
                            messages, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens
                        )
                    finally:
                        in_provider += time.perf_counter() - begun
                return _Exchange(raw.text, raw.usage, attempts, in_provider, repair)
            except ProviderUnavailable:
                raise
            except TransientProviderError as exc:
                if attempts > self.max_retries:
                    failure = ProviderError(f"{exc} (gave up after {attempts} attempts)")
                    break
                pause = backoff_delay(
                    attempts - 1, self.backoff_s, retry_after=exc.retry_after, jitter=True, rng=self._rng
                )
                time.sleep(pause)
            except ProviderError as exc:
                failure = exc
                break
        self._record(label, _Exchange("", Usage(), attempts, in_provider, repair), "error", str(failure))
        raise failure

    def _record(
        self,
        label: PromptTemplate | None,
        exchange: _Exchange,
        status: str,
        error: str | None,
        grounding: GroundingReport | None = None,
    ) -> None:
        if self.store is None:
            return
        record = CallRecord(
            provider=self.provider.name,
            model=self.provider.model,
            prompt_name=label.name if label else None,
            prompt_version=label.version if label else None,
            status=status,
            repair=exchange.repair,
            attempts=exchange.attempts,
            usage=exchange.usage,
            latency_s=exchange.latency_s,
            cost_usd=self.cost(exchange.usage),
            error=error,
            grounded_share=grounding.grounded_share if grounding is not None else None,
        )
        record_call(self.store, record)


@dataclass(frozen=True)
class _Exchange:
    """One answer (or failure) of the model: text, tokens, requests sent, time spent in the provider."""

    text: str
    usage: Usage
    attempts: int
    latency_s: float
    repair: bool


def _validate(text: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """The answer as a ``schema`` object and no error, or no object and a one-line error."""
    try:
        # strict=False lets raw newlines and tabs inside strings through: small models write them, and
        # refusing them would cost a repair round-trip for nothing.
        data = json.loads(extract_json_text(text), strict=False)
    except ValueError as error:
        return None, one_line(f"Invalid JSON: {error}")
    try:
        return schema.model_validate(data), None
    except ValidationError as error:
        return None, describe_validation_error(error)


def join_passages(passages: Sequence[str]) -> str:
    """The passages as one source text, in order, separated by a blank line (what quotes are checked in).

    >>> join_passages(["Fees rise by 2%.", "Invoices are due in 45 days."])
    'Fees rise by 2%.\\n\\nInvoices are due in 45 days.'
    """
    return PASSAGE_SEPARATOR.join(passages)


def _check_grounding(data: Any, passages: Sequence[str] | None) -> GroundingReport | None:
    """Look up every quote of the answer's claims in the passages (None when no check was asked for)."""
    if passages is None:
        return None
    claims = getattr(data, "claims", None)
    if claims is None:
        raise TypeError("grounding_passages needs a schema whose answers have claims, such as GroundedAnswer")
    return verify_claims(
        join_passages(passages),
        [Claim(claim.text, tuple(quote.text for quote in claim.quotes)) for claim in claims],
    )
