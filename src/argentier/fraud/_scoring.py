"""Decisions: score, rules and explanation for each transaction, in batch or one event at a time.

:class:`Scorer` is the real-time face (``score(transaction) -> Decision``, ``label(...)`` for feedback); it is
plain Python with its state in memory, so a web route can wrap it. :func:`score_transactions` scores a period of
a file in time order. Both go through :class:`~argentier.fraud._features.FeatureState` and
:func:`decide_batch`, so a transaction gets the same decision either way. Reasons (top feature contributions)
come with every decision other than ``approve``, and with approvals too when ``explain_approved`` is set.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError
from argentier.fraud._data import LABEL_COLUMNS, day_mask
from argentier.fraud._features import FeatureState, compute_features
from argentier.fraud._model import FraudModel
from argentier.fraud._rules import RuleSet, default_rules

if TYPE_CHECKING:
    import pandas as pd

    from argentier.fraud._online import OnlineLearner

_REQUIRED = ("transaction_id", "timestamp", "customer_id", "terminal_id", "amount")


@dataclass(frozen=True)
class Reason:
    """One feature's push on the score: its value and its contribution to the model's margin (log-odds)."""

    feature: str
    value: float | None
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __str__(self) -> str:
        value = "missing" if self.value is None else f"{self.value:.4g}"
        return f"{self.feature}={value} ({self.contribution:+.2f})"


@dataclass(frozen=True)
class Decision:
    """What to do with one transaction, and why: ``score`` is the batch model's ``model_score``, blended with
    the online learner's ``online_score`` when the scorer gives that a weight. ``challenger_scores`` (by model
    version) are computed in shadow, for comparison only: they never change the outcome."""

    transaction_id: str
    score: float
    outcome: str
    reasons: tuple[Reason, ...]
    rules_fired: tuple[str, ...]
    model_version: str
    model_score: float
    online_score: float | None = None
    challenger_scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "rules_fired": list(self.rules_fired),
        }


def explain_rows(
    model: FraudModel, features: np.ndarray, rows: np.ndarray, explain: int = 3
) -> list[tuple[Reason, ...]]:
    """For the ``rows`` asked (a boolean mask), the ``explain`` features pushing the score up most.

    Contributions are LightGBM's exact TreeSHAP values (``pred_contrib``); they cost ~1 ms a row with hundreds
    of trees, so callers explain the decisions someone will look at rather than every approval.
    """
    reasons: list[tuple[Reason, ...]] = [()] * len(features)
    wanted = np.flatnonzero(rows)
    if not explain or len(wanted) == 0:
        return reasons
    contributions = model.contributions(features[wanted])[:, :-1]
    top = np.argsort(-contributions, axis=1, kind="stable")[:, :explain]
    names = model.feature_names_
    for at, (row, columns) in enumerate(zip(wanted, top)):
        reasons[row] = tuple(
            Reason(
                names[j],
                None if math.isnan(features[row, j]) else float(features[row, j]),
                float(contributions[at, j]),
            )
            for j in columns
            if contributions[at, j] > 0
        )
    return reasons


def rule_names(model: FraudModel, columns: Sequence[str]) -> list[str]:
    """What decision rules may read: the model's features, ``score`` and raw columns, never the labels."""
    return [*model.feature_names_, "score", *(name for name in columns if name not in LABEL_COLUMNS)]


def decide_batch(
    model: FraudModel,
    rules: RuleSet,
    features: np.ndarray,
    columns: Mapping[str, np.ndarray],
    scores: np.ndarray,
) -> tuple[list[str], list[list[str]]]:
    """Outcomes and fired rules; rules see the raw columns, the features (which win a name clash) and ``score``."""
    namespace = {
        **columns,
        **{name: features[:, j] for j, name in enumerate(model.feature_names_)},
        "score": scores,
    }
    return rules.decide(namespace)


def _time_ns(value: Any) -> int:
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"timestamp {value!r} is not a date-time") from exc
    if stamp is pd.NaT:
        raise InputError("timestamp is missing")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)


