"""Metrics with known answers: card precision@k as the handbook defines it, recall at FPR, thresholds, drift."""

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.fraud import card_precision_at_k, drift_report, evaluate, psi, recall_at_fpr, threshold_table
from argentier.fraud._drift import reference_distribution


def _frame(days, customers, frauds, scores):
    return pd.DataFrame(
        {"timestamp": pd.to_datetime(days), "customer_id": customers, "is_fraud": frauds, "score": scores}
    )


def test_card_precision_takes_each_cards_best_score_and_drops_cards_already_caught():
    frame = _frame(
        ["2024-01-01"] * 4 + ["2024-01-02"] * 3,
        ["a", "a", "b", "c", "a", "b", "c"],
        [0, 1, 0, 0, 1, 0, 1],
        [900, 100, 800, 10, 990, 500, 400],
    )
    # Day 1: a (best 900, has a fraud) and b are the top 2 -> 1/2. Day 2: a was caught, so b and c -> 1/2.
    assert card_precision_at_k(frame, k=2) == [0.5, 0.5]
    assert card_precision_at_k(frame, k=2, remove_detected=False) == [0.5, 0.5]
    assert card_precision_at_k(frame, k=1, remove_detected=False) == [1.0, 1.0]
    assert card_precision_at_k(frame, k=1) == [1.0, 0.0]  # day 2: a is gone, b tops it without fraud
    with pytest.raises(InputError):
        card_precision_at_k(frame, k=0)


def test_evaluate_and_recall_at_fpr():
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.05
    s = np.where(y, rng.uniform(300, 1000, 2000), rng.uniform(0, 700, 2000))
    frame = _frame(["2024-01-01"] * 2000, [str(i) for i in range(2000)], y.astype(int), s)
    result = evaluate(frame)
    # P(U(300, 1000) > U(0, 700)) = 3/7 + 4/7 * 5/7 = 41/49
    assert result.auc == pytest.approx(41 / 49, abs=0.04) and result.frauds == y.sum() and result.days == 1
    assert result.recall_at_1pct_fpr <= result.recall_at_5pct_fpr
    genuine = np.sort(s[~y])
    cut = genuine[int(np.ceil(0.99 * len(genuine)))]  # the lowest threshold with at most 1 % false alerts
    assert result.recall_at_1pct_fpr == pytest.approx((s[y] >= cut).mean(), abs=0.02)
    assert recall_at_fpr([1, 1], [0.1, 0.2], 0.1) is None
    with pytest.raises(InputError):
        evaluate(frame.assign(is_fraud=np.nan))


def test_threshold_table_meets_the_budget_exactly():
    frame = _frame(
        ["2024-01-01"] * 5 + ["2024-01-02"] * 5,
        list("abcdefghij"),
        [0, 0, 0, 1, 1, 0, 0, 1, 1, 1],
        [100, 200, 300, 900, 950, 150, 600, 700, 800, 990],
    )
    choice = threshold_table(frame, [0, 500, 1000], max_alerts_per_day=2)
    assert [row.alerts for row in choice.rows] == [10, 6, 0]
    assert choice.rows[1].precision == pytest.approx(5 / 6) and choice.rows[1].recall == 1.0
    assert choice.rows[1].false_positive_rate == pytest.approx(1 / 5)
    assert choice.chosen.threshold == 800 and choice.chosen.alerts == 4 and choice.chosen.precision == 1.0
    strict = threshold_table(frame, max_false_positive_rate=0.0)
    assert strict.chosen.threshold == 700 and strict.chosen.recall == 1.0
    assert threshold_table(frame).chosen is None
    with pytest.raises(InputError):
        threshold_table(frame, max_false_positive_rate=2)


def test_psi_and_drift_report_find_the_shifted_feature():
    assert psi([0.25] * 4, [0.25] * 4) == 0
    rng = np.random.default_rng(1)
    before = pd.DataFrame({"stable": rng.normal(0, 1, 4000), "moving": rng.normal(0, 1, 4000)})
    reference = reference_distribution(before, rng.uniform(0, 1000, 4000))
    after = pd.DataFrame({"stable": rng.normal(0, 1, 4000), "moving": rng.normal(1.5, 1, 4000)})
    report = drift_report(reference, after, rng.uniform(0, 1000, 4000))
    assert [item.name for item in report.features] == ["moving", "stable"]
    assert report.features[0].level == "major" and report.features[1].level == "stable" and report.drifted
    nans = after.assign(stable=np.nan)
    assert drift_report(reference, nans, rng.uniform(0, 1000, 4000)).features[0].name == "stable"
    with pytest.raises(InputError, match="missing"):
        drift_report(reference, after[["stable"]], np.zeros(4000))
