"""Chat completions from Amazon Bedrock's Converse API (boto3, an optional extra)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from argentier.core._http import one_line
from argentier.core.llm._base import with_schema_instruction
from argentier.core.llm._types import Message, RawCompletion, Usage
from argentier.errors import ProviderError, TransientProviderError

# Error codes Bedrock documents as passing conditions; anything else (a bad request, no access, an unknown
# model) fails the same way on every try.
_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class BedrockProvider:
    """One call to ``bedrock-runtime`` ``converse`` for ``model`` (a model or inference-profile id).

    System messages go to ``system``, the others to ``messages``; with a JSON schema the schema is spelt out
    in the system prompt (Converse has no JSON mode that every model supports) and the answer is validated
    by :class:`LLMClient`. Credentials come from boto3's usual chain (environment, profile, instance role).
    botocore's own retries are turned off because :class:`LLMClient` retries, with a budget of its own.
    ``client`` lets a caller pass a ready ``bedrock-runtime`` client (e.g. with ``botocore.stub.Stubber``).

    >>> import boto3
    >>> provider = BedrockProvider(model="anthropic.claude-3-haiku-20240307-v1:0",
    ...                            client=boto3.client("bedrock-runtime", region_name="us-east-1"))
    >>> provider.name, provider.region
    ('bedrock', 'us-east-1')
    """

    name = "bedrock"

    def __init__(
        self, *, model: str, region: str | None = None, timeout_s: float = 60.0, client: Any = None
    ) -> None:
        if not model or not model.strip():
            raise ProviderError("provider 'bedrock' needs llm.model (a Bedrock model id)")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {timeout_s}")
        self.model = model
        self.timeout_s = timeout_s
        self._client = client
        self._region = region
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BedrockProvider(model={self.model!r}, region={self.region!r})"

    @property
    def region(self) -> str | None:
        """The AWS region of the client (as configured, or boto3's default once the client exists)."""
        if self._client is not None:
            return self._client.meta.region_name
        return self._region

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
    ) -> RawCompletion:
        """Send ``messages`` once and return the answer's text and token counts."""
        if json_schema is not None:
            messages = with_schema_instruction(messages, json_schema)
        request: dict[str, Any] = {
            "modelId": self.model,
            "messages": [
                {"role": message.role, "content": [{"text": message.content}]}
                for message in messages
                if message.role != "system"
            ],
            "inferenceConfig": {"temperature": temperature, "maxTokens": max_tokens},
        }
        system = [{"text": message.content} for message in messages if message.role == "system"]
        if system:
            request["system"] = system
        client = self._bedrock()
        from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError

        where = f"Bedrock converse (model {self.model}, region {self.region})"
        try:
            response = client.converse(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "Unknown")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            message = one_line(f"{where} failed: {code}: {error.get('Message', '')}")
            if code in _TRANSIENT_CODES or status == 429 or status >= 500:
                raise TransientProviderError(message) from None
            raise ProviderError(message) from None
        except (BotoConnectionError, HTTPClientError) as exc:  # timeouts, refused and dropped connections
            raise TransientProviderError(one_line(f"{where} failed: {exc}")) from None
        except BotoCoreError as exc:  # no credentials, a bad parameter: the same on every try
            raise ProviderError(one_line(f"{where} failed: {exc}")) from None
        return self._parse(response, where)

    def _bedrock(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    import boto3
                    from botocore.config import Config
                except ImportError:
                    raise ProviderError(
                        "provider 'bedrock' needs boto3: pip install 'argentier[bedrock]'"
                    ) from None
                config = Config(
                    connect_timeout=min(self.timeout_s, 10.0),
                    read_timeout=self.timeout_s,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                )
                self._client = boto3.client("bedrock-runtime", region_name=self._region, config=config)
            return self._client

    @staticmethod
    def _parse(response: Mapping[str, Any], where: str) -> RawCompletion:
        try:
            blocks = response["output"]["message"]["content"]
            text = "".join(block["text"] for block in blocks if "text" in block)
            usage = response.get("usage", {})
            tokens = Usage(int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"{where} returned an unusable answer: missing {exc}") from None
        return RawCompletion(text=text, usage=tokens)
