"""End to end: ``argentier serve --demo`` as a real subprocess on a fresh home loads every module's demo data,
prints a one-click login URL whose token works, and serves the data over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx

ARGENTIER = os.path.join(os.path.dirname(sys.executable), "argentier")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path, env, port):
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(
        [ARGENTIER, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise AssertionError(f"server exited ({process.returncode}): {(tmp_path / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, log, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("server did not start within 180 s")
        time.sleep(0.3)


def _stop(process, log) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


def test_serve_demo_loads_every_module_and_prints_a_login_url(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(tmp_path / "home"), ARGENTIER_DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
               PYTHONUNBUFFERED="1", COLUMNS="200")
    port = _free_port()
    started = time.monotonic()
    process, log, base = _start(tmp_path, env, port)
    try:
        output = (tmp_path / "serve.log").read_text()
        match = re.search(rf"http://127\.0\.0\.1:{port}/#token=(\S+)", output)
        assert match, output
        for module in ("documents", "contracts", "regwatch", "assistant", "forecast", "profitability", "fraud"):
            assert re.search(rf"loaded\s+{module}\b", output), output
        assert "failed" not in output, output
        headers = {"Authorization": f"Bearer {match.group(1)}"}
        me = httpx.get(f"{base}/auth/me", headers=headers).json()
        assert me["username"] == "demo" and me["role"] == "admin", me
        documents = httpx.get(f"{base}/documents", headers=headers).json()
        assert documents["total"] >= 5
        names = {item["name"] for item in httpx.get(f"{base}/datasets", headers=headers).json()["items"]}
        assert {"demo-revenue.csv", "demo-sales.csv", "demo-costs.csv", "demo-transactions.csv"} <= names
        versions = httpx.get(f"{base}/forecast/versions", headers=headers).json()
        assert [v["name"] for v in versions["items"]] == ["demo-revenue"]
        models = httpx.get(f"{base}/fraud/models", headers=headers).json()
        assert [m["status"] for m in models] == ["champion"]
        alerts = httpx.get(f"{base}/fraud/alerts", headers=headers).json()
        assert alerts["items"] and alerts["items"][0]["reasons"] is not None
        portfolio = httpx.get(f"{base}/contracts", headers=headers).json()
        assert portfolio["total"] == 1 and portfolio["items"][0]["playbook"], portfolio
        for kind in ("regwatch.summary", "forecast.anomaly"):
            found = httpx.get(f"{base}/review/findings", params={"kind": kind}, headers=headers).json()
            assert found["items"], kind
        answer = httpx.post(
            f"{base}/assistant/ask", json={"question": "Who approves a customer refund of EUR 800?"}, headers=headers
        ).json()
        assert not answer["refused"] and "credit control team leader" in answer["answer"], answer
        # the web app answers at the root the URL points to
        assert httpx.get(f"{base}/").status_code == 200
    finally:
        _stop(process, log)
    elapsed = time.monotonic() - started
    # A second start on the same home keeps the data (nothing loaded twice) and issues a new working token.
    process, log, base = _start(tmp_path, env, _free_port())
    try:
        output = (tmp_path / "serve.log").read_text()
        token = re.search(r"/#token=(\S+)", output).group(1)
        for module in ("documents", "contracts", "regwatch", "assistant", "forecast", "profitability", "fraud"):
            assert re.search(rf"kept\s+{module}\b", output), output
        headers = {"Authorization": f"Bearer {token}"}
        versions = httpx.get(f"{base}/forecast/versions", headers=headers).json()
        assert [v["number"] for v in versions["items"]] == [1]
    finally:
        _stop(process, log)
    assert elapsed < 120, f"serve --demo took {elapsed:.0f} s to start"
