"""The CUAD metric: word-set Jaccard matching, a precision-recall curve over confidence, AUPR, P@80%R, P@90%R.

A predicted span matches a gold span when the Jaccard similarity of their word sets (lower-cased, ``. , ; :``
stripped, ``/`` as a space) is at least 0.5. At each confidence threshold, a gold span is a true positive
when some kept prediction of the same contract and category matches it (otherwise a false negative), and a
kept prediction that matches no gold span is a false positive. This follows the CUAD paper's evaluation
(Hendrycks et al. 2021): recall counts gold spans, precision counts predictions. Precision is interpolated
(the best precision at any recall at least as high), AUPR is the area under that curve from recall 0.

>>> gold = {("c1", "Governing Law"): ["This Agreement is governed by the laws of New York."]}
>>> preds = {("c1", "Governing Law"): [("governed by the laws of New York", 0.9), ("Payment terms", 0.4)]}
>>> score = cuad_score(gold, preds)
>>> score.aupr, score.precision_at_80_recall
(1.0, 1.0)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CuadScore", "cuad_report", "cuad_score", "jaccard", "word_set"]

_STRIP = re.compile(r"[.,;:]")


def word_set(text: str) -> frozenset[str]:
    """The CUAD word set of a span.

    >>> sorted(word_set("Term: 5/1/2019, renewed."))
    ['1', '2019', '5', 'renewed', 'term']
    """
    return frozenset(_STRIP.sub("", text.lower().replace("/", " ")).split())


def jaccard(a: str | frozenset[str], b: str | frozenset[str]) -> float:
    """Jaccard similarity of two spans' word sets (0 when both are empty).

    >>> jaccard("the laws of New York", "laws of the State of New York")
    0.8333333333333334
    """
    set_a = a if isinstance(a, frozenset) else word_set(a)
    set_b = b if isinstance(b, frozenset) else word_set(b)
    union = len(set_a | set_b)
    return len(set_a & set_b) / union if union else 0.0


@dataclass(frozen=True)
class CuadScore:
    """AUPR and precision at 80 % / 90 % recall (0 when that recall is never reached), with the counts."""

    aupr: float
    precision_at_80_recall: float
    precision_at_90_recall: float
    max_recall: float
    n_gold: int
    n_predictions: int
    curve: tuple[tuple[float, float, float], ...] = field(default=(), repr=False)  # (threshold, p, r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "aupr": self.aupr,
            "precision_at_80_recall": self.precision_at_80_recall,
            "precision_at_90_recall": self.precision_at_90_recall,
            "max_recall": self.max_recall,
            "n_gold": self.n_gold,
            "n_predictions": self.n_predictions,
        }


def _events(
    gold: Sequence[str], predictions: Sequence[tuple[str, float]], threshold: float = 0.5
) -> tuple[list[tuple[float, int, int]], int]:
    """For one contract and category: (confidence, new gold matched, is false positive) per prediction.

    A gold span counts as found from the highest confidence among the predictions matching it, so sweeping
    the threshold downwards adds each gold span once.
    """
    gold_sets = [word_set(text) for text in gold]
    best_for_gold = [-1.0] * len(gold_sets)
    events = []
    for text, confidence in predictions:
        words = word_set(text)
        hits = [i for i, g in enumerate(gold_sets) if jaccard(words, g) >= threshold]
        for i in hits:
            best_for_gold[i] = max(best_for_gold[i], confidence)
        events.append((confidence, 0, 0 if hits else 1))
    events.extend((confidence, 1, 0) for confidence in best_for_gold if confidence >= 0)
    return events, len(gold_sets)


def cuad_score(
    gold: Mapping[Any, Sequence[str]], predictions: Mapping[Any, Sequence[tuple[str, float]]]
) -> CuadScore:
    """Micro CUAD score over every key (e.g. ``(contract, category)``) of ``gold`` (example above).

    Predictions for keys absent from ``gold`` count as false positives (a category with no gold span).
    """
    events: list[tuple[float, int, int]] = []
    n_gold = 0
    for key in set(gold) | set(predictions):
        found, count = _events(gold.get(key, ()), predictions.get(key, ()))
        events.extend(found)
        n_gold += count
    n_predictions = sum(len(items) for items in predictions.values())
    if not n_gold or not events:
        return CuadScore(0.0, 0.0, 0.0, 0.0, n_gold, n_predictions)
    array = np.array(events, dtype=float)
    order = np.argsort(-array[:, 0], kind="stable")
    confidence, tp_step, fp_step = array[order].T
    tp, fp = np.cumsum(tp_step), np.cumsum(fp_step)
    # Only thresholds between distinct confidences are reachable.
    last = np.r_[confidence[1:] != confidence[:-1], True]
    confidence, tp, fp = confidence[last], tp[last], fp[last]
    recall = tp / n_gold
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    interpolated = np.maximum.accumulate(precision[::-1])[::-1]
    recalls = np.r_[0.0, recall]
    aupr = float(np.sum(np.diff(recalls) * interpolated))

    def precision_at(target: float) -> float:
        reached = recall >= target - 1e-12
        return float(interpolated[reached].max()) if reached.any() else 0.0

    curve = tuple(zip(confidence.tolist(), interpolated.tolist(), recall.tolist()))
    return CuadScore(
        aupr, precision_at(0.8), precision_at(0.9), float(recall[-1]), n_gold, n_predictions, curve
    )


def cuad_report(
    gold: Mapping[tuple[str, str], Sequence[str]],
    predictions: Mapping[tuple[str, str], Sequence[tuple[str, float]]],
    categories: Iterable[str],
) -> dict[str, CuadScore]:
    """The micro score (key ``"micro"``) and one score per category; keys are ``(contract, category)``.

    >>> report = cuad_report({("c", "Insurance"): ["Seller shall maintain insurance."]},
    ...                      {("c", "Insurance"): [("Seller shall maintain insurance.", 0.7)]}, ["Insurance"])
    >>> report["micro"].aupr, report["Insurance"].n_gold
    (1.0, 1)
    """
    report = {"micro": cuad_score(gold, predictions)}
    for category in categories:
        report[category] = cuad_score(
            {key: value for key, value in gold.items() if key[1] == category},
            {key: value for key, value in predictions.items() if key[1] == category},
        )
    return report
