"""Back-test rules on history: how many alerts each rule raises and how much fraud it would have caught."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from argentier.errors import InputError
from argentier.fraud._data import LABEL_COLUMNS, day_mask
from argentier.fraud._features import FeatureConfig, compute_features
from argentier.fraud._rules import OUTCOMES, RuleSet

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RuleResult:
    """One rule (or one outcome of the whole rule set) over the back-test period."""

    name: str
    outcome: str
    alerts: int
    alerts_per_day: float
    frauds_caught: int
    fraud_amount_caught: float
    precision: float | None
    recall: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Backtest:
    """Each rule alone (as if it were the only rule) and the rule set's decisions together."""

    transactions: int
    frauds: int
    fraud_amount: float
    days: int
    mode: str
    rules: tuple[RuleResult, ...]
    decisions: tuple[RuleResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("rules", "decisions")},
            "rules": [r.to_dict() for r in self.rules],
            "decisions": [r.to_dict() for r in self.decisions],
        }


def _result(
    name: str, outcome: str, hit: np.ndarray, fraud: np.ndarray, amount: np.ndarray, days: int, total: int
) -> RuleResult:
    caught = hit & fraud
    alerts, found = int(hit.sum()), int(caught.sum())
    return RuleResult(
        name,
        outcome,
        alerts,
        alerts / days,
        found,
        round(float(amount[caught].sum()), 2),
        found / alerts if alerts else None,
        found / total if total else None,
    )


def backtest_rules(
    rules: RuleSet,
    frame: pd.DataFrame,
    start: date,
    end: date,
    *,
    scores: pd.Series | None = None,
    feature_config: FeatureConfig | None = None,
) -> Backtest:
    """Evaluate ``rules`` on the labelled transactions of ``[start, end]`` (features from all earlier history).

    ``scores`` (indexed like ``frame``) provides ``score`` for rules that read it.

    >>> from argentier.fraud import Rule, prepare_transactions, simulate_transactions
    >>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    >>> rules = RuleSet([Rule("big", "amount > 220", "block")])
    >>> result = backtest_rules(rules, tx, date(2018, 4, 10), date(2018, 4, 30))
    >>> result.rules[0].precision
    1.0
    """
    mask = day_mask(frame, start, end).to_numpy() & frame.is_fraud.notna().to_numpy()
    if not mask.any():
        raise InputError(f"no labelled transactions between {start} and {end} to back-test on")
    features = compute_features(frame, feature_config, rows=mask)
    selected = frame[mask]
    namespace = {name: selected[name].to_numpy() for name in selected.columns if name not in LABEL_COLUMNS}
    namespace.update({name: features[name].to_numpy() for name in features.columns})
    if scores is not None:
        namespace["score"] = scores[mask].to_numpy(dtype=float)
    elif "score" in rules.names:
        raise InputError("the rules read 'score': give the scores of the period")
    rules.check_names(list(namespace))
    fraud = selected.is_fraud.to_numpy() == 1
    amount = selected.amount.to_numpy(dtype=float)
    days = max(selected.timestamp.dt.floor("D").nunique(), 1)
    total = int(fraud.sum())
    matched = rules.matches(namespace)
    per_rule = tuple(
        _result(rule.name, rule.outcome, matched[i], fraud, amount, days, total)
        for i, rule in enumerate(rules.rules)
    )
    outcomes, _ = rules.decide(namespace)
    outcomes = np.asarray(outcomes)
    per_outcome = tuple(
        _result(outcome, outcome, outcomes == outcome, fraud, amount, days, total) for outcome in OUTCOMES
    )
    return Backtest(
        len(selected), total, round(float(amount[fraud].sum()), 2), days, rules.mode, per_rule, per_outcome
    )
