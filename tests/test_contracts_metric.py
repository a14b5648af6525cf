"""The CUAD metric: word-set Jaccard, the precision-recall sweep, AUPR and precision at fixed recall."""

import pytest

from argentier.contracts import cuad_report, cuad_score, jaccard, word_set


def test_word_set_strips_punctuation_and_splits_slashes():
    assert word_set("Term: 5/1/2019; renewed.") == {"term", "5", "1", "2019", "renewed"}
    assert word_set("") == frozenset()


def test_jaccard_known_values_and_symmetry():
    assert jaccard("a b c d", "a b") == 0.5
    assert jaccard("a b", "a b c d") == 0.5
    assert jaccard("x", "y") == 0.0
    assert jaccard("", "") == 0.0


def test_perfect_ranking_gives_full_aupr():
    gold = {("c", "A"): ["alpha beta gamma"], ("d", "A"): ["delta epsilon"]}
    preds = {
        ("c", "A"): [("alpha beta gamma", 0.9)],
        ("d", "A"): [("delta epsilon zeta", 0.8), ("junk", 0.1)],
    }
    score = cuad_score(gold, preds)
    assert score.aupr == pytest.approx(1.0)
    assert score.precision_at_80_recall == score.precision_at_90_recall == 1.0
    assert score.max_recall == 1.0 and score.n_gold == 2 and score.n_predictions == 3


def test_false_positive_ranked_first_halves_the_curve():
    # the wrong span outranks the right one: P = 0 at R = 0, then 1/2 at R = 1
    gold = {("c", "A"): ["alpha beta"]}
    preds = {("c", "A"): [("wrong words", 0.9), ("alpha beta", 0.5)]}
    score = cuad_score(gold, preds)
    assert score.aupr == pytest.approx(0.5)
    assert score.precision_at_80_recall == pytest.approx(0.5)


def test_unreached_recall_gives_zero_precision_and_predictions_without_gold_are_false_positives():
    gold = {("c", "A"): ["alpha beta", "gamma delta"]}
    preds = {("c", "A"): [("alpha beta", 0.9)], ("c", "B"): [("anything", 0.95)]}
    score = cuad_score(gold, preds)
    assert score.max_recall == 0.5
    assert score.precision_at_80_recall == 0.0
    assert score.aupr == pytest.approx(0.25)  # precision 1/2 over recall 0..0.5


def test_two_predictions_matching_one_gold_count_it_once():
    gold = {("c", "A"): ["alpha beta gamma"]}
    preds = {("c", "A"): [("alpha beta gamma", 0.9), ("alpha beta gamma delta", 0.8)]}
    score = cuad_score(gold, preds)
    assert score.max_recall == 1.0 and score.aupr == pytest.approx(1.0)


def test_report_has_micro_and_every_category():
    gold = {("c", "A"): ["alpha"], ("c", "B"): ["beta"]}
    preds = {("c", "A"): [("alpha", 0.9)], ("c", "B"): [("nothing", 0.9)]}
    report = cuad_report(gold, preds, ["A", "B"])
    assert report["A"].aupr == pytest.approx(1.0)
    assert report["B"].aupr == 0.0
    assert 0.0 < report["micro"].aupr < 1.0
