"""End to end: the real ``serve`` command runs uvicorn on 127.0.0.1 and is driven over HTTP with httpx, on SQLite
and PostgreSQL; the first admin is bootstrapped with the ``users`` command, the rest through the API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

ARGENTIER = os.path.join(os.path.dirname(sys.executable), "argentier")
POLICY = "Treasury policy. The net debt to EBITDA covenant must stay below 3.0x at each quarter end."
PLAN = "Sales commission plan. Account executives earn 8% commission on new annual recurring revenue."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(tmp_path, database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(tmp_path / "home"), ARGENTIER_DATABASE_URL=database_url)
    return env


@pytest.fixture
def server(env, tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [ARGENTIER, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited ({process.returncode}): {process.stderr.read()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not start within 90 s")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()
        process.stderr.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_over_a_real_server(server, env, tmp_path):
    bootstrap = subprocess.run(
        [ARGENTIER, "users", "add", "root", "--role", "admin", "--groups", "treasury"],
        cwd=tmp_path,
        env={**env, "ARGENTIER_PASSWORD": "root long password"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bootstrap.returncode == 0, bootstrap.stderr
    with httpx.Client(base_url=server, timeout=60) as http:
        assert http.get("/documents").status_code == 401
        root = http.post("/auth/token", json={"username": "root", "password": "root long password"}).json()[
            "token"
        ]
        for name, role, group in (
            ("alice", "analyst", "treasury"),
            ("bob", "analyst", "sales"),
            ("vic", "viewer", "treasury"),
        ):
            body = {"username": name, "password": f"{name} long password", "role": role, "groups": [group]}
            assert http.post("/auth/users", json=body, headers=_bearer(root)).status_code == 201
        token = {
            name: http.post(
                "/auth/token", json={"username": name, "password": f"{name} long password"}
            ).json()["token"]
            for name in ("alice", "bob", "vic")
        }

        added = http.post(
            "/documents",
            params={"filename": "policy.txt"},
            content=POLICY.encode(),
            headers=_bearer(token["alice"]),
        )
        assert added.status_code == 201 and added.json()["document"]["groups"] == ["treasury"]
        theirs = http.post(
            "/documents",
            params={"filename": "plan.txt"},
            content=PLAN.encode(),
            headers=_bearer(token["bob"]),
        )
        ours_id, theirs_id = added.json()["document"]["id"], theirs.json()["document"]["id"]

        hits = http.get(
            "/search", params={"q": "commission covenant", "k": 10}, headers=_bearer(token["vic"])
        ).json()
        assert {hit["document"]["id"] for hit in hits} == {ours_id}
        assert http.get(f"/documents/{theirs_id}", headers=_bearer(token["vic"])).status_code == 404
        assert http.get(f"/documents/{ours_id}", headers=_bearer(token["vic"])).json()["text"] == POLICY
        assert http.delete(f"/documents/{ours_id}", headers=_bearer(token["vic"])).status_code == 403

        job = http.post("/regwatch/fetch", headers=_bearer(token["alice"]))
        assert job.status_code == 202
        for _ in range(300):
            polled = http.get(f"/jobs/{job.json()['id']}", headers=_bearer(token["alice"])).json()
            if polled["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        assert polled["status"] == "succeeded" and polled["result"]["sources"] == []

        schema = http.get("/openapi.json").json()
        assert schema["info"]["title"] == "Argentier" and "/documents/{document_id}" in schema["paths"]
