"""LLM providers behind one robust client: chat completion with structured output, and prompt templates.

Modules ask :func:`make_llm_client` for a client and call :meth:`LLMClient.complete` with a prompt template
and a pydantic schema; they get a :class:`Completion` whose ``data`` is a validated object. With the default
provider ``none`` the call raises :class:`ProviderUnavailable` and the module takes its deterministic path;
a :class:`ProviderError` (endpoint down, answer still invalid after one repair) leads to the same path.

>>> from argentier.config import LLMSettings
>>> client = make_llm_client(LLMSettings())
>>> try:
...     client.complete(load_prompt("classify_label"), variables={"labels": "fees, tax", "text": "VAT due"},
...                     schema=label_choice_model(["fees", "tax"]))
... except ProviderUnavailable:
...     print("deterministic path")
deterministic path

Providers: ``openai`` (any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp, LM Studio),
``bedrock`` (boto3, ``pip install 'argentier[bedrock]'``) and ``llamacpp`` (a local GGUF model in-process,
``pip install 'argentier[llm]'``). httpx, boto3 and llama_cpp are imported only when a provider needs them.
"""

from __future__ import annotations

from argentier.core.llm._base import LLMProvider, NoLLM
from argentier.core.llm._bedrock import BedrockProvider
from argentier.core.llm._client import LLMClient, cache_key, extract_json_text, join_passages
from argentier.core.llm._factory import make_llm_client, make_llm_provider
from argentier.core.llm._llamacpp import LlamaCppProvider, default_gguf_path
from argentier.core.llm._openai import OpenAICompatibleProvider, chat_completions_url
from argentier.core.llm._prompts import PromptTemplate, list_prompts, load_prompt, number_passages
from argentier.core.llm._records import LLMUsageStats, llm_usage_stats
from argentier.core.llm._schemas import (
    ExtractedQuote,
    GroundedAnswer,
    GroundedClaim,
    LabelChoice,
    Quote,
    label_choice_model,
)
from argentier.core.llm._server import LocalLLMServer
from argentier.core.llm._types import Completion, Message, RawCompletion, Usage
from argentier.errors import ProviderError, ProviderUnavailable, TransientProviderError

__all__ = [
    "BedrockProvider",
    "Completion",
    "ExtractedQuote",
    "GroundedAnswer",
    "GroundedClaim",
    "LLMClient",
    "LLMProvider",
    "LLMUsageStats",
    "LabelChoice",
    "LlamaCppProvider",
    "LocalLLMServer",
    "Message",
    "NoLLM",
    "OpenAICompatibleProvider",
    "PromptTemplate",
    "ProviderError",
    "ProviderUnavailable",
    "Quote",
    "RawCompletion",
    "TransientProviderError",
    "Usage",
    "cache_key",
    "chat_completions_url",
    "default_gguf_path",
    "extract_json_text",
    "join_passages",
    "label_choice_model",
    "list_prompts",
    "llm_usage_stats",
    "load_prompt",
    "make_llm_client",
    "make_llm_provider",
    "number_passages",
]
