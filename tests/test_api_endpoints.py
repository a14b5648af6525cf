"""The REST API through FastAPI's TestClient, on SQLite and PostgreSQL: documents, search, review, regwatch,
jobs and the auth endpoints, with the permission boundaries (401, 403, other groups' objects as 404)."""

from __future__ import annotations

import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.core.review import Producer
from argentier.core.store import DocumentGroup
from argentier.core.store._review_models import AuditEvent

FAST = ScryptParams(n=2**10, r=8, p=1)  # the default cost is tested in test_api_auth.py
TREASURY = "Treasury policy. The net debt to EBITDA covenant must stay below 3.0x at each quarter end."
SALES = "Sales commission plan. Account executives earn 8% commission on new annual recurring revenue."


@pytest.fixture
def api(database_url, tmp_path, embedder):
    settings = Settings(
        home=tmp_path / "home",
        database_url=database_url,
        api={"job_workers": 1, "max_upload_mb": 0.01},
        regwatch={"min_interval_s": 0.0, "timeout_s": 5.0},
    )
    app = create_app(settings, embedder=embedder)
    services = app.state.services
    people = {
        "admin": ("admin", ["treasury"]),
        "alice": ("analyst", ["treasury"]),
        "bob": ("analyst", ["sales"]),
        "victor": ("viewer", ["treasury"]),
    }
    headers = {}
    for name, (role, groups) in people.items():
        create_user(services.store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(services.store, name).token}"}
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, services=services, headers=headers, tmp_path=tmp_path)


def _upload(api, user, name, text, **params):
    return api.client.post(
        "/documents", params={"filename": name, **params}, content=text.encode(), headers=api.headers[user]
    )


def _audit(api, action):
    with api.services.store.session() as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def test_documents_and_search_respect_groups_roles_and_audit(api):
    client, h = api.client, api.headers
    treasury = _upload(api, "alice", "policy.txt", TREASURY)
    assert treasury.status_code == 201, treasury.text
    assert treasury.json()["status"] == "added" and treasury.json()["document"]["groups"] == ["treasury"]
    sales = _upload(api, "bob", "commission.md", SALES)
    assert sales.status_code == 201
    treasury_id, sales_id = treasury.json()["document"]["id"], sales.json()["document"]["id"]
    assert _upload(api, "alice", "policy.txt", TREASURY).json()["status"] == "unchanged"

    # Bob uploading the treasury file gets his own document, not a view of alice's.
    copy = _upload(api, "bob", "policy.txt", TREASURY).json()
    assert copy["status"] == "added" and copy["document"]["id"] not in (treasury_id, sales_id)

    listed = client.get("/documents", headers=h["victor"]).json()
    assert [item["id"] for item in listed["items"]] == [treasury_id] and listed["total"] == 1
    assert client.get(f"/documents/{treasury_id}", headers=h["victor"]).json()["text"] == TREASURY

    # Another group's document is indistinguishable from a missing one, by every endpoint.
    for response in (
        client.get(f"/documents/{sales_id}", headers=h["victor"]),
        client.delete(f"/documents/{sales_id}", headers=h["alice"]),
        client.get("/documents/999999", headers=h["victor"]),
    ):
        assert response.status_code == 404 and "sales" not in response.text.lower()
    hits = client.get("/search", params={"q": "commission on recurring revenue", "k": 5}, headers=h["victor"])
    assert hits.status_code == 200 and hits.json()
    assert {hit["document"]["id"] for hit in hits.json()} == {treasury_id}
    bob_hits = client.get(
        "/search", params={"q": "commission revenue", "mode": "keyword"}, headers=h["bob"]
    ).json()
    assert bob_hits[0]["document"]["id"] == sales_id
    assert (
        client.get("/search", params={"q": "covenant", "meta": "nokey"}, headers=h["alice"]).status_code
        == 422
    )

    assert client.get("/documents").status_code == 401
    assert client.get("/documents", headers={"Authorization": "Bearer arg_forged"}).status_code == 401
    refused = _upload(api, "victor", "x.txt", "Viewers cannot upload.")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this needs the analyst role; victor is viewer", "error": "RoleError"}
    assert client.delete(f"/documents/{treasury_id}", headers=h["victor"]).status_code == 403

    deleted = client.delete(f"/documents/{treasury_id}", headers=h["alice"])
    assert deleted.status_code == 200 and deleted.json()["id"] == treasury_id
    assert client.get(f"/documents/{treasury_id}", headers=h["alice"]).status_code == 404
    assert [(event.actor, event.object_id) for event in _audit(api, "document.delete")] == [
        ("alice", str(treasury_id))
    ]
    assert {event.actor for event in _audit(api, "document.add")} == {"alice", "bob"}
    assert len(_audit(api, "document.add")) == 3  # the unchanged re-upload wrote nothing


