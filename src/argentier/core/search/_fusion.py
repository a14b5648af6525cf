"""Fusing ranked lists of ``(chunk_id, score)``: reciprocal rank fusion or weighted normalised scores."""

from __future__ import annotations

from typing import Sequence

Ranked = Sequence[tuple[int, float]]


def reciprocal_rank_fusion(lists: Sequence[Ranked], *, k: int = 60) -> list[tuple[int, float]]:
    """Sum ``1 / (k + rank)`` over the lists where an item appears (rank starts at 1).

    >>> reciprocal_rank_fusion([[(1, 9.0), (2, 8.0)], [(2, 0.9), (3, 0.8)]], k=60)[0][0]
    2
    """
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, (item, _score) in enumerate(ranked, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def _min_max(ranked: Ranked) -> dict[int, float]:
    if not ranked:
        return {}
    scores = [score for _item, score in ranked]
    low, high = min(scores), max(scores)
    span = high - low
    return {item: (score - low) / span if span > 0 else 1.0 for item, score in ranked}


def weighted_fusion(keyword: Ranked, vector: Ranked, *, keyword_weight: float = 0.5) -> list[tuple[int, float]]:
    """``w * keyword + (1 - w) * vector`` on min-max normalised scores; missing from a list counts as 0.

    >>> weighted_fusion([(1, 10.0), (2, 5.0)], [(2, 0.9), (1, 0.1)], keyword_weight=0.5)[0][0]
    1
    """
    keyword_norm, vector_norm = _min_max(keyword), _min_max(vector)
    fused = {
        item: keyword_weight * keyword_norm.get(item, 0.0) + (1 - keyword_weight) * vector_norm.get(item, 0.0)
        for item in keyword_norm.keys() | vector_norm.keys()
    }
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
