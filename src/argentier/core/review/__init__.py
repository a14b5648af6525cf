"""Human review of everything Argentier generates: findings, verdicts, acceptance metrics and the audit log.

Every module stores what it generates (a summary, a clause, an alert, an anomaly) as a *finding* with its
provenance: the source document, verbatim evidence spans, the producer and version, and a confidence. People
approve, edit or reject findings; each verdict is appended (never rewritten) and the finding's status follows
the latest one. :func:`review_stats` turns the verdicts into acceptance rates and review times.

>>> from argentier.core.store import Store
>>> service = ReviewService(Store.open("sqlite://"))
>>> finding = service.create_finding(kind="regwatch.summary", subject_type="document", subject_id="12",
...                                  payload={"summary": "VAT on e-books falls to 5.5%."},
...                                  producer=Producer("regwatch.summarise", "0.3", model="mistral-7b"))
>>> edited = service.edit(finding.id, "carol", {"summary": "VAT on e-books falls to 5.5% from 2027."})
>>> edited.status, edited.payload["summary"], edited.current_payload["summary"]
('edited', 'VAT on e-books falls to 5.5%.', 'VAT on e-books falls to 5.5% from 2027.')
>>> service.store.close()
"""

from argentier.core.review._access import visible_findings
from argentier.core.review._metrics import (
    DEFAULT_LIGHT_EDIT_THRESHOLD,
    ReviewCounts,
    ReviewStats,
    StatsRow,
    review_stats,
)
from argentier.core.review._records import (
    AuditRecord,
    FindingHistory,
    FindingRecord,
    FindingStatus,
    Producer,
    VerdictAction,
    VerdictRecord,
    edit_distance,
    validate_kind,
)
from argentier.core.review._service import ReviewService
from argentier.core.store._review_models import FINDING_STATUSES, VERDICT_ACTIONS

__all__ = [
    "DEFAULT_LIGHT_EDIT_THRESHOLD",
    "FINDING_STATUSES",
    "VERDICT_ACTIONS",
    "AuditRecord",
    "FindingHistory",
    "FindingRecord",
    "FindingStatus",
    "Producer",
    "ReviewCounts",
    "ReviewService",
    "ReviewStats",
    "StatsRow",
    "VerdictAction",
    "VerdictRecord",
    "edit_distance",
    "review_stats",
    "validate_kind",
    "visible_findings",
]
