"""Regulatory-watch sources against a real local HTTP server: feeds, pages, conditional requests, failures."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from argentier.cli._common import AppContext
from argentier.cli._regwatch import regwatch_group
from argentier.errors import InputError
from argentier.regwatch._feeds import parse_date, parse_feed
from argentier.regwatch.sources import RegWatch

RSS_ETAG = '"dgfip-rss-v1"'
RSS_MODIFIED = "Tue, 03 Nov 2026 09:00:00 GMT"
ATOM_ETAG = '"bmf-atom-v1"'

NAV = "<nav><a href='/'>Accueil</a> | <a href='/particuliers'>Particuliers</a> | Menu principal du site</nav>"
FOOTER = "<footer>Mentions légales | Plan du site | Accessibilité : partiellement conforme</footer>"


def _article(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>{NAV}"
        f"<main><article><h1>{title}</h1>{body}</article></main>{FOOTER}</body></html>"
    ).encode()


VAT_PAGE = _article(
    "TVA : nouveau taux réduit sur les travaux de rénovation énergétique",
    "<p>À compter du 1er janvier 2027, le taux réduit de TVA applicable aux travaux de rénovation énergétique "
    "passe de 5,5 % à 7 %.</p><p>Les acomptes encaissés avant cette date restent soumis au taux de 5,5 %.</p>",
)
EINVOICE_PAGE = _article(
    "Facturation électronique : calendrier de généralisation",
    "<p>Toutes les entreprises devront pouvoir recevoir des factures électroniques au 1er septembre 2026.</p>"
    "<p>L'obligation d'émission s'appliquera aux PME et microentreprises au 1er septembre 2027.</p>",
)

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>impots.gouv.fr - Actualités</title><link>/</link>
<item><title>TVA : nouveau taux réduit sur les travaux de rénovation énergétique</title>
<link>/articles/tva-taux.html</link><pubDate>Tue, 03 Nov 2026 10:30:00 +0100</pubDate>
<description>Le taux réduit change au 1er janvier 2027.</description></item>
<item><title>Facturation électronique : calendrier</title>
<link>/articles/e-invoicing.html</link><pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate>
<description>Le calendrier de la réforme est confirmé.</description></item>
</channel></rss>""".encode()

