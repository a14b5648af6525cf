"""How good are fraud scores: AUC, average precision, card precision@k per day, recall at an FPR, thresholds.

Card precision@k follows the Fraud Detection Handbook (chapter 4.2): each day, a card's score is its highest
transaction score; of the ``k`` highest cards, the share with at least one fraud that day. Cards found
compromised in the top ``k`` of an earlier day are left out of later days, as investigators would have blocked
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def ranking_metrics(labels: Any, scores: Any) -> dict[str, float | None]:
    """AUC ROC and average precision (``None`` when only one class is present).

    >>> ranking_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    {'auc': 0.75, 'average_precision': 0.8333333333333333}
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    y, s = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    if len(y) == 0 or y.min() == y.max():
        return {"auc": None, "average_precision": None}
    return {"auc": float(roc_auc_score(y, s)), "average_precision": float(average_precision_score(y, s))}


def recall_at_fpr(labels: Any, scores: Any, fpr: float) -> float | None:
    """The share of frauds caught at the lowest threshold whose false-positive rate stays within ``fpr``.

    >>> recall_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.25)
    1.0
    """
    from sklearn.metrics import roc_curve

    y, s = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    if len(y) == 0 or y.min() == y.max():
        return None
    false_rate, true_rate, _ = roc_curve(y, s)
    return float(true_rate[false_rate <= fpr + 1e-12].max())


def card_precision_at_k(frame: pd.DataFrame, k: int = 100, *, remove_detected: bool = True) -> list[float]:
    """Card precision@k for each day of ``frame`` (columns ``timestamp, customer_id, is_fraud, score``).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01"] * 3 + ["2024-01-02"] * 2),
    ...                       "customer_id": ["a", "b", "c", "a", "b"], "is_fraud": [1, 0, 0, 1, 1],
    ...                       "score": [900, 10, 500, 950, 20]})
    >>> card_precision_at_k(frame, k=1)
    [1.0, 1.0]
    """
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    detected: set = set()
    precisions = []
    days = frame.timestamp.dt.floor("D")
    for _, day in frame.groupby(days, sort=True):
        day = day[~day.customer_id.isin(detected)]
        cards = day.groupby("customer_id").agg(score=("score", "max"), fraud=("is_fraud", "max"))
        top = cards.sort_values("score", ascending=False, kind="stable").head(k)
        caught = top.index[top.fraud == 1]
        precisions.append(len(caught) / k)
        if remove_detected:
            detected.update(caught)
    return precisions


@dataclass(frozen=True)
class Evaluation:
    """Quality of scores against known labels over a period."""

    transactions: int
    frauds: int
    days: int
    auc: float | None
    average_precision: float | None
    card_precision_at_100: float | None
    card_precision_per_day: tuple[float, ...]
    recall_at_1pct_fpr: float | None
    recall_at_5pct_fpr: float | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "card_precision_per_day": list(self.card_precision_per_day)}


def evaluate(frame: pd.DataFrame, k: int = 100) -> Evaluation:
    """All the metrics of :class:`Evaluation` for a frame with ``timestamp, customer_id, is_fraud, score``.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
    ...                       "customer_id": ["a", "b", "a"], "is_fraud": [1, 0, 0], "score": [800, 100, 50]})
    >>> result = evaluate(frame)
    >>> result.auc, result.days, result.card_precision_at_100
    (1.0, 2, 0.005)
    """
    labelled = frame[frame.is_fraud.notna()]
    if labelled.empty:
        raise InputError("no scored transaction has a known label (is_fraud): nothing to evaluate")
    y, s = labelled.is_fraud.to_numpy(dtype=float), labelled.score.to_numpy(dtype=float)
    per_day = card_precision_at_k(labelled, k)
    return Evaluation(
        transactions=len(labelled),
        frauds=int(y.sum()),
        days=len(per_day),
        **ranking_metrics(y, s),
        card_precision_at_100=float(np.mean(per_day)) if per_day else None,
        card_precision_per_day=tuple(per_day),
        recall_at_1pct_fpr=recall_at_fpr(y, s, 0.01),
        recall_at_5pct_fpr=recall_at_fpr(y, s, 0.05),
    )


