"""Contract review over the REST API: a stored document reviewed into clauses with exact offsets, key terms and
playbook outcomes, findings in the review queue, the portfolio table; roles and group boundaries."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings

FAST = ScryptParams(n=2**10, r=8, p=1)
CONTRACT = """MASTER SERVICES AGREEMENT

This Master Services Agreement is entered into on January 15, 2024 between Acme Corp. and Beta Ltd.

1. Term. This Agreement shall commence on the Effective Date and continue for a period of three (3) years,
and shall automatically renew for successive one (1) year terms unless either party gives notice of non-renewal
at least ninety (90) days before the end of the then-current term.

2. Termination. Either party may terminate this Agreement for convenience upon thirty (30) days prior written
notice to the other party.

3. Limitation of Liability. In no event shall either party's aggregate liability exceed the fees paid under this
Agreement in the twelve (12) months preceding the claim.

4. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of
New York.
"""
PLAYBOOK = """name: strict
rules:
  - id: law
    title: Governing law
    term: governing_law
    check: one_of
    preferred: [Delaware]
"""


@pytest.fixture
def api(tmp_path, embedder, database_url):
    app = create_app(Settings(home=tmp_path / "home", database_url=database_url), embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role, groups in (("alice", "analyst", ["legal"]), ("victor", "viewer", ["legal"]),
                               ("sam", "viewer", ["sales"]), ("bob", "analyst", ["sales"])):
        create_user(store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    with TestClient(app) as client:
        upload = client.post("/documents", params={"filename": "msa.txt"}, content=CONTRACT.encode(),
                             headers=headers["alice"])
        assert upload.status_code == 201, upload.text
        yield SimpleNamespace(client=client, headers=headers, document=upload.json()["document"]["id"])


def test_review_quotes_terms_playbook_and_findings(api):
    client, h = api.client, api.headers
    response = client.post("/contracts/review", json={"document_id": api.document}, headers=h["alice"])
    assert response.status_code == 200, response.text
    review = response.json()
    text = review["text"]
    assert review["clauses"] and review["finding_ids"] and review["playbook_name"]
    for clause in review["clauses"]:
        assert text[clause["start"]:clause["end"]] == clause["text"]  # quotes are exact spans of the text
    categories = {clause["category"] for clause in review["clauses"]}
    assert "Governing Law" in categories
    assert review["terms"]["governing_law"]["value"] == "New York"
    outcomes = {r["rule"]: r["outcome"] for r in review["playbook"]}
    assert outcomes["governing-law"] == "compliant" and outcomes["termination-for-convenience"] == "compliant"
    assert set(outcomes.values()) <= {"compliant", "fallback", "deviation", "missing"}
    queue = client.get("/review/findings", params={"subject_type": "document", "subject_id": str(api.document),
                                                   "limit": 500}, headers=h["victor"]).json()["items"]
    assert {f["id"] for f in queue} == set(review["finding_ids"])
    assert {"contracts.term", "contracts.playbook", "contracts.clause.governing_law"} <= {f["kind"] for f in queue}

    portfolio = client.get("/contracts", headers=h["victor"]).json()
    assert portfolio["total"] == 1
    row = portfolio["items"][0]
    assert row["document_id"] == api.document and row["terms"]["governing_law"] == "New York"
    assert row["clauses"]["Governing Law"] >= 0.5 and row["pending"] == len(review["finding_ids"])

    # a custom playbook; a second review replaces the first in the portfolio
    strict = client.post("/contracts/review", json={"document_id": api.document, "playbook": PLAYBOOK},
                         headers=h["alice"])
    assert strict.status_code == 200, strict.text
    strict = strict.json()
    assert strict["playbook_name"] == "strict" and strict["playbook"][0]["outcome"] == "deviation"
    row = client.get("/contracts", headers=h["victor"]).json()["items"][0]
    assert row["playbook"] == {"law": "deviation"} and row["pending"] == len(strict["finding_ids"])
    # a rejected term leaves the portfolio
    term = next(f for f in client.get("/review/findings", params={"kind": "contracts.term", "limit": 500},
                                      headers=h["alice"]).json()["items"]
                if f["id"] in strict["finding_ids"] and f["payload"]["term"] == "governing_law")
    client.post(f"/review/findings/{term['id']}/reject", json={"reason": "wrong"}, headers=h["alice"]).raise_for_status()
    assert client.get("/contracts", headers=h["victor"]).json()["items"][0]["terms"]["governing_law"] is None


def test_roles_groups_and_bad_input(api):
    client, h = api.client, api.headers
    assert client.post("/contracts/review", json={"document_id": api.document}).status_code == 401
    assert client.get("/contracts").status_code == 401
    refused = client.post("/contracts/review", json={"document_id": api.document}, headers=h["victor"])
    assert refused.status_code == 403 and "record: false" in refused.json()["detail"]
    looked = client.post("/contracts/review", json={"document_id": api.document, "record": False},
                         headers=h["victor"])
    assert looked.status_code == 200 and looked.json()["finding_ids"] == []
    assert client.get("/contracts", headers=h["victor"]).json()["items"] == []  # nothing recorded
    # another group's document: 404 by every endpoint, like a missing one
    for user, body in (("sam", {"document_id": api.document, "record": False}), ("bob", {"document_id": api.document}),
                       ("alice", {"document_id": 999999})):
        response = client.post("/contracts/review", json=body, headers=h[user])
        assert response.status_code == 404 and "msa" not in response.text, response.text
    client.post("/contracts/review", json={"document_id": api.document}, headers=h["alice"]).raise_for_status()
    assert client.get("/contracts", headers=h["sam"]).json()["items"] == []
    bad = client.post("/contracts/review", json={"document_id": api.document, "playbook": "rules: [oops"},
                      headers=h["alice"])
    assert bad.status_code == 422 and "YAML" in bad.json()["detail"] and "/tmp" not in bad.text
    empty = client.post("/contracts/review", json={"document_id": api.document, "playbook": "name: x"},
                        headers=h["alice"])
    assert empty.status_code == 422 and "rules" in empty.json()["detail"]
    assert client.post("/contracts/review", json={"document_id": "one"}, headers=h["alice"]).status_code == 422
    example = client.get("/contracts/playbook-example", headers=h["victor"]).json()
    assert "rules:" in example["text"]
