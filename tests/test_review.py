import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from argentier.core.grounding import Evidence, find_quote
from argentier.core.review import Producer, ReviewService, edit_distance, review_stats
from argentier.errors import AccessDeniedError, InputError, NotFoundError

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, ISO week 2026-W10
SUMMARY = {"summary": "From 1 January 2027 the VAT rate on e-books falls from 20% to 5.5% in France."}


class Clock:
    """A settable "now", so creation times and review times are known."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(store, settings, clock):
    return ReviewService(store, settings, clock=clock)


def _create(service, kind="regwatch.summary", payload=SUMMARY, version="1.0", **options):
    options.setdefault("subject_type", "document")
    options.setdefault("subject_id", "12")
    producer = Producer(kind.split(".")[0] or "test", version, model=options.pop("model", "mistral-7b"))
    return service.create_finding(kind=kind, payload=payload, producer=producer, **options)


def test_create_get_and_list(service):
    first = _create(service, confidence=0.8)
    second = _create(
        service, kind="fraud.alert", subject_type="transaction", subject_id=42, payload={"score": 1}
    )
    assert first.status == "pending" and first.latest_verdict is None
    assert first.created_at == START
    assert second.subject_id == "42" and second.confidence is None
    assert service.get_finding(first.id) == first
    assert [f.id for f in service.list_findings()] == [first.id, second.id]
    assert [f.id for f in service.list_findings(kind="fraud.alert")] == [second.id]
    assert [f.id for f in service.list_findings(subject_id="42")] == [second.id]
    assert [f.id for f in service.list_findings(status="pending", limit=1, offset=1)] == [second.id]
    assert service.list_findings(status="approved") == []
    data = first.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["producer"] == {"module": "regwatch", "model": "mistral-7b", "version": "1.0"}
    assert data["subject"] == {"type": "document", "id": "12"}


def test_status_follows_the_latest_verdict_and_the_original_payload_stays(service, clock):
    finding = _create(service)
    clock.advance(minutes=5)
    rejected = service.reject(finding.id, "alice", "misses the effective date")
    assert rejected.status == "rejected"
    assert rejected.latest_verdict.seconds_to_review == 300
    clock.advance(minutes=5)
    corrected = {"summary": SUMMARY["summary"].replace("20%", "20 %") + " Applies to digital books only."}
    edited = service.edit(finding.id, "bob", corrected, reason="added scope")
    assert edited.status == "edited"
    assert edited.payload == SUMMARY
    assert edited.current_payload == corrected
    assert 0 < edited.latest_verdict.edit_distance < 0.5
    assert edited.latest_verdict.seconds_to_review == 600
    clock.advance(minutes=1)
    approved = service.approve(finding.id, "carol")
    assert approved.status == "approved" and approved.current_payload == SUMMARY
    assert service.list_findings(status="approved")[0].id == finding.id
    history = service.history(finding.id)
    assert [(v.action, v.reviewer) for v in history.verdicts] == [
        ("reject", "alice"),
        ("edit", "bob"),
        ("approve", "carol"),
    ]
    assert history.verdicts[0].reason == "misses the effective date"
    assert history.verdicts[1].edited_payload == corrected
    assert service.get_finding(finding.id).payload == SUMMARY
    assert history.finding.latest_verdict == history.verdicts[-1]


def test_every_action_writes_one_audit_event(service, clock):
    finding = _create(service)
    service.approve(finding.id, "alice")
    service.edit(finding.id, "bob", {"summary": "Shorter."})
    service.reject(finding.id, "carol", "wrong country")
    audit = service.history(finding.id).audit
    assert [(event.action, event.actor) for event in audit] == [
        ("finding.create", "regwatch"),
        ("finding.approve", "alice"),
        ("finding.edit", "bob"),
        ("finding.reject", "carol"),
    ]
    assert audit[0].details["kind"] == "regwatch.summary"
    assert [event.details.get("status_after") for event in audit[1:]] == ["approved", "edited", "rejected"]
    assert [event.details.get("status_before") for event in audit[1:]] == ["pending", "approved", "edited"]
    assert audit[3].details["reason"] == "wrong country"
    assert all(event.object_type == "finding" and event.object_id == str(finding.id) for event in audit)
    json.dumps(service.history(finding.id).to_dict())


@pytest.mark.parametrize("table", ["verdicts", "audit_events"])
def test_the_database_refuses_to_rewrite_history(service, store, table):
    finding = _create(service)
    service.reject(finding.id, "alice", "wrong")
    column = "reviewer" if table == "verdicts" else "actor"
    statements = [f"UPDATE {table} SET {column} = 'mallory'", f"DELETE FROM {table}"]
    if store.dialect == "postgresql":
        statements.append(f"TRUNCATE {table} CASCADE")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as connection:
                connection.execute(text(statement))
    with store.engine.connect() as connection:
        assert (
            connection.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = 'mallory'")).scalar() == 0
        )
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() >= 1
    assert service.history(finding.id).verdicts[0].reviewer == "alice"


def test_bad_input_is_refused(service):
    finding = _create(service)
    with pytest.raises(NotFoundError):
        service.get_finding(finding.id + 100)
    with pytest.raises(NotFoundError):
        service.approve(finding.id + 100, "alice")
    for bad in ("regwatch", "RegWatch.summary", "regwatch.", "a b.c", ""):
        with pytest.raises(InputError, match="module.name"):
            _create(service, kind=bad)
    with pytest.raises(InputError, match="reviewer"):
        service.approve(finding.id, "  ")
    with pytest.raises(InputError, match="reason"):
        service.reject(finding.id, "alice", " ")
    with pytest.raises(InputError, match="edited payload"):
        service.edit(finding.id, "alice", None)
    with pytest.raises(InputError, match="JSON object"):
        service.edit(finding.id, "alice", ["not", "an", "object"])
    with pytest.raises(InputError, match="confidence"):
        _create(service, confidence=1.5)
    with pytest.raises(InputError, match="not valid JSON"):
        _create(service, payload={"when": datetime.now()})
    with pytest.raises(InputError, match="status"):
        service.list_findings(status="done")
    with pytest.raises(InputError, match="subject_id"):
        _create(service, subject_id="")
    with pytest.raises(InputError, match="producer version"):
        Producer("regwatch", "")
    with pytest.raises(InputError, match="groups"):
        service.list_findings(groups="treasury")
    assert service.history(finding.id).verdicts == ()
    assert len(service.history(finding.id).audit) == 1


def test_edit_distance():
    text_ = {"summary": "The supplier must deliver within ten working days of the purchase order."}
    assert edit_distance(text_, dict(text_)) == 0.0
    assert edit_distance({"a": 1, "b": 2}, {"b": 2, "a": 1}) == 0.0
    light = edit_distance(text_, {"summary": text_["summary"].replace("ten", "fifteen")})
    heavy = edit_distance(text_, {"summary": "Not applicable."})
    assert 0 < light < 0.2 < 0.5 < heavy <= 1.0
    assert edit_distance({"x": "aaaa"}, {"y": [1, 2, 3]}) > 0.5


def _known_set(service, clock):
    """10 reviewed (6 approved, 2 lightly edited, 1 heavily edited, 1 rejected) and 3 pending."""
    findings = [_create(service, subject_id=str(n)) for n in range(13)]
    ids = [finding.id for finding in findings]
    light = {"summary": SUMMARY["summary"].replace("France", "France.")}
    heavy = {"summary": "Nothing relevant."}
    for minutes, finding_id in enumerate(ids[:10], start=1):
        clock.now = START + timedelta(minutes=minutes)
        if finding_id == ids[0]:
            service.reject(finding_id, "alice", "too vague")  # superseded by the approval below
            clock.advance(hours=5)
            service.approve(finding_id, "bob")
        elif finding_id in ids[1:6]:
            service.approve(finding_id, "alice")
        elif finding_id in ids[6:8]:
            service.edit(finding_id, "alice", light)
        elif finding_id == ids[8]:
            service.edit(finding_id, "alice", heavy)
        else:
            service.reject(finding_id, "alice", "wrong regulation")
    return ids


def test_acceptance_rate_on_a_known_set(service, clock):
    _known_set(service, clock)
    overall = service.stats().overall
    assert (overall.total, overall.reviewed, overall.pending) == (13, 10, 3)
    assert (overall.approved, overall.edited, overall.edited_lightly, overall.rejected) == (6, 3, 2, 1)
    assert overall.acceptance_rate == pytest.approx(8 / 10)
    # First verdicts came 1..10 minutes after creation: median 5.5 min, p90 at rank 8.1 of 0..9 -> 9.1 min.
    assert overall.median_seconds_to_review == pytest.approx(330)
    assert overall.p90_seconds_to_review == pytest.approx(546)
    strict = service.stats(light_edit_threshold=0.0).overall
    assert strict.edited_lightly == 0 and strict.acceptance_rate == pytest.approx(6 / 10)
    assert service.stats(kind="fraud.alert").overall.acceptance_rate is None
    assert service.stats(kind="fraud.alert").overall.median_seconds_to_review is None
    with pytest.raises(InputError):
        service.stats(light_edit_threshold=1.5)


def test_stats_by_kind_version_and_iso_week(service, clock):
    clock.now = datetime(2025, 12, 29, 23, 30, tzinfo=timezone.utc)  # Monday of ISO week 2026-W01
    old = _create(service, version="1.0")
    clock.now = datetime(2026, 1, 5, 1, 0, tzinfo=timezone(timedelta(hours=3)))  # Sunday 22:00 UTC, still W01
    late = _create(service, version="1.0")
    clock.now = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)  # 2026-W02
    new = _create(service, version="2.0")
    clause = _create(service, kind="contracts.clause", version="0.1", model=None, payload={"clause": "x"})
    service.approve(old.id, "alice")
    service.reject(late.id, "alice", "no")
    service.approve(new.id, "alice")
    stats = service.stats()
    weeks = {(row.kind, row.week): row.counts for row in stats.by_week}
    assert set(weeks) == {
        ("regwatch.summary", "2026-W01"),
        ("regwatch.summary", "2026-W02"),
        ("contracts.clause", "2026-W02"),
    }
    assert weeks[("regwatch.summary", "2026-W01")].acceptance_rate == 0.5
    assert weeks[("regwatch.summary", "2026-W02")].acceptance_rate == 1.0
    versions = {(row.kind, row.model, row.version): row.counts for row in stats.by_version}
    assert versions[("regwatch.summary", "mistral-7b", "1.0")].reviewed == 2
    assert versions[("regwatch.summary", "mistral-7b", "2.0")].approved == 1
    assert versions[("contracts.clause", None, "0.1")].pending == 1
    kinds = {row.kind: row.counts.total for row in stats.by_kind}
    assert kinds == {"regwatch.summary": 3, "contracts.clause": 1}
    since = service.stats(since=datetime(2026, 1, 5, 9, 0))  # naive: read as UTC
    assert since.overall.total == 2
    assert service.list_findings(kind="contracts.clause")[0].id == clause.id
    data = stats.to_dict()
    assert json.loads(json.dumps(data)) == data


def test_findings_follow_the_access_of_their_document(library, settings, clock):
    service = ReviewService(library.store, settings, clock=clock)
    text_ = "Treasury policy. The net debt to EBITDA covenant must stay below 3.0x at each quarter end."
    secret = library.add_text(text_, title="Treasury policy", groups=["treasury"]).document
    public = library.add_text("Expense claims above 500 EUR need approval.", title="Expenses").document
    span = find_quote(text_, "net debt to EBITDA covenant must stay below 3.0x")
    hidden = _create(
        service,
        kind="contracts.clause",
        document_id=secret.id,
        evidence=[Evidence.from_span(text_, span.start, span.end)],
        payload={"clause": "covenant"},
    )
    open_ = _create(service, document_id=public.id)
    loose = _create(
        service, kind="fraud.alert", subject_type="transaction", subject_id="tx-1", payload={"s": 1}
    )

    sales = ["sales"]
    for call in (
        lambda: service.get_finding(hidden.id, groups=sales),
        lambda: service.history(hidden.id, groups=sales),
        lambda: service.approve(hidden.id, "eve", groups=sales),
        lambda: service.edit(hidden.id, "eve", {"clause": "none"}, groups=sales),
        lambda: service.reject(hidden.id, "eve", "meh", groups=sales),
    ):
        with pytest.raises(AccessDeniedError):
            call()
    assert service.history(hidden.id).verdicts == ()  # nothing was written by the refused calls
    assert [f.id for f in service.list_findings(groups=sales)] == [open_.id, loose.id]
    assert service.stats(groups=sales).overall.total == 2
    assert [f.id for f in service.list_findings(groups=["treasury"])] == [hidden.id, open_.id, loose.id]
    assert service.approve(hidden.id, "tina", groups=["treasury"]).status == "approved"
    assert service.get_finding(hidden.id).evidence[0].quote == text_[span.start : span.end]
    assert len(service.list_findings()) == 3

    # Deleting the document keeps the finding and its history, but only the owner may still see it.
    library.remove_document(secret.id)
    kept = service.get_finding(hidden.id)
    assert kept.document_id is None and kept.source_document_id == secret.id
    assert service.history(hidden.id).verdicts[0].reviewer == "tina"
    with pytest.raises(AccessDeniedError):
        service.get_finding(hidden.id, groups=["treasury"])
    assert hidden.id not in [f.id for f in service.list_findings(groups=["treasury"])]


def test_evidence_must_be_verbatim_text_of_its_document(library, settings):
    service = ReviewService(library.store, settings)
    text_ = "3.2 The Customer shall pay each undisputed invoice within forty-five days."
    document = library.add_text(text_, title="Terms").document
    good = Evidence.from_span(text_, 4, 16)
    finding = _create(service, document_id=document.id, evidence=[good, good.to_dict()])
    assert finding.evidence == (good, good)
    with pytest.raises(InputError, match="not verbatim"):
        _create(service, document_id=document.id, evidence=[Evidence("The Supplier", 4, 16)])
    with pytest.raises(NotFoundError):
        _create(service, document_id=document.id + 1000)
    assert [f.id for f in service.list_findings()] == [finding.id]


def test_review_stats_function_matches_the_service(service, store, clock):
    _known_set(service, clock)
    assert review_stats(store) == service.stats()


@pytest.mark.parametrize("module", ["", "._service", "._metrics", "._records"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"argentier.core.review{module}"))
    assert result.attempted > 0 and result.failed == 0
