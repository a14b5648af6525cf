"""Stored groups of related updates (grouped as they arrive, resumed across runs) and versions of changed pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scripted_http import JSONHandler, ScriptedServer, serving
from sqlalchemy import delete, select, update

from argentier.core.store import DocumentGroup
from argentier.core.store._regwatch_models import RegwatchUpdate
from argentier.errors import NotFoundError
from argentier.regwatch.groups import group_new_updates
from argentier.regwatch.sources import RegWatch

MINISTRY = (
    "E-invoicing: France postpones the mandate",
    "The Ministry of Economy announced that the e-invoicing mandate for businesses is postponed. Large and "
    "mid-sized companies must issue electronic invoices from 1 September 2026, small businesses from "
    "1 September 2027. Every business must be able to receive e-invoices from 1 September 2026.",
)
LAW_FIRM = (
    "Client alert: French e-invoicing mandate delayed to September 2026",
    "France has confirmed a new timetable for mandatory e-invoicing: reception from 1 September 2026 for all "
    "businesses, issuance for large companies in September 2026 and for small businesses in September 2027.",
)
UNRELATED = (
    "UK plastic packaging tax rate rises in April 2027",
    "HMRC confirmed the plastic packaging tax rate will rise to 223.69 pounds per tonne from 1 April 2027 for "
    "packaging with less than 30% recycled plastic. Importers and manufacturers must register above 10 tonnes.",
)


@pytest.fixture
def watch(library):
    return RegWatch(library, min_interval_s=0.0, timeout_s=5.0)


def test_related_updates_share_a_group_and_a_timeline(watch):
    first = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    second = watch.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    other = watch.add_update(UNRELATED[1], jurisdiction="GB", title=UNRELATED[0])
    assert first.update.group_id is not None
    assert second.update.group_id == first.update.group_id
    assert other.update.group_id not in (None, first.update.group_id)
    group = watch.get_group(first.update.group_id)
    assert set(group.members) == {first.update.id, second.update.id}
    assert group.canonical_title in (MINISTRY[0], LAW_FIRM[0])
    assert group.jurisdictions == ("FR",)
    assert [len(g.members) for g in watch.list_groups(min_members=2)] == [2]
    assert {g.id for g in watch.list_groups()} == {first.update.group_id, other.update.group_id}
    data = group.to_dict()
    assert data["members"] == list(group.members) and data["timeline"][0]["title"]


def test_grouping_resumes_from_the_store_without_re_deciding(watch, library):
    first = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    with library.store.session() as session:
        row = session.scalars(select(RegwatchUpdate)).one()
        assert row.group_vector is not None and len(row.group_vector) == 4 * library.embedder.dimensions
    assert group_new_updates(watch).assignments == ()  # nothing new: nothing placed
    # A fresh RegWatch (a later run) restores the stored state and places only the new update.
    later = RegWatch(library, min_interval_s=0.0)
    second = later.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    assert second.update.group_id == first.update.group_id
    assert later.get_group(first.update.group_id).members == (first.update.id, second.update.id)


def test_threshold_comes_from_the_settings(library):
    strict = library.settings.model_copy(
        update={"regwatch": library.settings.regwatch.model_copy(update={"group_threshold": 1.5})}
    )
    watch = RegWatch(library, strict, min_interval_s=0.0)
    first = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    second = watch.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    assert first.update.group_id != second.update.group_id  # no pair can score 1.5


def test_timeline_is_ordered_by_publication_date(watch, library):
    first = watch.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    second = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    with library.store.session() as session:
        session.execute(
            update(RegwatchUpdate)
            .where(RegwatchUpdate.id == second.update.id)
            .values(published_at=datetime(2026, 10, 1, tzinfo=UTC))
        )
    timeline = watch.get_group(first.update.group_id).timeline
    assert [entry.update_id for entry in timeline] == [second.update.id, first.update.id]  # undated last
    assert timeline[0].published.isoformat() == "2026-10-01"


def test_unknown_group_is_not_found(watch):
    with pytest.raises(NotFoundError, match="no update group"):
        watch.get_group(999)


def test_groups_respect_document_access(watch, library):
    first = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    second = watch.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    with library.store.session() as session:  # restrict the law firm's alert to the tax team
        session.execute(delete(DocumentGroup).where(DocumentGroup.document_id == second.update.document_id))
        session.add(DocumentGroup(document_id=second.update.document_id, group_name="tax"))
    group_id = first.update.group_id
    assert watch.get_group(group_id, groups=["tax"]).members == (first.update.id, second.update.id)
    outsider = watch.get_group(group_id, groups=["sales"])
    assert outsider.members == (first.update.id,)
    assert outsider.canonical_title == MINISTRY[0]  # never the title of a member the caller cannot read
    assert watch.list_groups(min_members=2, groups=["sales"]) == []


class _PageHandler(JSONHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self.server.page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _page(paragraph: str) -> str:
    return (
        "<html><head><title>VAT news</title></head><body><main><h1>VAT rates for 2027</h1>"
        f"<p>{paragraph}</p></main></body></html>"
    )


def test_a_changed_page_is_stored_as_its_next_version_in_the_same_group(watch, library):
    server = ScriptedServer(_PageHandler)
    server.page = _page("The standard VAT rate stays at 20% in 2027 and the reduced rate at 5.5% for books.")
    with serving(server):
        url = server.base_url.removesuffix("/v1") + "/vat.html"
        watch.add_source(url, jurisdiction="FR", kind="page")
        assert watch.fetch_all().new == 1
        again = watch.fetch_all()
        assert (again.new, again.duplicates) == (0, 1)  # same text: nothing stored
        server.page = _page("The standard VAT rate rises to 21% on 1 July 2027; the reduced rate stays 5.5%.")
        changed = watch.fetch_all()
    assert changed.new == 1
    versions = sorted(watch.list_updates(), key=lambda u: u.version)
    assert [(u.url, u.version) for u in versions] == [(url, 1), (url, 2)]
    assert versions[1].previous_id == versions[0].id
    assert versions[1].group_id == versions[0].group_id  # a new version follows its page's group
    assert changed.grouping.assignments == ((versions[1].id, versions[0].group_id, False, None),)
    # Both versions keep their own document: the first is not replaced by the second.
    texts = [library.get_document(u.document_id).parsed.text for u in versions]
    assert "20%" in texts[0] and "21%" in texts[1]


def test_migration_0008_keeps_existing_updates_and_goes_back(database_url):
    from sqlalchemy import text

    from argentier.core.store import Store

    store = Store.open(database_url, migrate=False)
    try:
        store.upgrade("0006")
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO collections (id, name, created_at) VALUES (1, 'regwatch', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO documents (id, collection_id, title, format, source_hash, content_hash, text,"
                    " structure, meta, n_chunks, created_at, updated_at) VALUES (1, 1, 't', 'txt', 'h', 'h',"
                    " 'VAT', '{}', '{}', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO regwatch_updates (id, document_id, url, title, jurisdiction, retrieved_at,"
                    " content_hash) VALUES (1, 1, 'https://x.test/a', 'VAT', 'FR', CURRENT_TIMESTAMP, 'h')"
                )
            )
        store.upgrade("0008")
        with store.engine.connect() as connection:
            row = connection.execute(text("SELECT url, version, group_id FROM regwatch_updates")).one()
        assert tuple(row) == ("https://x.test/a", 1, None)
        from alembic import command

        config = store._alembic_config()
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT url FROM regwatch_updates")).scalar_one() == "https://x.test/a"
    finally:
        store.close()


def test_group_summary_quotes_its_members_verbatim_and_once(watch, library):
    from argentier.regwatch.group_summary import summarise_group

    first = watch.add_update(MINISTRY[1], jurisdiction="FR", title=MINISTRY[0])
    second = watch.add_update(LAW_FIRM[1], jurisdiction="FR", title=LAW_FIRM[0])
    summary = summarise_group(watch, first.update.group_id, max_words=60)
    assert summary.title == watch.get_group(first.update.group_id).canonical_title
    assert len(summary.summary.split()) <= 60
    documents = {first.update.document_id, second.update.document_id}
    for document_id, sentence in summary.sentences:
        assert document_id in documents
        assert sentence.matches(library.get_document(document_id).parsed.text)
    quotes = [" ".join(sentence.quote.split()) for _, sentence in summary.sentences]
    assert len(quotes) == len(set(quotes))
    assert summary.dates["effective"] == "2026-09-01"
    assert summary.to_dict()["sentences"][0]["document_id"] in documents