@dataclass(frozen=True)
class ThresholdRow:
    """What one threshold gives: transactions with ``score >= threshold`` become alerts."""

    threshold: float
    alerts: int
    alerts_per_day: float
    precision: float | None
    recall: float | None
    false_positive_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold table and the lowest threshold that keeps within the alert budget."""

    rows: tuple[ThresholdRow, ...]
    chosen: ThresholdRow | None
    max_alerts_per_day: float | None
    max_false_positive_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [row.to_dict() for row in self.rows],
            "chosen": self.chosen and self.chosen.to_dict(),
            "max_alerts_per_day": self.max_alerts_per_day,
            "max_false_positive_rate": self.max_false_positive_rate,
        }


def threshold_table(
    frame: pd.DataFrame,
    thresholds: Sequence[float] | None = None,
    *,
    max_alerts_per_day: float | None = None,
    max_false_positive_rate: float | None = None,
) -> ThresholdChoice:
    """Precision, recall and FPR at each threshold, and the lowest threshold within the budget.

    ``frame`` has ``timestamp, is_fraud, score``; ``thresholds`` (the rows shown) default to 0, 50, ..., 1000.
    The budget is met exactly: every distinct score is tried as a threshold, not only the rows shown.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01"] * 4), "is_fraud": [0, 0, 1, 1],
    ...                       "score": [100, 600, 700, 900]})
    >>> choice = threshold_table(frame, [500, 800], max_alerts_per_day=2)
    >>> [(row.threshold, row.alerts, row.precision) for row in choice.rows], choice.chosen.threshold
    ([(500.0, 3, 0.6666666666666666), (800.0, 1, 1.0)], 700.0)
    """
    if max_alerts_per_day is not None and max_alerts_per_day < 0:
        raise InputError("the alert budget per day must be at least 0")
    if max_false_positive_rate is not None and not 0 <= max_false_positive_rate <= 1:
        raise InputError("the false-positive rate cap must be between 0 and 1")
    values = sorted({float(t) for t in (thresholds if thresholds is not None else range(0, 1001, 50))})
    labelled = frame.is_fraud.notna().to_numpy()
    y = frame.is_fraud.to_numpy(dtype=float)
    s = frame.score.to_numpy(dtype=float)
    days = max(frame.timestamp.dt.floor("D").nunique(), 1)
    every = np.sort(s)
    frauds = np.sort(s[labelled & (y == 1)])
    genuine = np.sort(s[labelled & (y == 0)])

    def row(threshold: float) -> ThresholdRow:
        alerts = len(every) - int(np.searchsorted(every, threshold, side="left"))
        caught = len(frauds) - int(np.searchsorted(frauds, threshold, side="left"))
        false = len(genuine) - int(np.searchsorted(genuine, threshold, side="left"))
        return ThresholdRow(
            threshold=threshold,
            alerts=alerts,
            alerts_per_day=alerts / days,
            precision=caught / (caught + false) if caught + false else None,
            recall=caught / len(frauds) if len(frauds) else None,
            false_positive_rate=false / len(genuine) if len(genuine) else None,
        )

    rows = [row(threshold) for threshold in values]
    chosen = None
    if max_alerts_per_day is not None or max_false_positive_rate is not None:
        # Every distinct score is a candidate; they ascend, so the first within budget catches the most.
        for threshold in np.unique(np.concatenate([every, [1000.0]])):
            candidate = row(float(threshold))
            if (max_alerts_per_day is None or candidate.alerts_per_day <= max_alerts_per_day) and (
                max_false_positive_rate is None
                or (candidate.false_positive_rate or 0.0) <= max_false_positive_rate
            ):
                chosen = candidate
                break
    return ThresholdChoice(tuple(rows), chosen, max_alerts_per_day, max_false_positive_rate)
