"""An online learner updated with every label between scheduled retrains (River logistic regression).

It reads the behavioural features and the batch model's score (as log-odds), so it starts near the batch model
and moves as verdicts and chargebacks arrive: a pattern the batch model has not seen yet shows up here first.
Missing features are left out of the event rather than imputed (River's scaler and linear model treat an absent
feature as zero after scaling, i.e. as the running mean).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from argentier.errors import InputError


class OnlineLearner:
    """Logistic regression learning one labelled event at a time.

    >>> learner = OnlineLearner(["amount"])
    >>> for _ in range(200):
    ...     learner.learn([20.0], 10.0, False)
    ...     learner.learn([900.0], 10.0, True)
    >>> learner.predict_score([900.0], 10.0) > 500 > learner.predict_score([20.0], 10.0), learner.n_learned_
    (True, 400)
    """

    def __init__(
        self,
        feature_names: Sequence[str],
        *,
        learning_rate: float = 0.01,
        l2: float = 0.0,
        positive_weight: float = 1.0,
    ) -> None:
        if learning_rate <= 0 or positive_weight <= 0:
            raise InputError("learning_rate and positive_weight must be positive")
        self.feature_names = list(feature_names)
        self.learning_rate = learning_rate
        self.l2 = l2
        self.positive_weight = positive_weight
        from river import compose, linear_model, optim, preprocessing

        self.model_ = compose.Pipeline(
            preprocessing.StandardScaler(),
            linear_model.LogisticRegression(optimizer=optim.SGD(learning_rate), l2=l2),
        )
        self.n_learned_ = 0

    def _event(self, features: Sequence[float], model_score: float) -> dict[str, float]:
        event = {name: value for name, value in zip(self.feature_names, features) if not math.isnan(value)}
        p = min(max(model_score / 1000.0, 1e-6), 1 - 1e-6)
        event["model_log_odds"] = math.log(p / (1 - p))
        return event

    def predict_score(self, features: Sequence[float], model_score: float) -> float:
        """The learner's fraud score in [0, 1000]."""
        proba = self.model_.predict_proba_one(self._event(features, model_score))
        return 1000.0 * float(proba.get(True, 0.0))

    def learn(self, features: Sequence[float], model_score: float, is_fraud: bool) -> None:
        """Update with one labelled event (the features and model score it had when it was scored)."""
        weight = self.positive_weight if is_fraud else 1.0
        self.model_.learn_one(self._event(features, model_score), bool(is_fraud), w=weight)
        self.n_learned_ += 1