def test_upload_bad_input_is_a_clear_4xx(api):
    cases = [
        ({"filename": "evil.exe"}, b"MZ", "unsupported file type"),
        ({"filename": "../../etc/.passwd"}, b"x", "not a file name"),
        ({"filename": "tab\there.txt"}, b"x", "not a file name"),
        ({"filename": "é" * 120 + ".txt"}, b"x", "not a file name"),
        ({"filename": "empty.txt"}, b"", "empty"),
        ({"filename": "big.txt"}, b"x" * 20_000, "upload limit"),
        ({"filename": "spaces.txt"}, b"   \n  ", "no text"),
        ({"filename": "other.txt", "groups": "sales"}, b"Treasury only.", "not in group"),
        ({}, b"no name", "filename"),
    ]
    for params, body, message in cases:
        response = api.client.post("/documents", params=params, content=body, headers=api.headers["alice"])
        assert response.status_code == 422, (params, response.text)
        detail = response.json()["detail"]
        assert message in detail and "\n" not in detail and "uploads" not in detail
    assert not list((api.tmp_path / "home" / "uploads").rglob("*.txt"))  # nothing left of refused uploads
    assert api.client.get("/documents", params={"limit": 0}, headers=api.headers["alice"]).status_code == 422


def _finding(api, text, groups, kind="regwatch.summary"):
    library, review = api.services.library, api.services.review
    document = library.add_text(text, title=text.split(".")[0], groups=groups).document
    return review.create_finding(
        kind=kind,
        subject_type="document",
        subject_id=str(document.id),
        document_id=document.id,
        payload={"summary": text[:40]},
        producer=Producer("regwatch.summarise", "0.3"),
    ).id


def test_review_queue_verdicts_under_the_caller_and_stats(api):
    client, h = api.client, api.headers
    ours = [_finding(api, f"{TREASURY} Note {n}.", ["treasury"]) for n in range(3)]
    theirs = _finding(api, SALES, ["sales"])
    page = client.get("/review/findings", params={"limit": 2}, headers=h["victor"]).json()
    assert [item["id"] for item in page["items"]] == ours[:2] and page["next_offset"] == 2
    rest = client.get("/review/findings", params={"limit": 2, "offset": 2}, headers=h["victor"]).json()
    assert [item["id"] for item in rest["items"]] == ours[2:] and rest["next_offset"] is None
    assert client.get(f"/review/findings/{theirs}", headers=h["victor"]).status_code == 404

    assert client.post(f"/review/findings/{ours[0]}/approve", headers=h["victor"]).status_code == 403
    approved = client.post(f"/review/findings/{ours[0]}/approve", headers=h["alice"]).json()
    assert approved["status"] == "approved" and approved["latest_verdict"]["reviewer"] == "alice"
    edited = client.post(
        f"/review/findings/{ours[1]}/edit", json={"payload": {"summary": "Below 3.0x."}}, headers=h["alice"]
    ).json()
    assert edited["status"] == "edited" and edited["current_payload"] == {"summary": "Below 3.0x."}
    assert (
        client.post(f"/review/findings/{ours[2]}/reject", json={"reason": ""}, headers=h["alice"]).status_code
        == 422
    )
    rejected = client.post(
        f"/review/findings/{ours[2]}/reject", json={"reason": "too vague"}, headers=h["alice"]
    )
    assert rejected.json()["status"] == "rejected"
    assert client.post(f"/review/findings/{theirs}/approve", headers=h["alice"]).status_code == 404

    history = client.get(f"/review/findings/{ours[0]}/history", headers=h["victor"]).json()
    assert [event["actor"] for event in history["audit"]][-1] == "alice"
    status = client.get("/review/findings", params={"status": "pending"}, headers=h["bob"]).json()
    assert [item["id"] for item in status["items"]] == [theirs]
    overall = client.get("/review/stats", headers=h["victor"]).json()["overall"]
    assert (overall["total"], overall["approved"], overall["edited"], overall["rejected"]) == (3, 1, 1, 1)
    # The edit rewrote most of the summary, so it is not a light edit: only the approval counts as accepted.
    assert overall["edited_lightly"] == 0 and overall["acceptance_rate"] == pytest.approx(1 / 3)
    assert client.get("/review/stats", headers=h["bob"]).json()["overall"]["pending"] == 1
    assert client.get("/review/findings", params={"status": "done"}, headers=h["victor"]).status_code == 422


