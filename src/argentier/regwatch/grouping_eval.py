"""Measuring a grouping: pairwise precision / recall / F1, purity, and the labelled fixture of related updates.

The fixture (``data/grouping_pairs.json``) was written by hand for this project (see its ``description``).
Parameters are chosen by grouped k-fold cross-validation (:func:`group_folds`): whole groups are held out, so a
change and its re-reports are never split between tuning and testing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from argentier.errors import InputError

FIXTURE = Path(__file__).with_name("data") / "grouping_pairs.json"


# -- metrics ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairwiseScores:
    """Pairwise precision, recall and F1 over all unordered pairs of items (see :func:`pairwise_scores`)."""

    precision: float
    recall: float
    f1: float


def _pairs(groups: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for group in groups:
        items = sorted(set(group))
        pairs.update(frozenset((a, b)) for i, a in enumerate(items) for b in items[i + 1 :])
    return pairs


def pairwise_scores(
    pred_groups: Iterable[Iterable[str]], true_groups: Iterable[Iterable[str]]
) -> PairwiseScores:
    """Precision: share of the pairs put together that belong together; recall: share of the pairs that
    belong together that were put together. With no predicted (true) pairs, precision (recall) is 1.0.

    >>> pairwise_scores([["a", "b", "c"], ["d"]], [["a", "b"], ["c", "d"]])
    PairwiseScores(precision=0.3333333333333333, recall=0.5, f1=0.4)
    """
    predicted, truth = _pairs(pred_groups), _pairs(true_groups)
    both = len(predicted & truth)
    precision = both / len(predicted) if predicted else 1.0
    recall = both / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(precision, recall, f1)


def purity(pred_groups: Iterable[Iterable[str]], true_groups: Iterable[Iterable[str]]) -> float:
    """Share of items that fall in the majority true group of their predicted group.

    >>> purity([["a", "b", "c"], ["d"]], [["a", "b"], ["c", "d"]])
    0.75
    """
    label = {item: i for i, group in enumerate(true_groups) for item in group}
    total = majority = 0
    for group in pred_groups:
        counts = Counter(label[item] for item in group)
        total += sum(counts.values())
        majority += max(counts.values(), default=0)
    return majority / total if total else 1.0


def inverse_purity(pred_groups: Iterable[Iterable[str]], true_groups: Iterable[Iterable[str]]) -> float:
    """Purity with the roles swapped: how well each true group is kept in one predicted group.

    >>> inverse_purity([["a", "b", "c"], ["d"]], [["a", "b"], ["c", "d"]])
    0.75
    """
    return purity(true_groups, pred_groups)


# -- the labelled fixture ----------------------------------------------------------------------------------------
def load_grouping_fixture(path: Path | str = FIXTURE) -> list[dict]:
    """The hand-written labelled updates (``id, group, jurisdiction, source_type, language, published, title,
    text``), ``published`` as a :class:`~datetime.date`, in stream order (published date, then id).

    >>> updates = load_grouping_fixture()
    >>> len(updates) >= 80, len({u["group"] for u in updates}) >= 20
    (True, True)
    """

    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))["updates"]
        updates = [{**r, "published": date.fromisoformat(r["published"])} for r in records]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a grouping fixture: {error}", source=str(path)) from error
    return sorted(updates, key=lambda u: (u["published"], u["id"]))


def group_folds(updates: Sequence[Mapping], k: int, seed: int) -> list[tuple[list[Mapping], list[Mapping]]]:
    """``k`` (tuning, held-out) splits by whole groups: the sorted group labels are shuffled with
    ``numpy.random.default_rng(seed)`` and dealt round-robin into ``k`` folds; each fold is held out once.
    Stream order is kept.

    >>> ups = [{"id": str(i), "group": g} for i, g in enumerate("aabbccdde")]
    >>> folds = group_folds(ups, 3, seed=0)
    >>> sorted(len({u["group"] for u in test}) for _, test in folds)
    [1, 2, 2]
    >>> all(not {u["group"] for u in tune} & {u["group"] for u in test} for tune, test in folds)
    True
    """
    labels = sorted({u["group"] for u in updates})
    if not 2 <= k <= len(labels):
        raise ValueError(f"k must be between 2 and the number of groups ({len(labels)}), got {k}")
    order = np.random.default_rng(seed).permutation(len(labels))
    fold_of = {labels[index]: position % k for position, index in enumerate(order)}
    return [
        ([u for u in updates if fold_of[u["group"]] != fold], [u for u in updates if fold_of[u["group"]] == fold])
        for fold in range(k)
    ]


def true_groups(updates: Iterable[Mapping]) -> list[list[str]]:
    """The labelled groups of ``updates`` as lists of ids, for the metrics.

    >>> true_groups([{"id": "1", "group": "a"}, {"id": "2", "group": "b"}, {"id": "3", "group": "a"}])
    [['1', '3'], ['2']]
    """
    groups: dict[str, list[str]] = {}
    for u in updates:
        groups.setdefault(u["group"], []).append(str(u["id"]))
    return list(groups.values())
