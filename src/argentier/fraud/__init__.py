"""Fraud detection: behavioural features, gradient-boosted and online models, rules, real-time scoring.

Data contract (:func:`load_transactions`): CSV or Parquet with ``transaction_id, timestamp, customer_id,
terminal_id, amount``, optional ``is_fraud`` and ``label_time`` (else labels are known ``label_delay`` after the
transaction), any extra columns. Everything downstream follows time: :class:`FeatureState` computes each
transaction's features from earlier events and labels already known, one event at a time, and
:func:`compute_features` replays a file through it, so batch and real time agree.

- :func:`train_model` / :class:`FraudModel`: LightGBM, time-ordered split, scores calibrated to 0-1000.
- :class:`Scorer`: ``score(transaction) -> Decision`` (score, outcome, rules fired, top reasons) and
  ``label(...)`` for verdicts and chargebacks; not thread-safe (a web route should hold a lock around it).
- :class:`RuleSet`: whitelisted expressions with approve / review / block outcomes, first- or all-matched.
- :func:`evaluate`, :func:`threshold_table`, :func:`drift_report`; :class:`OnlineLearner` (River).
- ``argentier.fraud._registry`` (model registry, saved feature state) and ``._alerts`` (review findings) need the
  store; the CLI is ``argentier fraud --help``.

>>> from datetime import date
>>> tx = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
>>> model = train_model(tx, date(2018, 4, 1), date(2018, 4, 14), model=FraudModel(n_estimators=20, num_threads=1))
>>> scored = score_transactions(tx, model, date(2018, 4, 15), date(2018, 4, 20))
>>> list(scored.frame.columns)[:5]
['transaction_id', 'timestamp', 'customer_id', 'score', 'decision']
"""

from argentier.fraud._data import (
    DEFAULT_LABEL_DELAY,
    REQUIRED_COLUMNS,
    LoadedTransactions,
    load_transactions,
    parse_day,
    prepare_transactions,
)
from argentier.fraud._drift import DriftItem, DriftReport, drift_report, psi
from argentier.fraud._features import FeatureConfig, FeatureState, compute_features, fit_feature_config
from argentier.fraud._metrics import (
    Evaluation,
    ThresholdChoice,
    ThresholdRow,
    card_precision_at_k,
    evaluate,
    ranking_metrics,
    recall_at_fpr,
    threshold_table,
)
from argentier.fraud._model import FraudModel, train_model
from argentier.fraud._online import OnlineLearner
from argentier.fraud._rules import OUTCOMES, Expression, Rule, RuleSet, default_rules
from argentier.fraud._scoring import Decision, Reason, ScoredPeriod, Scorer, score_transactions
from argentier.fraud._simulate import SimulationConfig, simulate_transactions

__all__ = [
    "DEFAULT_LABEL_DELAY",
    "OUTCOMES",
    "REQUIRED_COLUMNS",
    "Decision",
    "DriftItem",
    "DriftReport",
    "Evaluation",
    "Expression",
    "FeatureConfig",
    "FeatureState",
    "FraudModel",
    "LoadedTransactions",
    "OnlineLearner",
    "Reason",
    "Rule",
    "RuleSet",
    "ScoredPeriod",
    "Scorer",
    "SimulationConfig",
    "ThresholdChoice",
    "ThresholdRow",
    "card_precision_at_k",
    "compute_features",
    "default_rules",
    "drift_report",
    "evaluate",
    "fit_feature_config",
    "load_transactions",
    "parse_day",
    "prepare_transactions",
    "psi",
    "ranking_metrics",
    "recall_at_fpr",
    "score_transactions",
    "simulate_transactions",
    "threshold_table",
    "train_model",
]