NOTICE = (
    "Reduced VAT rate on e-books. From 1 January 2027 the reduced VAT rate of 5.5% applies to electronic books. "
    "Publishers and retailers must apply the new rate to every sale of an electronic book from that date and "
    "update their invoicing systems accordingly. The measure extends the rate already applied to printed books "
    "and follows the European directive on reduced rates. Businesses that sell both formats should review "
    "their price lists before the end of the year. "
)


@pytest.fixture
def feed_server(tmp_path):
    """A real RSS feed on 127.0.0.1 with two long items (long enough that no linked page is fetched)."""
    folder = tmp_path / "site"
    folder.mkdir()
    items = "".join(
        f"<item><title>Notice {n}</title><link>http://example.invalid/notice-{n}</link>"
        f"<pubDate>Mon, 0{n} Nov 2026 10:00:00 GMT</pubDate><description>{NOTICE * n} Item {n}.</description></item>"
        for n in (1, 2)
    )
    (folder / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Tax</title>{items}</channel></rss>'
    )

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()
    server.server_close()


def _wait(client, job_id, headers, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def test_regwatch_sources_fetch_job_updates_groups_and_digest(api, feed_server):
    client, h = api.client, api.headers
    body = {"url": feed_server, "jurisdiction": "fr", "language": "en"}
    assert client.post("/regwatch/sources", json=body, headers=h["victor"]).status_code == 403
    created = client.post("/regwatch/sources", json=body, headers=h["alice"])
    assert created.status_code == 201 and created.json()["jurisdiction"] == "FR"
    assert client.post("/regwatch/sources", json=body, headers=h["alice"]).status_code == 409
    for bad in ({**body, "jurisdiction": "xx"}, {**body, "url": "/etc"}, {"url": feed_server}):
        response = client.post("/regwatch/sources", json=bad, headers=h["alice"])
        assert response.status_code == 422 and response.json()["detail"], bad
    assert [s["url"] for s in client.get("/regwatch/sources", headers=h["victor"]).json()] == [feed_server]

    started = client.post("/regwatch/fetch", headers=h["alice"])
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running", "succeeded")
    assert client.get(f"/jobs/{started.json()['id']}", headers=h["bob"]).status_code == 404  # not bob's job
    job = _wait(client, started.json()["id"], h["alice"])
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["sources"][0]["new"] == 2 and job["result"]["analysed"] == 2
    assert (job["done"], job["total"]) == (1, 1)

    updates = client.get("/regwatch/updates", headers=h["victor"]).json()
    assert [u["title"] for u in updates["items"]] == ["Notice 2", "Notice 1"] and updates["total"] == 2
    assert (
        client.get("/regwatch/updates", params={"jurisdiction": "DE"}, headers=h["victor"]).json()["total"]
        == 0
    )
    groups = client.get("/regwatch/groups", headers=h["victor"]).json()["items"]
    assert sorted(m for g in groups for m in g["members"]) == sorted(u["id"] for u in updates["items"])
    assert (
        client.get(f"/regwatch/groups/{groups[0]['id']}", headers=h["victor"]).json()["id"] == groups[0]["id"]
    )
    assert client.get("/regwatch/groups/99999", headers=h["victor"]).status_code == 404
    digest = client.get("/regwatch/digest", params={"since": "2026-01-01"}, headers=h["victor"]).json()
    assert {entry["title"] for entry in digest["entries"]} == {"Notice 1", "Notice 2"}
    assert (
        client.get("/regwatch/digest", params={"since": "2026-13-01"}, headers=h["victor"]).status_code == 422
    )
    findings = client.get("/review/findings", params={"kind": "regwatch.summary"}, headers=h["victor"]).json()
    assert len(findings["items"]) == 2
    assert [event.actor for event in _audit(api, "regwatch.fetch")] == ["alice"]

    # Make notice 1 readable by sales only: it then disappears from every regwatch view of a treasury viewer.
    hidden = next(u for u in updates["items"] if u["title"] == "Notice 1")
    with api.services.store.session() as session:
        session.execute(
            update(DocumentGroup)
            .where(DocumentGroup.document_id == hidden["document_id"])
            .values(group_name="sales")
        )
    seen = client.get("/regwatch/updates", headers=h["victor"]).json()["items"]
    assert [u["title"] for u in seen] == ["Notice 2"]
    assert [u["title"] for u in client.get("/regwatch/updates", headers=h["bob"]).json()["items"]] == [
        "Notice 2",
        "Notice 1",
    ]
    members = [
        m for g in client.get("/regwatch/groups", headers=h["victor"]).json()["items"] for m in g["members"]
    ]
    assert hidden["id"] not in members and members
    digest = client.get("/regwatch/digest", headers=h["victor"]).json()
    assert [entry["title"] for entry in digest["entries"]] == ["Notice 2"]
    summaries = client.get(
        "/review/findings", params={"kind": "regwatch.summary"}, headers=h["victor"]
    ).json()
    assert [f["document_id"] for f in summaries["items"]] == [seen[0]["document_id"]]


def test_failed_job_reports_its_error(api):
    runner = api.services.jobs

    def work(progress):
        progress(1, 2, "half way")
        raise ValueError("column 'amount' is missing")

    job = runner.submit("test.fail", "alice", work)
    polled = _wait(api.client, job.id, api.headers["alice"])
    assert polled["status"] == "failed" and polled["error"] == "ValueError: column 'amount' is missing"
    assert polled["done"] == 1 and polled["total"] == 2
    assert api.client.get(f"/jobs/{job.id}", headers=api.headers["admin"]).status_code == 200
    assert api.client.get("/jobs/nope", headers=api.headers["alice"]).status_code == 404


def test_auth_endpoints_login_tokens_users(api):
    client, h = api.client, api.headers
    wrong = client.post("/auth/token", json={"username": "alice", "password": "not her password"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert client.post("/auth/token", json={"username": "nobody", "password": "x" * 12}).status_code == 401
    login = client.post("/auth/token", json={"username": "alice", "password": "alice-long-password"})
    assert login.status_code == 201 and login.json()["token"].startswith("arg_")
    token = {"Authorization": f"Bearer {login.json()['token']}"}
    assert client.get("/auth/me", headers=token).json() == {
        "id": 2,
        "username": "alice",
        "role": "analyst",
        "groups": ["treasury"],
    }
    mine = client.get("/auth/tokens", headers=token).json()
    assert {item["name"] for item in mine} == {"api", "login"} and all("token" not in item for item in mine)
    assert client.delete(f"/auth/tokens/{login.json()['id']}", headers=h["bob"]).status_code == 404
    assert client.delete(f"/auth/tokens/{login.json()['id']}", headers=token).json()["revoked_at"]
    assert client.get("/auth/me", headers=token).status_code == 401

    new_user = {"username": "carol", "password": "carol-long-password", "role": "viewer", "groups": ["sales"]}
    assert client.post("/auth/users", json=new_user, headers=h["alice"]).status_code == 403
    assert client.post("/auth/users", json=new_user, headers=h["admin"]).status_code == 201
    assert client.post("/auth/users", json=new_user, headers=h["admin"]).status_code == 409
    short = client.post(
        "/auth/users", json={**new_user, "username": "dave", "password": "short"}, headers=h["admin"]
    )
    assert short.status_code == 422 and short.json()["detail"].startswith("password:")
    assert "carol" in [user["username"] for user in client.get("/auth/users", headers=h["admin"]).json()]
    assert client.post("/auth/tokens", json={"username": "carol"}, headers=h["alice"]).status_code == 404
    issued = client.post("/auth/tokens", json={"username": "carol", "name": "ci"}, headers=h["admin"]).json()
    assert (
        client.get("/auth/me", headers={"Authorization": f"Bearer {issued['token']}"}).json()["username"]
        == "carol"
    )
    assert [event.actor for event in _audit(api, "auth.user.create")] == ["admin"]

    # Deactivating carol stops her tokens at once; nobody can deactivate themselves.
    assert client.delete("/auth/users/carol", headers=h["alice"]).status_code == 403
    assert client.delete("/auth/users/admin", headers=h["admin"]).status_code == 422
    assert client.delete("/auth/users/carol", headers=h["admin"]).status_code == 200
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    assert client.delete("/auth/users/carol", headers=h["admin"]).status_code == 404

    # The audit log, newest first, for admins only.
    assert client.get("/audit", headers=h["alice"]).status_code == 403
    log = client.get("/audit", params={"action": "auth.user."}, headers=h["admin"]).json()["items"]
    assert [(e["action"], e["actor"]) for e in log] == [
        ("auth.user.deactivate", "admin"),
        ("auth.user.create", "admin"),
    ]
    alice_log = client.get("/audit", params={"actor": "alice"}, headers=h["admin"]).json()["items"]
    assert [e["action"] for e in alice_log] == ["auth.token.revoke", "auth.login"]


def test_repeated_failed_logins_are_throttled(api):
    wrong = {"username": "bob", "password": "not bob's password"}
    statuses = [api.client.post("/auth/token", json=wrong).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    right = api.client.post("/auth/token", json={"username": "bob", "password": "bob-long-password"})
    assert right.status_code == 429 and "retry in" in right.json()["detail"]
    assert (
        api.client.post(
            "/auth/token", json={"username": "alice", "password": "alice-long-password"}
        ).status_code
        == 201
    )


def test_openapi_schema_lists_every_router(api):
    schema = api.client.get("/openapi.json").json()
    paths = set(schema["paths"])
    for path in (
        "/documents",
        "/search",
        "/review/findings",
        "/regwatch/fetch",
        "/jobs/{job_id}",
        "/auth/token",
    ):
        assert path in paths
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_regwatch_add_update_by_text(api):
    client, h = api.client, api.headers
    body = {"text": NOTICE, "title": "Reduced VAT on e-books", "jurisdiction": "FR"}
    assert client.post("/regwatch/updates", json=body, headers=h["victor"]).status_code == 403
    added = client.post("/regwatch/updates", json=body, headers=h["alice"])
    assert added.status_code == 201, added.text
    assert added.json()["status"] == "added" and added.json()["analysed"] == 1
    update = added.json()["update"]
    assert update["title"] == "Reduced VAT on e-books" and update["jurisdiction"] == "FR"
    again = client.post("/regwatch/updates", json=body, headers=h["alice"]).json()
    assert again["status"] == "duplicate" and again["update"]["id"] == update["id"] and again["analysed"] == 0
    kinds = {f["kind"] for f in client.get("/review/findings", headers=h["victor"]).json()["items"]}
    assert kinds == {"regwatch.title", "regwatch.summary", "regwatch.impact"}

    # A text naming a file on the server is stored as that text, never read from the disk.
    path_like = client.post(
        "/regwatch/updates",
        json={"text": "/etc/hostname", "title": "Path", "jurisdiction": "FR"},
        headers=h["alice"],
    )
    document = client.get(
        f"/documents/{path_like.json()['update']['document_id']}", headers=h["victor"]
    ).json()
    assert document["text"] == "/etc/hostname"
    for bad, message in (
        ({"text": NOTICE, "jurisdiction": "FR"}, "needs a title"),
        (
            {"text": NOTICE, "url": "https://example.org/a", "title": "x", "jurisdiction": "FR"},
            "either url or text",
        ),
        ({"url": "ftp://example.org/a", "jurisdiction": "FR"}, "url:"),
        ({**body, "jurisdiction": "ZZ"}, "jurisdiction"),
    ):
        response = client.post("/regwatch/updates", json=bad, headers=h["alice"])
        assert response.status_code == 422 and message in response.json()["detail"], response.text
    assert [e.actor for e in _audit(api, "regwatch.update.add")] == ["alice", "alice"]
