"""Anomalies: injected spikes and shifts are found with their reason and drill-down; findings reach review."""

import numpy as np
import pandas as pd
import pytest

from argentier.core.review import ReviewService
from argentier.core.store import Store
from argentier.forecast import (
    ANOMALY_KIND,
    AnomalyDetector,
    demo_sales,
    inject,
    load_series,
    record_anomaly_findings,
    score_events,
)
from argentier.forecast._anomalies import cusum_alarms


@pytest.fixture(scope="module")
def spiked():
    frame = demo_sales(periods=48, noise=0.01)
    hit = (frame.unique_id == "South/Tech") & (frame.ds == "2023-05-01")
    frame.loc[hit, "y"] *= 1.8
    data = load_series(frame, hierarchy=["region", "category"])
    return AnomalyDetector(level=99).fit(data).predict()


def test_spike_found_at_every_level_and_explained_by_its_child(spiked):
    found = {(a.unique_id, a.start) for a in spiked.anomalies if a.kind == "spike"}
    assert {("South/Tech", "2023-05-01"), ("South", "2023-05-01"), ("Total", "2023-05-01")} <= found
    south = next(a for a in spiked.anomalies if a.unique_id == "South" and a.start == "2023-05-01")
    assert south.drill_down[0]["unique_id"] == "South/Tech" and south.drill_down[0]["share"] > 0.8
    assert south.y > south.hi and south.lo < south.expected < south.hi
    assert "above the band at 2023-05-01" in south.reason and 0.99 < south.confidence <= 1.0
    total = next(a for a in spiked.anomalies if a.unique_id == "Total" and a.start == "2023-05-01")
    assert total.drill_down[0]["unique_id"] == "South"
    row = spiked.frame[(spiked.frame.unique_id == "South/Tech") & (spiked.frame.ds == "2023-05-01")].iloc[0]
    assert row["is_anomaly"] and row["score"] > 2.576
    assert list(spiked.frame.columns[:8]) == [
        "unique_id",
        "ds",
        "y",
        "expected",
        "lo",
        "hi",
        "score",
        "is_anomaly",
    ]


def test_a_level_shift_is_flagged_soon_after_it_starts():
    t = np.arange(120)
    y = 100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 1.0, 120)
    shifted = inject(y, "level_shift", 90, magnitude=-0.08, season_length=12)
    data = load_series(pd.DataFrame({"unique_id": "a", "ds": t, "y": shifted}), season_length=12)
    result = AnomalyDetector().fit(data).predict()
    flags = result.frame["is_anomaly"].to_numpy()
    first = int(np.flatnonzero(flags[90:])[0])
    assert first <= 3
    assert score_events({"a": flags}, {"a": 90}, tolerance=6)["recall"] == 1.0


def test_cusum_and_event_scoring_known_answers():
    _, alarms = cusum_alarms(np.array([1.0] * 6), 0.5, 1.2)
    assert alarms.tolist() == [False, False, True, False, False, True]
    scores = score_events(
        {"a": np.array([0, 1, 1, 0, 0, 0, 1], bool), "b": np.zeros(7, bool)}, {"a": 5, "b": 2}, tolerance=1
    )
    assert (scores["found"], scores["detected_events"], scores["true_positive_events"]) == (1, 2, 1)
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5 and scores["mean_delay"] == 1.0
    ramp = inject(np.full(10, 100.0), "ramp", 4, magnitude=0.2, season_length=2)
    assert ramp.tolist() == pytest.approx([100.0] * 4 + [105.0, 110.0, 115.0, 120.0, 120.0, 120.0])
    seasonal = inject(np.tile([90.0, 110.0], 8), "seasonal_change", 8, magnitude=1.0, season_length=2)
    assert seasonal[8:10].tolist() == [80.0, 120.0]


def test_anomalies_become_review_findings(database_url, spiked):
    store = Store.open(database_url)
    try:
        service = ReviewService(store)
        recorded = record_anomaly_findings(service, spiked.anomalies[:3])
        listed = service.list_findings(kind=ANOMALY_KIND)
        assert [f.id for f in listed] == [f.id for f in recorded]
        first = listed[0]
        assert first.subject_type == "series" and first.payload["reason"] == spiked.anomalies[0].reason
        assert first.payload["expected"] == pytest.approx(spiked.anomalies[0].expected)
        assert first.producer.module == "forecast.anomalies" and first.status == "pending"
        assert service.reject(first.id, "alice", "known promotion").status == "rejected"
    finally:
        store.close()


def test_level_must_make_sense():
    data = load_series(pd.DataFrame({"unique_id": "a", "ds": range(20), "y": 1.0}))
    with pytest.raises(ValueError, match="level"):
        AnomalyDetector(level=20).fit(data)
