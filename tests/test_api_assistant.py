"""``/assistant`` through FastAPI's TestClient on SQLite and PostgreSQL: asking as a viewer, follow-ups in a
conversation, the conversation log, and the boundaries (401, 404 for someone else's conversation, 422)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings

FAST = ScryptParams(n=2**10, r=8, p=1)
FIGURES = """# Treasury figures

## Cash

Cash at bank was EUR 41 million at 31 December 2019. Cash at bank was EUR 37 million at 31 December 2018.
"""


@pytest.fixture
def api(database_url, tmp_path, embedder):
    settings = Settings(home=tmp_path / "home", database_url=database_url, api={"job_workers": 1})
    app = create_app(settings, embedder=embedder)
    services = app.state.services
    services.library.add_text(FIGURES, title="Treasury figures", format="markdown", groups=["treasury"])
    headers = {}
    for name, role, groups in (("vera", "viewer", ["treasury"]), ("sam", "analyst", ["sales"])):
        create_user(services.store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(services.store, name).token}"}
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, headers=headers)


def test_a_viewer_asks_follows_up_and_reads_the_conversation(api):
    client, h = api.client, api.headers
    first = client.post("/assistant/ask", json={"question": "How much cash at bank in 2019?"}, headers=h["vera"])
    assert first.status_code == 200, first.text
    data = first.json()
    assert not data["refused"] and "EUR 41 million" in data["answer"]
    citation = data["citations"][0]
    assert citation["document"]["title"] == "Treasury figures" and citation["quote"]
    assert set(citation) >= {"document", "page", "start", "end", "quote"}
    conversation_id = data["conversation_id"]

    follow = client.post(
        "/assistant/ask", json={"question": "and in 2018?", "conversation_id": conversation_id}, headers=h["vera"]
    ).json()
    assert follow["query"] == "How much cash at bank in 2018?" and "EUR 37 million" in follow["answer"]

    listed = client.get("/assistant/conversations", headers=h["vera"]).json()
    assert [(c["id"], c["n_exchanges"]) for c in listed] == [(conversation_id, 2)]
    record = client.get(f"/assistant/conversations/{conversation_id}", headers=h["vera"]).json()
    assert [e["question"] for e in record["exchanges"]] == ["How much cash at bank in 2019?", "and in 2018?"]
    assert record["exchanges"][0]["groups"] == ["treasury"] and record["exchanges"][0]["user"] == "vera"


def test_boundaries(api):
    client, h = api.client, api.headers
    assert client.post("/assistant/ask", json={"question": "cash?"}).status_code == 401
    assert client.post("/assistant/ask", json={"question": ""}, headers=h["vera"]).status_code == 422
    assert client.post("/assistant/ask", json={"question": "x", "sql": "DROP"}, headers=h["vera"]).status_code == 422
    own = client.post("/assistant/ask", json={"question": "How much cash at bank in 2019?"}, headers=h["vera"]).json()
    other = client.get(f"/assistant/conversations/{own['conversation_id']}", headers=h["sam"])
    assert other.status_code == 404
    hijack = client.post(
        "/assistant/ask", json={"question": "and in 2018?", "conversation_id": own["conversation_id"]},
        headers=h["sam"],
    )
    assert hijack.status_code == 404 and "41" not in hijack.text and "37" not in hijack.text
    assert client.get("/assistant/conversations", headers=h["sam"]).json() == []