class Scorer:
    """Real-time scoring in process: features from state kept between events, model, rules, explanation.

    Rules may read the features, ``score``, the contract's columns and the raw ``columns`` declared here
    (``country``, ``channel``...); never the label. After warming the state on history, a long-running service
    should call ``gc.freeze()`` so the collector stops walking the state (see :func:`replay_stream`).

    >>> from argentier.fraud import FraudModel, compute_features, prepare_transactions, simulate_transactions
    >>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    >>> model = FraudModel(n_estimators=30, num_threads=1).fit(compute_features(tx), tx.is_fraud, tx.timestamp)
    >>> scorer = Scorer(model)
    >>> decision = scorer.score({"transaction_id": "x1", "timestamp": "2018-05-01 12:00", "customer_id": "7",
    ...                          "terminal_id": "42", "amount": 900.0})
    >>> decision.outcome in ("approve", "review", "block"), 0 <= decision.score <= 1000
    (True, True)
    >>> scorer.label("x1", True, at="2018-05-03")
    """

    def __init__(
        self,
        model: FraudModel,
        *,
        rules: RuleSet | None = None,
        explain: int = 3,
        explain_approved: bool = False,
        columns: Sequence[str] = (),
        state: FeatureState | None = None,
        online: OnlineLearner | None = None,
        online_weight: float = 0.0,
        max_pending: int = 200_000,
        challengers: Sequence[FraudModel] = (),
    ) -> None:
        if not 0.0 <= online_weight <= 1.0:
            raise InputError(f"online_weight must be between 0 and 1, got {online_weight}")
        if online_weight > 0 and online is None:
            raise InputError("online_weight needs an online learner")
        for challenger in challengers:
            if challenger.feature_config_ != model.feature_config_:
                raise InputError(f"challenger {challenger.version} uses other features than the champion")
        self.model = model
        self.rules = rules or default_rules()
        self.rules.check_names(rule_names(model, [*_REQUIRED, *columns]))
        self.explain = explain
        self.explain_approved = explain_approved
        self.state = state or FeatureState(model.feature_config_)
        self.online = online
        self.online_weight = online_weight
        self.max_pending = max_pending
        self._version = model.version
        self.challengers = {challenger.version: challenger for challenger in challengers}
        self._pending: OrderedDict[str, tuple[Any, Any, list[float], float]] = OrderedDict()

    def score(self, transaction: Mapping[str, Any]) -> Decision:
        """Score one transaction, record it in the state, and return the decision with its reasons."""
        missing = [name for name in _REQUIRED if transaction.get(name) in (None, "")]
        if missing:
            raise InputError(f"transaction lacks {', '.join(missing)}")
        transaction_id = str(transaction["transaction_id"]).strip()
        customer, terminal = str(transaction["customer_id"]).strip(), str(transaction["terminal_id"]).strip()
        try:
            amount = float(transaction["amount"])
        except (TypeError, ValueError) as exc:
            raise InputError(f"amount {transaction['amount']!r} is not a number") from exc
        if not math.isfinite(amount):
            raise InputError(f"amount {amount} is not finite")
        now = _time_ns(transaction["timestamp"])
        features = self.state.transaction(now, customer, terminal, amount, transaction)
        row = np.asarray([features], dtype=float)
        columns = {
            name: np.asarray([value], dtype=object)
            for name, value in transaction.items()
            if name not in LABEL_COLUMNS
        }
        columns.update(
            customer_id=np.asarray([customer], dtype=object), terminal_id=np.asarray([terminal], dtype=object)
        )
        scores = self.model.predict_score(row)
        model_score = float(scores[0])
        online_score = None
        if self.online is not None:
            online_score = self.online.predict_score(features, model_score)
            scores = (1 - self.online_weight) * scores + self.online_weight * online_score
        outcomes, fired = decide_batch(self.model, self.rules, row, columns, scores)
        reasons = explain_rows(
            self.model, row, np.asarray([self.explain_approved or outcomes[0] != "approve"]), self.explain
        )
        self._pending[transaction_id] = (customer, terminal, features, model_score)
        if len(self._pending) > self.max_pending:
            self._pending.popitem(last=False)
        return Decision(
            transaction_id,
            float(scores[0]),
            outcomes[0],
            reasons[0],
            tuple(fired[0]),
            self._version,
            model_score,
            online_score,
            {version: float(c.predict_score(row)[0]) for version, c in self.challengers.items()},
        )

    def label(
        self,
        transaction_id: str,
        is_fraud: bool,
        *,
        at: Any = None,
        customer_id: Any = None,
        terminal_id: Any = None,
    ) -> None:
        """Feed back a verdict or chargeback: later transactions see it, the online learner learns from it.

        ``at`` is when the label became known (default: the latest event seen). A transaction no longer in
        memory needs ``customer_id`` and ``terminal_id``.
        """
        transaction_id = str(transaction_id).strip()
        pending = self._pending.pop(transaction_id, None)
        if pending is None and (customer_id is None or terminal_id is None):
            raise InputError(
                f"transaction {transaction_id!r} was not scored here: give customer_id and terminal_id"
            )
        customer = str(customer_id).strip() if customer_id is not None else pending[0]
        terminal = str(terminal_id).strip() if terminal_id is not None else pending[1]
        when = self.state.clock if at is None else _time_ns(at)
        self.state.label(when, customer, terminal, bool(is_fraud))
        if self.online is not None and pending is not None:
            self.online.learn(pending[2], pending[3], bool(is_fraud))


@dataclass(frozen=True)
class ScoredPeriod:
    """Decisions for the transactions of a period, as a frame (``transaction_id, timestamp, customer_id,
    score, decision, rules, reasons``), with the model version."""

    frame: pd.DataFrame
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        counts = self.frame.decision.value_counts().to_dict()
        return {
            "transactions": len(self.frame),
            "model_version": self.model_version,
            "decisions": {name: int(counts.get(name, 0)) for name in ("approve", "review", "block")},
        }


def score_transactions(
    frame: pd.DataFrame,
    model: FraudModel,
    start: date,
    end: date,
    *,
    rules: RuleSet | None = None,
    explain: int = 3,
    explain_approved: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ScoredPeriod:
    """Score the transactions of ``[start, end]`` in time order, each from the history before it only."""
    import pandas as pd

    rules = rules or default_rules()
    rules.check_names(rule_names(model, list(frame.columns)))
    mask = day_mask(frame, start, end).to_numpy()
    if not mask.any():
        raise InputError(f"no transactions between {start} and {end}")
    features = compute_features(frame, model.feature_config_, rows=mask, progress=progress)
    selected = frame[mask]
    columns = {name: selected[name].to_numpy() for name in selected.columns if name not in LABEL_COLUMNS}
    matrix = features.to_numpy(dtype=float)
    scores = model.predict_score(matrix)
    outcomes, fired = decide_batch(model, rules, matrix, columns, scores)
    reasons = explain_rows(model, matrix, explain_approved | (np.asarray(outcomes) != "approve"), explain)
    out = pd.DataFrame(
        {
            "transaction_id": selected.transaction_id.to_numpy(),
            "timestamp": selected.timestamp.to_numpy(),
            "customer_id": selected.customer_id.to_numpy(),
            "score": scores,
            "decision": outcomes,
            "rules": [";".join(names) for names in fired],
            "reasons": ["; ".join(str(reason) for reason in row) for row in reasons],
        }
    )
    return ScoredPeriod(out, model.version)
