"""The LightGBM model, its calibration and file format; the real-time Scorer agrees with batch scoring."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from argentier.errors import InputError, NotFittedError
from argentier.fraud import (
    FraudModel,
    OnlineLearner,
    Rule,
    RuleSet,
    Scorer,
    compute_features,
    prepare_transactions,
    ranking_metrics,
    score_transactions,
    simulate_transactions,
    train_model,
)


@pytest.fixture(scope="module")
def data():
    frame = prepare_transactions(simulate_transactions(250, 500, 60, seed=11)).frame
    model = train_model(
        frame, date(2018, 4, 20), date(2018, 5, 10), model=FraudModel(n_estimators=100, num_threads=1)
    )
    return frame, model


def test_the_model_ranks_unseen_days_well_and_scores_stay_in_range(data):
    frame, model = data
    test = (frame.timestamp >= "2018-05-17").to_numpy()
    features = compute_features(frame, model.feature_config_, rows=test)
    scores = model.predict_score(features)
    assert scores.min() >= 0 and scores.max() <= 1000
    metrics = ranking_metrics(frame.is_fraud[test], scores)
    assert metrics["auc"] > 0.8 and metrics["average_precision"] > 0.5
    assert model.info_["from"] == "2018-04-20" and model.info_["frauds"] > 0


def test_calibrated_scores_match_the_observed_fraud_rate(data):
    frame, model = data
    test = (frame.timestamp >= "2018-05-17").to_numpy()
    scores = model.predict_score(compute_features(frame, model.feature_config_, rows=test)) / 1000
    observed = frame.is_fraud[test].mean()
    assert scores.mean() == pytest.approx(observed, rel=0.5)
    top = scores >= 0.5
    assert frame.is_fraud[test][top].mean() > 0.5  # what the model calls likely fraud mostly is


def test_save_load_round_trip_and_bad_files(data, tmp_path):
    frame, model = data
    path = model.save(tmp_path / "model.json")
    loaded = FraudModel.load(path)
    features = compute_features(frame.iloc[:500], model.feature_config_)
    assert np.array_equal(loaded.predict_score(features), model.predict_score(features))
    assert loaded.version == model.version and loaded.feature_config_ == model.feature_config_
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    with pytest.raises(InputError, match="not an Argentier fraud model"):
        FraudModel.load(tmp_path / "bad.json")
    (tmp_path / "worse.json").write_text("{")
    with pytest.raises(InputError, match="not a valid fraud model"):
        FraudModel.load(tmp_path / "worse.json")
    with pytest.raises(NotFittedError):
        FraudModel().predict_score(features)


def test_the_split_is_by_time_and_needs_fraud_on_both_sides(data):
    frame, _ = data
    features = compute_features(frame.iloc[:3000])
    labels = pd.Series(np.r_[np.ones(100), np.zeros(2900)])  # every fraud in the earliest rows
    with pytest.raises(InputError, match="validation part"):
        FraudModel(n_estimators=5).fit(features, labels, frame.timestamp.iloc[:3000])
    with pytest.raises(InputError, match="no labelled transactions"):
        train_model(frame.assign(is_fraud=np.nan), date(2018, 5, 1), date(2018, 5, 2))


def _replay(frame, scorer, start, labels_from):
    """Feed events one at a time: transactions from ``start`` to score(), labels from ``labels_from`` to label()."""
    decisions = {}
    period = frame[frame.timestamp >= start]
    labels = frame[frame.label_time.notna() & (frame.label_time >= labels_from)]
    # At equal times transactions go first, as in the batch replay.
    events = sorted(
        [(t, 0, i) for i, t in zip(period.index, period.timestamp)]
        + [(t, 1, i) for i, t in zip(labels.index, labels.label_time)]
    )
    for _, kind, i in events:
        row = frame.loc[i]
        if kind == 0:
            decisions[row.transaction_id] = scorer.score(row.to_dict())
        else:
            scorer.label(
                row.transaction_id,
                row.is_fraud == 1,
                at=row.label_time,
                customer_id=row.customer_id,
                terminal_id=row.terminal_id,
            )
    return decisions


def test_real_time_decisions_equal_batch_decisions(data):
    frame, model = data
    frame = frame[frame.timestamp < "2018-05-22"]
    start = pd.Timestamp("2018-05-20")
    rules = RuleSet(
        [Rule("big", "amount > 220", "block"), Rule("risky", "score >= 300", "review")], mode="all"
    )
    batch = score_transactions(frame, model, date(2018, 5, 20), date(2018, 5, 21), rules=rules).frame
    scorer = Scorer(model, rules=rules)
    before = (frame.timestamp < start).to_numpy()
    compute_features(frame, rows=before, state=scorer.state)
    # The warm-up took in the labels known before its last transaction; the replay feeds the rest.
    online = _replay(frame, scorer, start, labels_from=frame.timestamp[before].max())
    assert len(online) == len(batch)
    for row in batch.itertuples():
        decision = online[row.transaction_id]
        assert decision.score == pytest.approx(row.score, abs=1e-9)
        assert decision.outcome == row.decision and ";".join(decision.rules_fired) == row.rules
        assert "; ".join(str(reason) for reason in decision.reasons) == row.reasons


def test_decisions_explain_themselves_and_feedback_reaches_the_state(data):
    _, model = data
    scorer = Scorer(model, explain=2, explain_approved=True)
    tx = {
        "transaction_id": "a",
        "timestamp": "2018-07-01 12:00",
        "customer_id": "1",
        "terminal_id": "9",
        "amount": 5000.0,
    }
    decision = scorer.score(tx)
    assert decision.model_version == model.version and len(decision.reasons) <= 2
    assert all(reason.contribution > 0 for reason in decision.reasons)
    assert decision.to_dict()["reasons"][0]["feature"] in model.feature_names_
    scorer.label("a", True, at="2018-07-01 13:00")
    after = scorer.score({**tx, "transaction_id": "b", "timestamp": "2018-07-01 14:00", "customer_id": "2"})
    assert (
        dict(
            zip(
                model.feature_names_,
                scorer.state.transaction(pd.Timestamp("2018-07-01 15:00").value, "3", "9", 1.0),
            )
        )["terminal_fraud_rate_1d"]
        == 1.0
    )
    assert after.transaction_id == "b"
    with pytest.raises(InputError, match="was not scored here"):
        scorer.label("never-seen", True)
    with pytest.raises(InputError, match="lacks customer_id"):
        scorer.score({"transaction_id": "c", "timestamp": "2018-07-02", "terminal_id": "1", "amount": 1})
    with pytest.raises(InputError, match="not a number"):
        scorer.score({**tx, "amount": "lots"})
    with pytest.raises(InputError, match="unknown name"):
        Scorer(model, rules=RuleSet([Rule("x", "velocity > 3", "review")]))


def test_the_online_learner_learns_from_feedback_and_can_steer_the_score(data):
    frame, model = data
    learner = OnlineLearner(model.feature_names_, learning_rate=0.05)
    scorer = Scorer(model, online=learner, online_weight=0.5)
    period = frame[(frame.timestamp >= "2018-05-12") & (frame.timestamp < "2018-05-20")]
    scores, truth = [], []
    for row in period.to_dict("records"):
        decision = scorer.score(row)
        scores.append(decision.online_score)
        truth.append(row["is_fraud"])
        scorer.label(row["transaction_id"], row["is_fraud"] == 1)  # immediate feedback
    assert learner.n_learned_ == len(period)
    half = len(scores) // 2
    assert ranking_metrics(truth[half:], scores[half:])["auc"] > 0.8
    assert decision.score == pytest.approx(0.5 * decision.model_score + 0.5 * decision.online_score)
    with pytest.raises(InputError):
        Scorer(model, online_weight=0.3)


def test_the_stream_replay_reports_latency_and_matches_batch(data):
    from argentier.fraud._stream import replay_stream

    frame, model = data
    frame = frame[frame.timestamp < "2018-05-22"]
    batch = score_transactions(frame, model, date(2018, 5, 20), date(2018, 5, 21)).frame
    learner = OnlineLearner(model.feature_names_)
    decisions, report = replay_stream(
        frame,
        Scorer(model, online=learner),
        date(2018, 5, 20),
        date(2018, 5, 21),
        learn_from=date(2018, 5, 14),
    )
    assert decisions.transaction_id.tolist() == batch.transaction_id.tolist()
    assert np.allclose(decisions.score, batch.score, rtol=0, atol=1e-9)
    assert report.transactions == len(batch) and 0 < report.p50_ms <= report.p99_ms <= report.max_ms
    assert learner.n_learned_ > 0 and report.online["auc"] is not None
    assert report.model == ranking_metrics(frame.is_fraud[frame.timestamp >= "2018-05-20"], batch.score)


def test_challengers_are_scored_in_shadow(data):
    frame, model = data
    challenger = train_model(
        frame, date(2018, 4, 25), date(2018, 5, 10), model=FraudModel(n_estimators=20, num_threads=1)
    )
    records = frame[frame.timestamp >= "2018-05-20"].head(200).to_dict("records")
    alone, shadowed, promoted = Scorer(model), Scorer(model, challengers=[challenger]), Scorer(challenger)
    for record in records:
        plain, decision = alone.score(record), shadowed.score(record)
        assert (decision.score, decision.outcome) == (plain.score, plain.outcome)
        assert decision.challenger_scores == {challenger.version: promoted.score(record).model_score}
    assert decision.challenger_scores[challenger.version] != decision.model_score


def test_rules_can_never_read_the_label(data):
    frame, model = data
    cheat = RuleSet([Rule("cheat", "is_fraud == 1", "block")])
    with pytest.raises(InputError, match="unknown name"):
        score_transactions(frame, model, date(2018, 5, 20), date(2018, 5, 20), rules=cheat)
    with pytest.raises(InputError, match="unknown name"):
        Scorer(model, rules=cheat, columns=["is_fraud"])
