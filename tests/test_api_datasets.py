"""Datasets over the REST API: upload (CSV, Parquet), list, read, delete; groups, roles, audit and bad input."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from argentier.api import create_app
from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.core.store._review_models import AuditEvent

FAST = ScryptParams(n=2**10, r=8, p=1)
SALES = "ds,unique_id,y\n2024-01-01,north,10.5\n2024-02-01,north,11\n2024-03-01,north,\n"


@pytest.fixture
def api(tmp_path, embedder):
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'a.db'}",
                        api={"max_upload_mb": 0.05})
    app = create_app(settings, embedder=embedder)
    store = app.state.services.store
    headers = {}
    for name, role, groups in (("alice", "analyst", ["finance", "risk"]), ("bob", "analyst", ["sales"]),
                               ("victor", "viewer", ["finance"]), ("sam", "viewer", ["sales"])):
        create_user(store, name, f"{name}-long-password", role=role, groups=groups, params=FAST)
        headers[name] = {"Authorization": f"Bearer {create_token(store, name).token}"}
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, headers=headers, store=store, home=tmp_path / "home")


def _post(api, user, name, body, **params):
    return api.client.post("/datasets", params={"filename": name, **params}, content=body, headers=api.headers[user])


def test_upload_read_list_delete_with_groups_and_audit(api):
    client, h = api.client, api.headers
    created = _post(api, "alice", "sales.csv", SALES.encode(), groups=["finance"])
    assert created.status_code == 201, created.text
    body = created.json()
    dataset = body["dataset"]
    assert body["status"] == "added" and dataset["rows"] == 3 and dataset["groups"] == ["finance"]
    assert [c["name"] for c in dataset["columns"]] == ["ds", "unique_id", "y"]
    assert dataset["columns"][2]["dtype"] == "float64" and dataset["owner"] == "alice"
    assert _post(api, "alice", "sales.csv", SALES.encode(), groups=["finance"]).json()["status"] == "unchanged"
    # the file and its sidecar are on disk where the docs say
    folder = api.home / "datasets" / dataset["id"]
    assert (folder / "sales.csv").read_text() == SALES
    assert json.loads((folder / ".dataset.json").read_text())["rows"] == 3

    frame = pd.DataFrame({"sku": ["a", "b"], "units": [1, 2]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    parquet = _post(api, "bob", "lines.parquet", buffer.getvalue())
    assert parquet.status_code == 201 and parquet.json()["dataset"]["format"] == "parquet"
    sales_id = parquet.json()["dataset"]["id"]

    detail = client.get(f"/datasets/{dataset['id']}", params={"head": 2}, headers=h["victor"]).json()
    assert detail["head"] == [{"ds": "2024-01-01", "unique_id": "north", "y": 10.5},
                              {"ds": "2024-02-01", "unique_id": "north", "y": 11.0}]
    listed = client.get("/datasets", headers=h["victor"]).json()
    assert [item["id"] for item in listed["items"]] == [dataset["id"]] and listed["total"] == 1
    assert [i["id"] for i in client.get("/datasets", headers=h["sam"]).json()["items"]] == [sales_id]
    paged = client.get("/datasets", params={"limit": 1, "offset": 1}, headers=h["alice"]).json()
    assert paged["items"] == [] and paged["total"] == 1

    # another group's dataset is a 404 by every endpoint, like a missing one
    for response in (client.get(f"/datasets/{sales_id}", headers=h["victor"]),
                     client.delete(f"/datasets/{sales_id}", headers=h["alice"]),
                     client.get("/datasets/" + "0" * 32, headers=h["victor"]),
                     client.get("/datasets/..%2F..%2Fetc", headers=h["victor"])):
        assert response.status_code == 404, response.text
    assert client.delete(f"/datasets/{dataset['id']}", headers=h["victor"]).status_code == 403
    assert client.delete(f"/datasets/{dataset['id']}", headers=h["alice"]).json()["id"] == dataset["id"]
    assert not folder.exists()
    assert client.get(f"/datasets/{dataset['id']}", headers=h["alice"]).status_code == 404
    with api.store.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "dataset")
                                 .order_by(AuditEvent.id)).all()
        assert [(e.actor, e.action) for e in events] == [
            ("alice", "dataset.add"), ("bob", "dataset.add"), ("alice", "dataset.delete")]


def test_auth_roles_and_bad_input(api):
    client = api.client
    assert client.get("/datasets").status_code == 401
    assert client.post("/datasets", params={"filename": "a.csv"}, content=b"a\n1\n").status_code == 401
    refused = _post(api, "victor", "a.csv", b"a\n1\n")
    assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
    cases = [
        (("notes.txt", b"a,b\n1,2\n"), {}, "unsupported dataset type"),
        (("a.csv", b""), {}, "empty"),
        (("a.csv", b"a,b\n1,2\n"), {"groups": ["hr"]}, "not in group(s) hr"),
        (("broken.parquet", b"not parquet at all"), {}, "cannot read the table"),
        (("big.csv", b"a\n" + b"1\n" * 40_000), {}, "upload limit"),
        (("..", b"a\n1\n"), {}, "not a file name"),
    ]
    for (name, body), params, expected in cases:
        response = _post(api, "alice", name, body, **params)
        assert response.status_code == 422, (name, response.text)
        assert expected in response.json()["detail"], response.json()
    # nothing half-written: no dataset folders at all
    root = api.home / "datasets"
    assert not root.exists() or not any(root.iterdir())
