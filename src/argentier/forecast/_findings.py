"""Anomalies as review findings (kind ``forecast.anomaly``): one per anomalous run of one series.

The payload is the anomaly itself (period, expected value and band, score, plain reason, drill-down to the
children), so a reviewer sees why it was raised; the confidence is ``1 - p`` of its peak score.

>>> from argentier.core.store import Store
>>> from argentier.core.review import ReviewService
>>> from argentier.forecast._anomalies import Anomaly
>>> service = ReviewService(Store.open("sqlite://"))
>>> anomaly = Anomaly("North", "2026-03-01", "2026-03-01", "2026-03-01", "spike", 4.0, 150.0, 100.0, 90.0,
...                   110.0, "above the band")
>>> [(f.kind, f.subject_id, f.payload["expected"]) for f in record_anomaly_findings(service, [anomaly])]
[('forecast.anomaly', 'North@2026-03-01', 100.0)]
>>> service.store.close()
"""

from __future__ import annotations

from collections.abc import Iterable

from argentier import __version__
from argentier.core.review import FindingRecord, Producer, ReviewService
from argentier.forecast._anomalies import Anomaly

__all__ = ["ANOMALY_KIND", "record_anomaly_findings"]

ANOMALY_KIND = "forecast.anomaly"
PRODUCER = Producer("forecast.anomalies", __version__, model="robust-decomposition+change-scans")


def record_anomaly_findings(service: ReviewService, anomalies: Iterable[Anomaly]) -> list[FindingRecord]:
    """Store each anomaly as a pending ``forecast.anomaly`` finding on subject ``series`` ``<id>@<start>``."""
    return [
        service.create_finding(
            kind=ANOMALY_KIND,
            subject_type="series",
            subject_id=f"{anomaly.unique_id}@{anomaly.start}"[:200],
            payload=anomaly.to_dict(),
            producer=PRODUCER,
            confidence=anomaly.confidence,
        )
        for anomaly in anomalies
    ]
