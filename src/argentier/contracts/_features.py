"""Sparse features of a candidate span: its words and word pairs, its section heading, its kind, length and
place in the document, and for short mentions the words around them ("dated as of ___").

Tokens are hashed into ``N_BUCKETS`` columns (FeatureHasher, MurmurHash3: stable across runs and machines), so
the shipped model needs no vocabulary, only the columns it kept and their weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from argentier.contracts._candidates import Candidate

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["N_BUCKETS", "candidate_tokens", "featurize"]

N_BUCKETS = 2**20
_WORD = re.compile(r"[a-z0-9]+(?:['.\-][a-z0-9]+)*")
_SHORT_KINDS = frozenset({"date", "entity", "alias", "title"})
_MAX_WORDS = 250
_CONTEXT_CHARS = 120


def _shape(text: str) -> str:
    if text.isupper():
        return "upper"
    if text.istitle():
        return "title"
    return "lower" if text.islower() else "mixed"


def candidate_tokens(text: str, candidate: Candidate, doc_length: int) -> list[str]:
    """The feature tokens of one candidate of a document ``text`` of ``doc_length`` characters.

    >>> from argentier.contracts._candidates import Candidate
    >>> candidate_tokens("Governed by Delaware law.", Candidate(0, 25, "sentence", "Governing Law"), 25)[:4]
    ['w:governed', 'w:by', 'w:delaware', 'w:law']
    """
    span = text[candidate.start : candidate.end]
    words = _WORD.findall(span.lower())[:_MAX_WORDS]
    tokens = [f"w:{word}" for word in words]
    tokens += [f"b:{a}_{b}" for a, b in pairwise(words)]
    tokens += [f"h:{word}" for word in _WORD.findall(candidate.heading.lower())[:12]]
    kind = candidate.kind
    n_words = len(words)
    tokens += [
        f"k:{kind}",
        f"len:{kind}:{min(int(math.log2(n_words + 1)), 9)}",
        f"pos:{kind}:{min(int(10 * candidate.start / max(doc_length, 1)), 9)}",
        f"abs:{kind}:{min(int(math.log2(candidate.start / 500 + 1)), 8)}",
    ]
    if kind in _SHORT_KINDS:
        before = _WORD.findall(text[max(0, candidate.start - _CONTEXT_CHARS) : candidate.start].lower())[-6:]
        after = _WORD.findall(text[candidate.end : candidate.end + _CONTEXT_CHARS // 2].lower())[:4]
        tokens += [f"l:{kind}:{word}" for word in before]
        tokens += [f"l1:{kind}:{'_'.join(before[-2:])}", f"r1:{kind}:{'_'.join(after[:2])}"]
        tokens += [f"r:{kind}:{word}" for word in after]
        tokens.append(f"shape:{kind}:{_shape(span)}")
        tokens += [f"{kind}:{word}" for word in words]
    return tokens


def featurize(text: str, candidates: Sequence[Candidate]) -> csr_matrix:
    """The binary, row-normalised hashed feature matrix of ``candidates`` (one row each)."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize

    hasher = FeatureHasher(n_features=N_BUCKETS, input_type="string", alternate_sign=False)
    matrix = hasher.transform(candidate_tokens(text, c, len(text)) for c in candidates)
    matrix.data[:] = 1.0
    return normalize(matrix.tocsr(), copy=False)
