"""The model registry and the alert queue, on SQLite and PostgreSQL."""

import pandas as pd
import pytest

from argentier.core.review import ReviewService
from argentier.errors import InputError, NotFoundError
from argentier.fraud import FraudModel, compute_features, prepare_transactions, simulate_transactions
from argentier.fraud._alerts import ALERT_KIND, alert_labels, raise_alerts
from argentier.fraud._registry import ModelRegistry


@pytest.fixture(scope="module")
def models():
    frame = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    features = compute_features(frame)
    first = FraudModel(n_estimators=5, num_threads=1).fit(
        features, frame.is_fraud, frame.timestamp, info={"from": "2018-04-01", "to": "2018-04-30"}
    )
    second = FraudModel(n_estimators=8, num_threads=1, seed=1).fit(features, frame.is_fraud, frame.timestamp)
    return first, second, features


def test_register_promote_retire_and_record_metrics(store, models):
    first, second, features = models
    registry = ModelRegistry(store)
    a = registry.register(first, name="cards", note="baseline")
    b = registry.register(second, name="cards")
    assert (a.status, a.trained_from, a.metrics["validation"]["auc"]) == (
        "challenger",
        "2018-04-01",
        first.validation_metrics_["auc"],
    )
    with pytest.raises(InputError, match="already registered"):
        registry.register(first, name="cards")
    registry.promote(a.id)
    assert registry.champion("cards").id == a.id
    registry.promote(b.id)  # one champion per name: the previous one steps back
    assert registry.champion("cards").id == b.id
    assert [entry.id for entry in registry.challengers("cards")] == [a.id]
    registry.retire(a.id)
    assert registry.challengers("cards") == [] and registry.champion("other") is None
    registry.record_metrics(b.id, "2018-05-01..2018-05-07", {"auc": 0.9})
    assert registry.get(b.id).metrics["evaluations"] == {"2018-05-01..2018-05-07": {"auc": 0.9}}
    loaded = registry.load(b.id)
    assert loaded.version == second.version
    assert (loaded.predict_score(features.iloc[:50]) == second.predict_score(features.iloc[:50])).all()
    assert [entry.id for entry in registry.list()] == [b.id, a.id]
    with pytest.raises(NotFoundError):
        registry.promote(999)


def test_alerts_go_to_review_and_verdicts_come_back_as_labels(store):
    service = ReviewService(store)
    scored = pd.DataFrame(
        {
            "transaction_id": ["t1", "t2", "t3", "t4"],
            "timestamp": pd.to_datetime(["2024-01-01"] * 4),
            "customer_id": ["c1", "c2", "c3", "c4"],
            "score": [950.0, 600.0, 10.0, 700.0],
            "decision": ["block", "review", "approve", "review"],
            "rules": ["score_block", "score_review", "", "r"],
            "reasons": ["amount=900 (+2.10); hour=3 (+0.40)", "", "", ""],
        }
    )
    created = raise_alerts(service, scored, model_version="v1")
    assert [finding.subject_id for finding in created] == ["t1", "t2", "t4"]
    assert created[0].kind == ALERT_KIND and created[0].confidence == pytest.approx(0.95)
    assert created[0].payload["reasons"] == ["amount=900 (+2.10)", "hour=3 (+0.40)"]
    assert raise_alerts(service, scored, model_version="v1") == []  # never alerted twice
    service.approve(created[0].id, "alice")
    service.reject(created[1].id, "bob", "customer confirmed the purchase")
    service.edit(created[2].id, "carol", {**created[2].payload, "is_fraud": False})
    labels = alert_labels(service).set_index("transaction_id")
    assert labels.is_fraud.to_dict() == {"t1": 1, "t2": 0, "t4": 0}
    assert labels.label_time.notna().all() and labels.label_time.dt.tz is None


def test_a_saved_feature_state_resumes_scoring_exactly(store, models):
    from argentier.fraud import Scorer
    from argentier.fraud._registry import load_feature_state, save_feature_state

    model, _, _ = models
    frame = prepare_transactions(simulate_transactions(100, 200, 30, seed=2)).frame
    records = frame.to_dict("records")
    running = Scorer(model)
    for record in records[:2000]:
        running.score(record)
    save_feature_state(store, "cards-live", running.state, model_version=model.version)
    restarted = Scorer(model, state=load_feature_state(store, "cards-live"))
    for record in records[2000:2300]:
        assert restarted.score(record) == running.score(record)
    save_feature_state(store, "cards-live", running.state)  # replaces the saved copy
    assert load_feature_state(store, "cards-live").clock == running.state.clock
    with pytest.raises(NotFoundError):
        load_feature_state(store, "absent")


def test_a_major_drift_becomes_a_finding(store):
    from argentier.fraud._alerts import DRIFT_KIND, record_drift
    from argentier.fraud._drift import DriftItem, DriftReport

    service = ReviewService(store)
    calm = DriftReport(100, DriftItem("score", 0.01, "stable"), (DriftItem("amount", 0.05, "stable"),))
    assert record_drift(service, calm, model_version="v1", period="a..b") is None
    shifted = DriftReport(100, DriftItem("score", 0.4, "major"), (DriftItem("amount", 0.3, "major"),))
    finding = record_drift(service, shifted, model_version="v1", period="a..b")
    assert finding.kind == DRIFT_KIND and finding.payload["drifted"] and finding.payload["period"] == "a..b"
