"""The clause model: one linear scorer per CUAD category over hashed candidate features, isotonic-calibrated.

``ClauseModel.fit`` labels every candidate span of the training contracts (a candidate is positive for a
category when its word set has Jaccard >= 0.5 with a gold clause, the CUAD match rule), keeps the hashed
columns seen in at least ``min_df`` candidates, fits an L2 logistic regression per category (SGD, averaged) and calibrates
its scores with isotonic regression on out-of-fold scores (contracts split in ``folds`` groups), so a score of
0.8 means about 80 % of such candidates were right. The model saves to one ``.npz`` of plain arrays (weights
quantised to int8), loaded without pickle.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from argentier.contracts._candidates import Candidate, candidate_spans
from argentier.contracts._categories import CATEGORIES
from argentier.contracts._features import N_BUCKETS, featurize
from argentier.contracts._metric import jaccard, word_set
from argentier.core.documents import ParsedDocument
from argentier.errors import InputError, NotFittedError

__all__ = ["MODEL_FORMAT", "ClauseMatch", "ClauseModel"]

MODEL_FORMAT = "argentier.contracts.clause-model/1"


@dataclass(frozen=True)
class ClauseMatch:
    """A clause found in a document: its CUAD category, exact ``text`` = ``doc.text[start:end]``, score 0-1."""

    category: str
    text: str
    start: int
    end: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }


def _labels(
    doc: ParsedDocument, candidates: Sequence[Candidate], gold: Mapping[str, Sequence[str]]
) -> np.ndarray:
    """Candidate x category 0/1 matrix: the candidate matches a gold clause of the category (Jaccard >= 0.5)."""
    labels = np.zeros((len(candidates), len(CATEGORIES)), dtype=np.int8)
    words = [word_set(doc.text[c.start : c.end]) for c in candidates]
    for column, category in enumerate(CATEGORIES):
        for clause in gold.get(category, ()):
            target = word_set(clause)
            for row, candidate_words in enumerate(words):
                # Jaccard >= 0.5 needs the overlap to be at least half of each set: a cheap filter first.
                if (
                    2 * len(candidate_words & target) >= len(target)
                    and jaccard(candidate_words, target) >= 0.5
                ):
                    labels[row, column] = 1
    return labels


def _suppress(text: str, candidates: Sequence[Candidate], order: np.ndarray, limit: int) -> list[int]:
    """Greedy non-maximum suppression: skip a span that overlaps a kept one and would match the same clause
    (word-set Jaccard >= 0.5), so a sentence and the paragraph around it can both be proposed."""
    kept: list[tuple[int, frozenset[str]]] = []
    for index in order:
        candidate = candidates[index]
        words = word_set(text[candidate.start : candidate.end])
        if any(
            candidate.start < candidates[k].end
            and candidates[k].start < candidate.end
            and jaccard(words, w) >= 0.5
            for k, w in kept
        ):
            continue
        kept.append((int(index), words))
        if len(kept) == limit:
            break
    return [index for index, _ in kept]


class ClauseModel:
    """Find CUAD clauses in a contract as exact, scored quotes.

    >>> from argentier.core.documents import parse_text
    >>> model = ClauseModel.load_default()
    >>> doc = parse_text("This Agreement shall be governed by the laws of the State of New York.")
    >>> [(m.category, m.text[:30]) for m in model.predict(doc, categories=["Governing Law"])]
    [('Governing Law', 'This Agreement shall be govern')]
    """

    def __init__(
        self,
        *,
        alpha: float = 2e-5,
        epochs: int = 10,
        min_df: int = 3,
        folds: int = 2,
        negative_rate: float = 0.15,
        max_per_category: int = 20,
        seed: int = 0,
    ) -> None:
        self.alpha = alpha
        self.epochs = epochs
        self.negative_rate = negative_rate
        self.min_df = min_df
        self.folds = folds
        self.max_per_category = max_per_category
        self.seed = seed

    def fit(
        self,
        documents: Sequence[ParsedDocument],
        gold: Sequence[Mapping[str, Sequence[str]]],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> ClauseModel:
        """Train on contracts and, per contract, ``{category: [gold clause text, ...]}``."""
        from scipy.sparse import vstack
        from sklearn.isotonic import IsotonicRegression
        from sklearn.linear_model import SGDClassifier

        if len(documents) != len(gold) or len(documents) < self.folds:
            raise InputError(f"need as many gold label sets as documents and at least {self.folds} documents")
        say = progress or (lambda message: None)
        matrices, labels, groups = [], [], []
        for number, (doc, clauses) in enumerate(zip(documents, gold)):
            candidates = candidate_spans(doc)
            matrices.append(featurize(doc.text, candidates))
            labels.append(_labels(doc, candidates, clauses))
            groups.append(np.full(len(candidates), number % self.folds))
        say(f"features of {len(documents)} contracts")
        X, Y, fold = vstack(matrices).tocsc(), np.vstack(labels), np.concatenate(groups)
        self.columns_ = np.flatnonzero(np.diff(X.indptr) >= self.min_df).astype(np.int32)
        X = X[:, self.columns_].tocsr()
        # Candidates that are no clause of any category are the bulk and mostly easy: train on a weighted
        # sample of them (the weights keep the calibrated scores unbiased).
        any_clause = Y.any(axis=1)
        rng = np.random.default_rng(self.seed)
        sampled = any_clause | (rng.random(len(Y)) < self.negative_rate)
        sample_weight = np.where(any_clause, 1.0, 1.0 / self.negative_rate)[sampled]
        X, Y, fold = X[sampled], Y[sampled], fold[sampled]
        n_columns = len(self.columns_)
        weights = np.zeros((n_columns, len(CATEGORIES)), dtype=np.float32)
        intercepts = np.zeros(len(CATEGORIES), dtype=np.float32)
        self.calibration_ = []
        for column, category in enumerate(CATEGORIES):
            y = Y[:, column]
            if y.sum() < 2:
                intercepts[column] = -20.0
                self.calibration_.append((np.array([0.0]), np.array([0.0])))
                continue
            out_of_fold = np.zeros(len(y))
            coef, intercept = np.zeros(X.shape[1]), 0.0
            for held_out in range(self.folds):
                train = fold != held_out
                if y[train].sum() == 0:
                    out_of_fold[~train] = -20.0  # no positive to learn from in this fold
                    intercept -= 20.0 / self.folds
                    continue
                scorer = SGDClassifier(
                    loss="log_loss",
                    alpha=self.alpha,
                    max_iter=self.epochs,
                    tol=None,
                    average=True,
                    random_state=self.seed,
                )
                scorer.fit(X[train], y[train], sample_weight=sample_weight[train])
                out_of_fold[~train] = scorer.decision_function(X[~train])
                # The shipped scorer averages the fold models, so every score it gives was calibrated out
                # of fold and no third fit is needed.
                coef += scorer.coef_[0] / self.folds
                intercept += scorer.intercept_[0] / self.folds
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            iso.fit(out_of_fold, y, sample_weight=sample_weight)
            self.calibration_.append(
                (iso.X_thresholds_.astype(np.float32), iso.y_thresholds_.astype(np.float32))
            )
            weights[:, column] = coef
            intercepts[column] = intercept
            say(f"{category}: {int(y.sum())} positive candidates")
        self.scales_ = np.maximum(np.abs(weights).max(axis=0), 1e-9) / 127.0
        self.weights_ = np.round(weights / self.scales_).astype(np.int8)
        self.intercepts_ = intercepts
        self.info_ = {
            "format": MODEL_FORMAT,
            "categories": list(CATEGORIES),
            "n_documents": len(documents),
            "n_candidates": int(X.shape[0]),
            "n_columns": n_columns,
            "alpha": self.alpha,
            "epochs": self.epochs,
            "min_df": self.min_df,
            "folds": self.folds,
            "negative_rate": self.negative_rate,
        }
        return self

    def _check(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("ClauseModel is not fitted: call fit() or ClauseModel.load()")

    def score_candidates(self, doc: ParsedDocument) -> tuple[list[Candidate], np.ndarray]:
        """Every candidate of ``doc`` and its calibrated score per category (candidates x categories)."""
        self._check()
        candidates = candidate_spans(doc)
        if not candidates:
            return [], np.zeros((0, len(CATEGORIES)))
        X = featurize(doc.text, candidates)[:, self.columns_]
        raw = X @ (self.weights_.astype(np.float32) * self.scales_) + self.intercepts_
        scores = np.empty_like(raw)
        for column, (xs, ys) in enumerate(self.calibration_):
            scores[:, column] = np.interp(raw[:, column], xs, ys)
        return candidates, scores

    def predict(
        self, doc: ParsedDocument, *, min_score: float = 0.5, categories: Sequence[str] | None = None
    ) -> list[ClauseMatch]:
        """Clauses of ``doc`` scoring at least ``min_score``, best first within each category (example above)."""
        candidates, scores = self.score_candidates(doc)
        wanted = CATEGORIES if categories is None else categories
        matches = []
        for category in wanted:
            column = CATEGORIES.index(category)
            column_scores = scores[:, column] if len(candidates) else np.zeros(0)
            eligible = np.flatnonzero(column_scores >= min_score)
            order = eligible[np.argsort(-column_scores[eligible], kind="stable")]
            for index in _suppress(doc.text, candidates, order, self.max_per_category):
                c = candidates[index]
                matches.append(
                    ClauseMatch(
                        category, doc.text[c.start : c.end], c.start, c.end, float(column_scores[index])
                    )
                )
        return matches

    def save(self, path: str | Path) -> Path:
        """Write the model as a compressed ``.npz`` of plain arrays (no pickle); returns the path."""
        self._check()
        path = Path(path)
        bounds = np.cumsum([0] + [len(xs) for xs, _ in self.calibration_])
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            info=np.array(json.dumps(self.info_)),
            columns=self.columns_,
            weights=self.weights_,
            scales=self.scales_,
            intercepts=self.intercepts_,
            calibration_bounds=bounds,
            calibration_x=np.concatenate([xs for xs, _ in self.calibration_]),
            calibration_y=np.concatenate([ys for _, ys in self.calibration_]),
        )
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ClauseModel:
        """Read a model written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                info = json.loads(str(data["info"]))
                if info.get("format") != MODEL_FORMAT or info.get("categories") != list(CATEGORIES):
                    raise InputError("not a clause model of this version", source=str(path))
                model = cls(
                    alpha=info["alpha"],
                    epochs=info["epochs"],
                    min_df=info["min_df"],
                    folds=info["folds"],
                    negative_rate=info["negative_rate"],
                )
                model.info_ = info
                model.columns_, model.weights_ = data["columns"], data["weights"]
                model.scales_, model.intercepts_ = data["scales"], data["intercepts"]
                bounds, xs, ys = data["calibration_bounds"], data["calibration_x"], data["calibration_y"]
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"cannot read the clause model: {exc}", source=str(path)) from exc
        model.calibration_ = [(xs[a:b], ys[a:b]) for a, b in pairwise(bounds)]
        if model.columns_.size and int(model.columns_.max()) >= N_BUCKETS:
            raise InputError("clause model columns exceed the feature space", source=str(path))
        return model

    @classmethod
    def load_default(cls) -> ClauseModel:
        """The model shipped with Argentier (trained on CUAD v1, see ``benchmarks/train_clause_model.py``)."""
        return _default_model()


_DEFAULT_PATH = Path(__file__).with_name("models") / "clause_model.npz"
_cache: dict[str, ClauseModel] = {}


def _default_model() -> ClauseModel:
    if "default" not in _cache:
        if not _DEFAULT_PATH.exists():
            raise NotFittedError(f"the shipped clause model is missing: {_DEFAULT_PATH}")
        _cache["default"] = ClauseModel.load(_DEFAULT_PATH)
    return _cache["default"]
