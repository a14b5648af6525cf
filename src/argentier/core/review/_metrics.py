"""Review metrics: how often people accept what the modules generate, and how long they take to decide.

Definitions (per group of findings: overall, per kind, per kind + producer model + version, per kind + week):

- ``total``: findings created; ``pending``: findings with no verdict yet; ``reviewed = total - pending``.
- Each reviewed finding counts once, by its **latest** verdict (a later verdict supersedes an earlier one):
  ``approved``, ``edited`` or ``rejected``. ``edited_lightly`` counts the edits whose edit distance is at most
  ``light_edit_threshold`` (default 0.2); the edit distance is ``1 - difflib ratio`` between the canonical
  JSON of the original and the edited payload (see :func:`argentier.core.review.edit_distance`).
- ``acceptance_rate = (approved + edited_lightly) / reviewed``, ``None`` when nothing was reviewed: a finding
  used as generated or after a light touch-up counts as accepted, the way published figures do ("80 % of
  generated regulatory summaries approved", "91.37 % of contract findings accepted").
- Time to review is measured from the finding's creation to its **first** verdict (how long it waited for a
  human; a later re-review does not stretch it). ``median`` and ``p90`` use linear interpolation between
  ranks (numpy's default); ``None`` when nothing was reviewed.
- Weeks are ISO weeks (``2026-W48``) of the finding's creation date in UTC.

>>> from argentier.core.store import Store
>>> from argentier.core.review import Producer, ReviewService
>>> service = ReviewService(Store.open("sqlite://"))
>>> ids = [service.create_finding(kind="contracts.clause", subject_type="document", subject_id="7",
...                               payload={"clause": "liability"}, producer=Producer("contracts", "1")).id
...        for _ in range(3)]
>>> _ = service.approve(ids[0], "alice"), service.reject(ids[1], "bob", "wrong clause")
>>> stats = review_stats(service.store)
>>> stats.overall.reviewed, stats.overall.pending, stats.overall.acceptance_rate
(2, 1, 0.5)
>>> service.store.close()
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from argentier.core.review._access import visible_findings
from argentier.core.review._records import as_utc, validate_kind
from argentier.core.store import Store
from argentier.core.store._review_models import Finding, Verdict
from argentier.errors import InputError

DEFAULT_LIGHT_EDIT_THRESHOLD = 0.2


@dataclass(frozen=True)
class ReviewCounts:
    """Counts, acceptance rate and time to review for one group of findings (see the module docstring)."""

    total: int
    reviewed: int
    approved: int
    edited: int
    edited_lightly: int
    rejected: int
    pending: int
    acceptance_rate: float | None
    median_seconds_to_review: float | None
    p90_seconds_to_review: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "reviewed": self.reviewed,
            "approved": self.approved,
            "edited": self.edited,
            "edited_lightly": self.edited_lightly,
            "rejected": self.rejected,
            "pending": self.pending,
            "acceptance_rate": self.acceptance_rate,
            "median_seconds_to_review": self.median_seconds_to_review,
            "p90_seconds_to_review": self.p90_seconds_to_review,
        }


@dataclass(frozen=True)
class StatsRow:
    """The counts of one group; the key fields that do not define the group are ``None``."""

    counts: ReviewCounts
    kind: str | None = None
    model: str | None = None
    version: str | None = None
    week: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model, "version": self.version, "week": self.week} | (
            self.counts.to_dict()
        )


@dataclass(frozen=True)
class ReviewStats:
    """Review metrics overall and broken down by kind, by producer version and by ISO week."""

    overall: ReviewCounts
    by_kind: tuple[StatsRow, ...]
    by_version: tuple[StatsRow, ...]
    by_week: tuple[StatsRow, ...]
    light_edit_threshold: float
    kind: str | None = None
    since: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_kind": [row.to_dict() for row in self.by_kind],
            "by_version": [row.to_dict() for row in self.by_version],
            "by_week": [row.to_dict() for row in self.by_week],
            "light_edit_threshold": self.light_edit_threshold,
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else None,
        }


def _quantile(ordered: list[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass
class _Tally:
    total: int = 0
    approved: int = 0
    edited: int = 0
    edited_lightly: int = 0
    rejected: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(
        self, action: str | None, distance: float | None, seconds: float | None, threshold: float
    ) -> None:
        self.total += 1
        if action is None:
            return
        self.seconds.append(float(seconds or 0.0))
        if action == "approve":
            self.approved += 1
        elif action == "reject":
            self.rejected += 1
        else:
            self.edited += 1
            if distance is not None and distance <= threshold:
                self.edited_lightly += 1

    def freeze(self) -> ReviewCounts:
        reviewed = self.approved + self.edited + self.rejected
        ordered = sorted(self.seconds)
        return ReviewCounts(
            total=self.total,
            reviewed=reviewed,
            approved=self.approved,
            edited=self.edited,
            edited_lightly=self.edited_lightly,
            rejected=self.rejected,
            pending=self.total - reviewed,
            acceptance_rate=(self.approved + self.edited_lightly) / reviewed if reviewed else None,
            median_seconds_to_review=statistics.median(ordered) if ordered else None,
            p90_seconds_to_review=_quantile(ordered, 0.9) if ordered else None,
        )


def review_stats(
    store: Store,
    *,
    kind: str | None = None,
    since: datetime | None = None,
    groups: Iterable[str] | None = None,
    public_group: str = "public",
    light_edit_threshold: float = DEFAULT_LIGHT_EDIT_THRESHOLD,
) -> ReviewStats:
    """Acceptance and time-to-review of the findings (of one ``kind``, created at or after ``since``, that
    ``groups`` may see); a naive ``since`` is read as UTC. See the module docstring for the definitions.

    ``public_group`` must match ``settings.search.public_group``; :meth:`ReviewService.stats` passes it.
    """
    if kind is not None:
        validate_kind(kind)
    if not 0.0 <= light_edit_threshold <= 1.0:
        raise InputError(f"light_edit_threshold must be between 0 and 1, got {light_edit_threshold}")
    since = as_utc(since) if since is not None else None
    bounds = (
        select(
            Verdict.finding_id,
            func.min(Verdict.id).label("first_id"),
            func.max(Verdict.id).label("latest_id"),
        )
        .group_by(Verdict.finding_id)
        .subquery()
    )
    first, latest = aliased(Verdict), aliased(Verdict)
    statement = (
        select(
            Finding.kind,
            Finding.producer_model,
            Finding.producer_version,
            Finding.created_at,
            latest.action,
            latest.edit_distance,
            first.seconds_to_review,
        )
        .outerjoin(bounds, bounds.c.finding_id == Finding.id)
        .outerjoin(first, first.id == bounds.c.first_id)
        .outerjoin(latest, latest.id == bounds.c.latest_id)
    )
    if kind is not None:
        statement = statement.where(Finding.kind == kind)
    if since is not None:
        statement = statement.where(Finding.created_at >= since)
    visible = visible_findings(groups, public_group)
    if visible is not None:
        statement = statement.where(visible)

    overall = _Tally()
    by_kind: dict[tuple, _Tally] = defaultdict(_Tally)
    by_version: dict[tuple, _Tally] = defaultdict(_Tally)
    by_week: dict[tuple, _Tally] = defaultdict(_Tally)
    with store.session() as session:
        for row_kind, model, version, created_at, action, distance, seconds in session.execute(statement):
            year, week, _ = as_utc(created_at).isocalendar()
            for tally in (
                overall,
                by_kind[(row_kind,)],
                by_version[(row_kind, model or "", version)],
                by_week[(row_kind, f"{year}-W{week:02d}")],
            ):
                tally.add(action, distance, seconds, light_edit_threshold)
    return ReviewStats(
        overall=overall.freeze(),
        by_kind=tuple(StatsRow(tally.freeze(), kind=key[0]) for key, tally in sorted(by_kind.items())),
        by_version=tuple(
            StatsRow(tally.freeze(), kind=key[0], model=key[1] or None, version=key[2])
            for key, tally in sorted(by_version.items())
        ),
        by_week=tuple(
            StatsRow(tally.freeze(), kind=key[0], week=key[1]) for key, tally in sorted(by_week.items())
        ),
        light_edit_threshold=light_edit_threshold,
        kind=kind,
        since=since,
    )
