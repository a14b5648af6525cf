"""Alerts as review findings, and analysts' verdicts back as labels.

Every transaction decided ``review`` or ``block`` becomes a finding of kind ``fraud.alert`` in the human review
queue (subject: the transaction), with the score as confidence and the reasons and fired rules in the payload.
An analyst approves the alert (fraud confirmed), rejects it (genuine), or edits it with ``{"is_fraud": false}``;
:func:`alert_labels` turns the verdicts into ``transaction_id, is_fraud, label_time`` rows, with the verdict's
time as the moment the label became known, ready for training, scoring (``--labels``) and ``Scorer.label``.

>>> import pandas as pd
>>> from argentier.core.store import Store
>>> from argentier.core.review import ReviewService
>>> service = ReviewService(Store.open("sqlite://"))
>>> scored = pd.DataFrame({"transaction_id": ["t1", "t2"], "timestamp": pd.to_datetime(["2024-01-01"] * 2),
...                        "customer_id": ["c"] * 2, "score": [950.0, 10.0], "decision": ["block", "approve"],
...                        "rules": ["score_block", ""], "reasons": ["amount=900 (+2.10)", ""]})
>>> [finding.subject_id for finding in raise_alerts(service, scored, model_version="abc")]
['t1']
>>> _ = service.approve(1, "alice")
>>> alert_labels(service).is_fraud.tolist()
[1]
>>> service.store.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from argentier.core.review import FindingRecord, Producer, ReviewService
from argentier.fraud._drift import DriftReport

if TYPE_CHECKING:
    import pandas as pd

ALERT_KIND = "fraud.alert"
_PAGE = 10_000


def _all_alerts(service: ReviewService, status: str | None = None) -> list[FindingRecord]:
    found, offset = [], 0
    while True:
        page = service.list_findings(kind=ALERT_KIND, status=status, limit=_PAGE, offset=offset)
        found += page
        if len(page) < _PAGE:
            return found
        offset += _PAGE


def raise_alerts(
    service: ReviewService,
    scored: pd.DataFrame,
    *,
    model_version: str,
    outcomes: tuple[str, ...] = ("review", "block"),
) -> list[FindingRecord]:
    """One pending ``fraud.alert`` finding per scored transaction with one of ``outcomes``; a transaction that
    already has an alert is not alerted twice."""
    already = {finding.subject_id for finding in _all_alerts(service)}
    created = []
    for row in scored[scored.decision.isin(outcomes)].itertuples(index=False):
        if str(row.transaction_id) in already:
            continue
        payload = {
            "transaction_id": str(row.transaction_id),
            "timestamp": str(row.timestamp),
            "customer_id": str(row.customer_id),
            # With the terminal, a verdict on this alert can also reach a live scorer's terminal history.
            "terminal_id": str(row.terminal_id) if hasattr(row, "terminal_id") else None,
            "score": round(float(row.score), 3),
            "decision": row.decision,
            "rules": [name for name in str(row.rules or "").split(";") if name],
            "reasons": [reason for reason in str(row.reasons or "").split("; ") if reason],
        }
        created.append(
            service.create_finding(
                kind=ALERT_KIND,
                subject_type="transaction",
                subject_id=str(row.transaction_id),
                payload=payload,
                producer=Producer("fraud.model", model_version),
                confidence=min(max(float(row.score) / 1000, 0.0), 1.0),
            )
        )
    return created


def alert_labels(service: ReviewService) -> pd.DataFrame:
    """Labels from reviewed alerts: approved = fraud, rejected = genuine, edited = the edit's ``is_fraud``."""
    import pandas as pd

    rows = []
    for finding in _all_alerts(service):
        verdict = finding.latest_verdict
        if verdict is None:
            continue
        if finding.status == "edited":
            is_fraud = bool(finding.current_payload.get("is_fraud", True))
        else:
            is_fraud = finding.status == "approved"
        at = pd.Timestamp(verdict.at)
        rows.append(
            {
                "transaction_id": finding.subject_id,
                "is_fraud": int(is_fraud),
                "label_time": at.tz_convert("UTC").tz_localize(None) if at.tzinfo else at,
            }
        )
    return pd.DataFrame(rows, columns=["transaction_id", "is_fraud", "label_time"])


DRIFT_KIND = "fraud.drift"


def record_drift(
    service: ReviewService, report: DriftReport, *, model_version: str, period: str
) -> FindingRecord | None:
    """A ``fraud.drift`` finding on the model when the report shows a major shift (``None`` otherwise), so that
    someone decides on a retrain."""
    if not report.drifted:
        return None
    return service.create_finding(
        kind=DRIFT_KIND,
        subject_type="model",
        subject_id=model_version,
        payload={"period": period, **report.to_dict()},
        producer=Producer("fraud.drift", model_version),
    )
