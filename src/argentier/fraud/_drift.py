"""Drift of feature and score distributions against the training period (population stability index).

A fitted model keeps, for every feature and for its scores, the decile edges of the training period and the
share of rows in each bin (plus the share missing). :func:`drift_report` bins recent data on the same edges;
PSI = sum((recent - reference) * ln(recent / reference)). The usual reading: under 0.1 stable, 0.1-0.25 some
shift, over 0.25 a real shift worth a retrain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

_EPSILON = 1e-4
SHIFT, MAJOR_SHIFT = 0.1, 0.25


def _distribution(values: np.ndarray, edges: list[float]) -> list[float]:
    missing = np.isnan(values)
    present = values[~missing]
    counts = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1)
    total = max(len(values), 1)
    return [float(missing.sum()) / total, *(float(c) / total for c in counts)]


def _reference(values: np.ndarray) -> dict[str, Any]:
    present = values[~np.isnan(values)]
    edges = sorted(set(np.quantile(present, np.linspace(0.1, 0.9, 9)).tolist())) if len(present) else []
    return {"edges": edges, "shares": _distribution(values, edges)}


def reference_distribution(features: pd.DataFrame, scores: np.ndarray) -> dict[str, Any]:
    """The binned distribution of every feature column and of the scores (stored in a fitted model)."""
    return {
        "features": {name: _reference(features[name].to_numpy(dtype=float)) for name in features.columns},
        "score": _reference(np.asarray(scores, dtype=float)),
    }


def psi(reference: list[float], current: list[float]) -> float:
    """Population stability index between two binned distributions (shares summing to 1).

    >>> psi([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(psi([0.5, 0.5], [0.9, 0.1]), 3)
    0.879
    """
    ref = np.maximum(np.asarray(reference, dtype=float), _EPSILON)
    cur = np.maximum(np.asarray(current, dtype=float), _EPSILON)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


@dataclass(frozen=True)
class DriftItem:
    """PSI of one feature (or of the score) and its reading."""

    name: str
    psi: float
    level: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DriftReport:
    """Score drift and the features sorted by drift, most shifted first."""

    rows: int
    score: DriftItem
    features: tuple[DriftItem, ...]

    @property
    def drifted(self) -> bool:
        """True when the score or any feature shifted beyond :data:`MAJOR_SHIFT`."""
        return self.score.level == "major" or any(item.level == "major" for item in self.features)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "drifted": self.drifted,
            "score": self.score.to_dict(),
            "features": [item.to_dict() for item in self.features],
        }


def _item(name: str, value: float) -> DriftItem:
    level = "major" if value > MAJOR_SHIFT else "shift" if value > SHIFT else "stable"
    return DriftItem(name, round(value, 6), level)


def drift_report(reference: Mapping[str, Any], features: pd.DataFrame, scores: Any) -> DriftReport:
    """Compare recent features and scores with a model's training ``reference``.

    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> before = pd.DataFrame({"amount": rng.normal(50, 10, 5000)})
    >>> ref = reference_distribution(before, rng.uniform(0, 100, 5000))
    >>> after = pd.DataFrame({"amount": rng.normal(80, 10, 5000)})
    >>> report = drift_report(ref, after, rng.uniform(0, 100, 5000))
    >>> report.score.level, report.features[0].level, report.drifted
    ('stable', 'major', True)
    """
    if len(features) == 0:
        raise InputError("no transactions in the period: nothing to compare")
    items = []
    for name, ref in reference["features"].items():
        if name not in features:
            raise InputError(f"feature {name!r} of the reference is missing from the data")
        items.append(
            _item(name, psi(ref["shares"], _distribution(features[name].to_numpy(dtype=float), ref["edges"])))
        )
    items.sort(key=lambda item: -item.psi)
    ref = reference["score"]
    score = _item("score", psi(ref["shares"], _distribution(np.asarray(scores, dtype=float), ref["edges"])))
    return DriftReport(rows=len(features), score=score, features=tuple(items))