ATOM_CONTENT = (
    "Das Bundesministerium der Finanzen hat das überarbeitete Anwendungsschreiben zur obligatorischen "
    "E-Rechnung veröffentlicht. Ab dem 1. Januar 2025 müssen alle inländischen Unternehmen E-Rechnungen "
    "empfangen können. Für die Ausstellung gelten Übergangsregelungen bis Ende 2026 beziehungsweise 2027 für "
    "Unternehmen mit einem Vorjahresumsatz bis 800.000 Euro. Zulässige Formate sind XRechnung und ZUGFeRD ab "
    "Version 2.0.1 mit Ausnahme der Profile MINIMUM und BASIC-WL. Papierrechnungen und PDF-Rechnungen gelten "
    "in der Übergangszeit weiterhin als sonstige Rechnungen. Das Schreiben ersetzt die Entwurfsfassung."
)
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>BMF Pressemitteilungen</title><id>urn:bmf</id>
<updated>2026-10-15T12:00:00+02:00</updated>
<entry><title>E-Rechnung: überarbeitetes BMF-Schreiben</title><id>urn:bmf:1</id>
<link rel="alternate" href="/bmf/e-rechnung"/><published>2026-10-15T12:00:00+02:00</published>
<updated>2026-10-16T09:00:00+02:00</updated><content type="text">{ATOM_CONTENT}</content></entry>
</feed>""".encode()

RELIST = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Miroir</title>
<item><title>TVA (reprise)</title><link>/articles/tva-taux-copie.html</link>
<pubDate>Wed, 04 Nov 2026 08:00:00 GMT</pubDate><description>Reprise.</description></item>
</channel></rss>"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.requests.append((self.path, time.monotonic(), dict(self.headers)))
        routes = {
            "/rss.xml": (RSS, "application/rss+xml", RSS_ETAG, RSS_MODIFIED),
            "/atom.xml": (ATOM, "application/atom+xml; charset=utf-8", ATOM_ETAG, None),
            "/relist.xml": (RELIST, "application/rss+xml", None, None),
            "/bad.xml": (b"<html><body>Maintenance", "text/xml", None, None),
            "/articles/tva-taux.html": (VAT_PAGE, "text/html; charset=utf-8", None, None),
            "/articles/tva-taux-copie.html": (VAT_PAGE, "text/html; charset=utf-8", None, None),
            "/articles/e-invoicing.html": (EINVOICE_PAGE, "text/html; charset=utf-8", None, None),
        }
        if self.path == "/down.xml":
            self.send_error(500, "Internal Server Error")
            return
        if self.path not in routes:
            self.send_error(404, "Not Found")
            return
        body, content_type, etag, modified = routes[self.path]
        if (etag and self.headers.get("If-None-Match") == etag) or (
            modified and not etag and self.headers.get("If-Modified-Since") == modified
        ):
            with server.lock:
                server.not_modified += 1
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        if modified:
            self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.lock = threading.Lock()
    httpd.requests = []
    httpd.not_modified = 0
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def watch(library):
    return RegWatch(library, min_interval_s=0.05, timeout_s=5.0)


def test_parse_feed_and_dates():
    rss = parse_feed(RSS, base_url="https://www.impots.gouv.fr/rss.xml")
    assert [i.link for i in rss] == [
        "https://www.impots.gouv.fr/articles/tva-taux.html",
        "https://www.impots.gouv.fr/articles/e-invoicing.html",
    ]
    assert rss[0].published == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    (entry,) = parse_feed(ATOM)
    assert entry.published == datetime(2026, 10, 15, 10, 0, tzinfo=UTC)
    assert entry.summary == ATOM_CONTENT
    assert parse_date("2026-11-02") == datetime(2026, 11, 2, tzinfo=UTC)
    for bad in (b"<html><body>x</body></html>", b"not xml at all", b""):
        with pytest.raises(InputError):
            parse_feed(bad)


def test_fetch_adds_updates_then_conditional_requests_add_nothing(watch, server, library):
    watch.add_source(server.url + "/rss.xml", jurisdiction="fr", language="fr")
    watch.add_source(server.url + "/atom.xml", jurisdiction="DE", language="de")

    report = watch.fetch_all()
    assert [(s.status, s.new, s.duplicates) for s in report.sources] == [("ok", 2, 0), ("ok", 1, 0)]
    updates = {u.url: u for u in watch.list_updates()}
    vat = updates[server.url + "/articles/tva-taux.html"]
    assert vat.jurisdiction == "FR" and vat.language == "fr"
    assert vat.published_at == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    assert vat.title.startswith("TVA : nouveau taux réduit")
    text = library.get_document(vat.document_id).parsed.text
    assert "passe de 5,5 % à 7 %" in text
    assert "Menu principal" not in text and "Mentions légales" not in text
    document = library.get_document(vat.document_id).info
    assert document.collection == "regwatch" and document.meta["jurisdiction"] == "FR"
    atom = updates[server.url + "/bmf/e-rechnung"]
    assert atom.jurisdiction == "DE"
    # The Atom entry carries its full text, so its (missing) page was never requested.
    assert not any(path == "/bmf/e-rechnung" for path, _, _ in server.requests)
    assert "XRechnung und ZUGFeRD" in library.get_document(atom.document_id).parsed.text

    before = len(server.requests)
    again = watch.fetch_all()
    assert [(s.status, s.new) for s in again.sources] == [("not-modified", 0), ("not-modified", 0)]
    assert server.not_modified == 2
    conditional = [headers for _, _, headers in server.requests[before:]]
    assert conditional[0]["If-None-Match"] == RSS_ETAG
    assert conditional[0]["If-Modified-Since"] == RSS_MODIFIED
    assert conditional[1]["If-None-Match"] == ATOM_ETAG
    assert all("Argentier" in headers["User-Agent"] for headers in conditional)
    assert len(watch.list_updates()) == 3
    assert [s.last_status for s in watch.list_sources()] == ["not-modified", "not-modified"]


def test_relisted_item_is_deduplicated_by_content_hash(watch, server):
    watch.add_source(server.url + "/rss.xml", jurisdiction="FR")
    watch.add_source(server.url + "/relist.xml", jurisdiction="FR")
    report = watch.fetch_all()
    assert [(s.new, s.duplicates) for s in report.sources] == [(2, 0), (0, 1)]
    assert report.new == 2 and report.duplicates == 1
    assert len(watch.list_updates()) == 2


def test_failures_are_reported_and_the_run_goes_on(watch, server):
    for path in ("/down.xml", "/bad.xml", "/missing.xml", "/rss.xml"):
        watch.add_source(
            server.url + path, jurisdiction="EU", kind="feed" if path != "/missing.xml" else None
        )
    watch.add_source("http://127.0.0.1:9/refused.xml", jurisdiction="FR")
    report = watch.fetch_all()
    by_path = {s.url.rsplit("/", 1)[1]: s for s in report.sources}
    assert by_path["down.xml"].status == "failed" and "500" in by_path["down.xml"].error
    assert by_path["bad.xml"].status == "failed" and "malformed feed" in by_path["bad.xml"].error
    assert by_path["missing.xml"].status == "failed" and "404" in by_path["missing.xml"].error
    assert by_path["refused.xml"].status == "failed" and "\n" not in by_path["refused.xml"].error
    assert (by_path["rss.xml"].status, by_path["rss.xml"].new) == ("ok", 2)
    assert not report.all_failed
    failed = [s for s in watch.list_sources() if s.last_status == "failed"]
    assert len(failed) == 4 and all(s.last_error for s in failed)


def test_requests_to_one_host_are_spaced(watch, server):
    watch.add_source(server.url + "/rss.xml", jurisdiction="FR")
    watch.add_source(server.url + "/relist.xml", jurisdiction="FR")
    watch.fetch_all()
    times = [at for _, at, _ in server.requests]
    assert len(times) >= 5  # two feeds and three linked pages
    # Server-side arrival times jitter on a busy machine; unthrottled requests would be ~1 ms apart.
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.035


def test_invalid_input_is_an_input_error(watch, server):
    for bad in ("FRA", "XX", "", "France"):
        with pytest.raises(InputError, match="jurisdiction"):
            watch.add_source(server.url + "/rss.xml", jurisdiction=bad)
    with pytest.raises(InputError, match="not an http"):
        watch.add_source("ftp://example.org/feed", jurisdiction="FR")
    watch.add_source(server.url + "/rss.xml", jurisdiction="FR")
    with pytest.raises(InputError, match="already watched"):
        watch.add_source(server.url + "/rss.xml", jurisdiction="FR")
    with pytest.raises(InputError, match="jurisdiction"):
        watch.add_update("notice.txt", jurisdiction="ZZ")


def test_add_update_from_file_url_and_text(watch, server, tmp_path, library):
    notice = tmp_path / "circulaire.html"
    notice.write_bytes(EINVOICE_PAGE)
    first = watch.add_update(notice, jurisdiction="FR", language="fr")
    assert first.status == "added" and first.update.url is None
    assert "Mentions légales" not in library.get_document(first.update.document_id).parsed.text
    assert watch.add_update(str(notice), jurisdiction="FR").status == "duplicate"
    # The same article served at a URL has the same text: a duplicate of the file.
    same = watch.add_update(server.url + "/articles/e-invoicing.html", jurisdiction="FR")
    assert (same.status, same.update.id) == ("duplicate", first.update.id)
    by_url = watch.add_update(server.url + "/articles/tva-taux.html", jurisdiction="FR")
    assert by_url.status == "added" and by_url.update.url.endswith("/tva-taux.html")
    text = watch.add_update(
        "Le barème de l'impôt sur le revenu est revalorisé de 1,8 %.",
        jurisdiction="FR",
        title="Barème IR 2027",
    )
    assert text.status == "added" and text.update.title == "Barème IR 2027"
    with pytest.raises(InputError, match="file not found"):
        watch.add_update(str(tmp_path / "absent.pdf"), jurisdiction="FR")
    with pytest.raises(InputError, match="HTTP 404"):
        watch.add_update(server.url + "/nowhere.html", jurisdiction="FR")


@pytest.fixture
def app(tmp_path, monkeypatch, embedder):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGENTIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARGENTIER_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return AppContext()


def test_cli_sources_fetch_and_add(app, server, tmp_path):
    runner = CliRunner()
    added = runner.invoke(
        regwatch_group, ["sources", "add", server.url + "/rss.xml", "--jurisdiction", "fr", "--json"], obj=app
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["jurisdiction"] == "FR"
    listed = runner.invoke(regwatch_group, ["sources", "list", "--json"], obj=app)
    assert [s["url"] for s in json.loads(listed.stdout)] == [server.url + "/rss.xml"]

    fetched = runner.invoke(regwatch_group, ["fetch", "--json"], obj=app)
    assert fetched.exit_code == 0, fetched.output
    assert json.loads(fetched.stdout)["new"] == 2
    table = runner.invoke(regwatch_group, ["fetch"], obj=app)
    assert table.exit_code == 0 and "not-modified" in table.stdout

    notice = tmp_path / "avis.txt"
    notice.write_text("Avis : la déclaration de TVA annuelle est avancée au 30 avril.", encoding="utf-8")
    manual = runner.invoke(regwatch_group, ["add", str(notice), "--jurisdiction", "FR", "--json"], obj=app)
    assert manual.exit_code == 0, manual.output
    assert json.loads(manual.stdout)[0]["status"] == "added"

    bad = runner.invoke(
        regwatch_group, ["sources", "add", server.url + "/x", "--jurisdiction", "XX"], obj=app
    )
    assert bad.exit_code == 1 and "jurisdiction" in bad.stderr


def test_cli_fetch_exits_1_when_every_source_failed(app, server):
    runner = CliRunner()
    for path in ("/down.xml", "/missing.xml"):
        runner.invoke(regwatch_group, ["sources", "add", server.url + path, "--jurisdiction", "EU"], obj=app)
    result = runner.invoke(regwatch_group, ["fetch"], obj=app)
    assert result.exit_code == 1
    assert "failed" in result.stdout


def test_migration_0004_downgrades_and_upgrades(database_url):
    from alembic import command
    from sqlalchemy import inspect

    from argentier.core.store import Store

    store = Store.open(database_url)
    try:
        assert {"regwatch_sources", "regwatch_updates"} <= set(inspect(store.engine).get_table_names())
        config = store._alembic_config()
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        assert "regwatch_sources" not in inspect(store.engine).get_table_names()
        store.upgrade()
        assert "regwatch_updates" in inspect(store.engine).get_table_names()
    finally:
        store.close()


def test_a_watched_folder_adds_its_new_files_at_each_fetch(watch, tmp_path):
    folder = tmp_path / "circulars"
    folder.mkdir()
    (folder / "vat-2027.txt").write_text(
        "VAT rate change\n\nFrom 1 January 2027 the reduced rate of 5.5% applies to e-books sold to consumers."
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    source = watch.add_source(str(folder), jurisdiction="fr")
    assert (source.kind, source.url) == ("folder", folder.resolve().as_posix())
    first = watch.fetch_all()
    assert (first.sources[0].status, first.sources[0].new) == ("ok", 1)
    assert "broken.pdf" in first.sources[0].error
    (folder / "einvoicing.txt").write_text(
        "E-invoicing mandate\n\nLarge companies must issue electronic invoices from 1 September 2026."
    )
    (folder / "copy-of-vat.txt").write_text((folder / "vat-2027.txt").read_text())
    second = watch.fetch_all()
    assert (second.sources[0].new, second.sources[0].duplicates) == (1, 2)
    updates = watch.list_updates()
    assert {update.title for update in updates} == {"VAT rate change", "E-invoicing mandate"}  # first lines
    assert all(update.jurisdiction == "FR" and update.url.startswith("file://") for update in updates)
    with pytest.raises(InputError, match="folder not found"):
        watch.add_source(str(tmp_path / "missing"), jurisdiction="FR", kind="folder")
