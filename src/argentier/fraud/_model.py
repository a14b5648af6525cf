"""The gradient-boosted fraud model: LightGBM on the behavioural features, time-ordered split, scores 0-1000.

Training holds out the latest ``validation_fraction`` of the training period (by time, never shuffled): it picks
the number of trees (early stopping) and fits a Platt calibration of the margin, so that ``score / 1000`` is an
estimate of the probability of fraud. The final trees are then refitted on the whole period with that number of
trees. A model saves to one JSON file (the LightGBM text model inside, no pickle), so it is safe to load.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.core.files import write_atomic
from argentier.errors import InputError, NotFittedError
from argentier.fraud._features import FeatureConfig

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

FORMAT = "argentier.fraud.model/1"


def write_atomic_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a failure leaves no half file."""
    return write_atomic(path, data)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


class FraudModel:
    """LightGBM classifier with a time-ordered validation split and scores calibrated to 0-1000.

    >>> from argentier.fraud import simulate_transactions, prepare_transactions, compute_features
    >>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    >>> features = compute_features(tx)
    >>> model = FraudModel(n_estimators=40, num_threads=1).fit(features, tx.is_fraud, tx.timestamp)
    >>> scores = model.predict_score(features)
    >>> bool(scores.min() >= 0 and scores.max() <= 1000), model.n_trees_ > 0
    (True, True)
    """

    def __init__(
        self,
        *,
        n_estimators: int = 500,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        max_depth: int = 6,
        min_child_samples: int = 50,
        feature_fraction: float = 0.8,
        validation_fraction: float = 0.2,
        early_stopping_rounds: int = 50,
        seed: int = 0,
        num_threads: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.validation_fraction = validation_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.seed = seed
        self.num_threads = num_threads

    def _params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_seed": self.seed,
            "feature_fraction_seed": self.seed,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }

    def fit(
        self,
        features: pd.DataFrame,
        labels: pd.Series,
        times: pd.Series,
        *,
        feature_config: FeatureConfig | None = None,
        info: Mapping[str, Any] | None = None,
    ) -> FraudModel:
        """Fit on rows with a known label; ``times`` orders the split. ``info`` is kept as training provenance."""
        import lightgbm as lgb

        from argentier.fraud._drift import reference_distribution
        from argentier.fraud._metrics import ranking_metrics

        if not 0.0 < self.validation_fraction < 0.9:
            raise InputError(f"validation_fraction must be in (0, 0.9), got {self.validation_fraction}")
        known = labels.notna().to_numpy()
        x = features.to_numpy(dtype=float)[known]
        y = labels.to_numpy(dtype=float)[known]
        order = np.argsort(times.to_numpy()[known], kind="stable")
        x, y = x[order], y[order]
        cut = int(len(y) * (1 - self.validation_fraction))
        for part, values in (("training", y[:cut]), ("validation", y[cut:])):
            if len(values) == 0 or values.min() == values.max():
                raise InputError(
                    f"the {part} part of the period needs both fraud and genuine labelled transactions"
                    f" ({int(values.sum())} fraud of {len(values)}); widen --from/--to"
                )
        names = list(features.columns)
        params = self._params()
        train = lgb.Dataset(x[:cut], y[:cut], feature_name=names, free_raw_data=False)
        valid = lgb.Dataset(x[cut:], y[cut:], reference=train)
        probe = lgb.train(
            params,
            train,
            num_boost_round=self.n_estimators,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)],
        )
        trees = max(probe.best_iteration or self.n_estimators, 1)
        margin = probe.predict(x[cut:], num_iteration=trees, raw_score=True)
        self.calibration_ = _platt(margin, y[cut:])
        self.validation_metrics_ = ranking_metrics(y[cut:], margin)
        self.booster_ = lgb.train(params, lgb.Dataset(x, y, feature_name=names), num_boost_round=trees)
        self.n_trees_ = trees
        self.feature_names_ = names
        self.feature_config_ = feature_config or FeatureConfig()
        if self.feature_config_.names != names:
            raise InputError("the feature columns do not match the feature config")
        self.reference_ = reference_distribution(
            features.iloc[np.flatnonzero(known)[order]], self.predict_score(x)
        )
        self.info_ = {
            "rows": len(y),
            "frauds": int(y.sum()),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **dict(info or {}),
        }
        return self

    def _check(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFittedError("this FraudModel is not fitted: call fit() or FraudModel.load()")

    def _matrix(self, features: Any) -> np.ndarray:
        x = (
            features.to_numpy(dtype=float)
            if hasattr(features, "to_numpy")
            else np.asarray(features, dtype=float)
        )
        return x.reshape(-1, len(self.feature_names_))

    def calibrate(self, margin: np.ndarray) -> np.ndarray:
        """Scores in [0, 1000] from raw margins."""
        a, b = self.calibration_
        return 1000.0 * _sigmoid(a * np.asarray(margin) + b)

    def predict_score(self, features: Any) -> np.ndarray:
        """Calibrated fraud scores in [0, 1000], one per row."""
        self._check()
        x = self._matrix(features)
        # One row: threads cost more than they save (and fight for cores under load).
        threads = 1 if len(x) < 1000 else self.num_threads
        return self.calibrate(self.booster_.predict(x, raw_score=True, num_threads=threads))

    def contributions(self, features: Any) -> np.ndarray:
        """Per-feature contributions to the margin (SHAP values; the last column is the base value)."""
        self._check()
        x = self._matrix(features)
        return self.booster_.predict(
            x, pred_contrib=True, num_threads=1 if len(x) < 100 else self.num_threads
        )

    @property
    def version(self) -> str:
        """A content hash of the trees and calibration: two equal models have the same version."""
        self._check()
        digest = hashlib.sha256(self.booster_.model_to_string().encode())
        digest.update(json.dumps(self.calibration_).encode())
        return digest.hexdigest()[:12]

    def to_json(self) -> str:
        self._check()
        return json.dumps(
            {
                "format": FORMAT,
                "version": self.version,
                "params": _init_params(self),
                "booster": self.booster_.model_to_string(),
                "n_trees": self.n_trees_,
                "calibration": self.calibration_,
                "features": self.feature_names_,
                "feature_config": self.feature_config_.to_dict(),
                "validation_metrics": self.validation_metrics_,
                "reference": self.reference_,
                "info": self.info_,
            }
        )

    def save(self, path: str | Path) -> Path:
        """Write the model as one JSON file (atomically)."""
        return write_atomic_bytes(path, self.to_json().encode("utf-8"))

    @classmethod
    def from_json(cls, text: str, source: str = "<model>") -> FraudModel:
        import lightgbm as lgb

        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise InputError(
                    f"not an Argentier fraud model (format {data.get('format')!r})", source=source
                )
            model = cls(**data["params"])
            model.booster_ = lgb.Booster(model_str=data["booster"])
            model.n_trees_ = data["n_trees"]
            model.calibration_ = tuple(data["calibration"])
            model.feature_names_ = list(data["features"])
            model.feature_config_ = FeatureConfig.from_dict(data["feature_config"])
            model.validation_metrics_ = data["validation_metrics"]
            model.reference_ = data["reference"]
            model.info_ = data["info"]
        except (ValueError, KeyError, TypeError, AttributeError, lgb.basic.LightGBMError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"not a valid fraud model file: {exc}", source=source) from exc
        return model

    @classmethod
    def load(cls, path: str | Path) -> FraudModel:
        """Read a model written by :meth:`save`."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read model: {exc}", source=str(path)) from exc
        return cls.from_json(text, source=str(path))


def _init_params(model: FraudModel) -> dict[str, Any]:
    return {name: value for name, value in vars(model).items() if not name.endswith("_")}


def _platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Logistic regression of the labels on the margin (Platt scaling), fitted by Newton's method."""
    a, b = 1.0, 0.0
    # Platt's smoothed targets keep the fit finite when the classes separate perfectly.
    positives, negatives = y.sum(), len(y) - y.sum()
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    for _ in range(100):
        p = _sigmoid(a * margin + b)
        w = np.maximum(p * (1 - p), 1e-12)
        grad = np.array([np.sum((p - target) * margin), np.sum(p - target)])
        hess = np.array([[np.sum(w * margin * margin), np.sum(w * margin)], [np.sum(w * margin), np.sum(w)]])
        hess += np.eye(2) * 1e-9
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if not (math.isfinite(a) and math.isfinite(b)):
            return 1.0, 0.0
        if np.abs(step).max() < 1e-9:
            break
    return float(a), float(b)


def train_model(
    frame: pd.DataFrame,
    start: date,
    end: date,
    *,
    model: FraudModel | None = None,
    feature_config: FeatureConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> FraudModel:
    """Fit a model on the labelled transactions of ``[start, end]``, features from all earlier history.

    >>> from datetime import date
    >>> from argentier.fraud import prepare_transactions, simulate_transactions
    >>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    >>> model = train_model(tx, date(2018, 4, 15), date(2018, 4, 30), model=FraudModel(n_estimators=20, num_threads=1))
    >>> model.info_["from"], model.info_["to"]
    ('2018-04-15', '2018-04-30')
    """
    from argentier.fraud._data import day_mask
    from argentier.fraud._features import compute_features

    mask = day_mask(frame, start, end).to_numpy()
    labelled = mask & frame.is_fraud.notna().to_numpy()
    if not labelled.any():
        raise InputError(f"no labelled transactions between {start} and {end}")
    config = feature_config or FeatureConfig()
    features = compute_features(frame, config, rows=mask, progress=progress)
    selected = frame[mask]
    model = model or FraudModel()
    return model.fit(
        features,
        selected.is_fraud,
        selected.timestamp,
        feature_config=config,
        info={"from": start.isoformat(), "to": end.isoformat()},
    )
