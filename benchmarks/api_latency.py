"""Latency of the REST API over HTTP on loopback: a real ``argentier serve`` (uvicorn, one process) and a load
generator of concurrent clients, each request authenticated with a bearer token.

Run from the project root::

    .venv/bin/python benchmarks/api_latency.py                                   # SQLite, 500 documents
    .venv/bin/python benchmarks/api_latency.py --concurrency 1 4 16 --requests 300 --json-out bench-out/api.json
    .venv/bin/python benchmarks/api_latency.py --database-url postgresql://...   # an empty PostgreSQL database

The documents are synthetic finance notes (seeded), half readable by group ``treasury`` (the caller's), half by
``sales``, so every list and search carries the access filter.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx

from argentier.api.auth import ScryptParams, create_token, create_user
from argentier.config import Settings
from argentier.core.library import Library

SERVE = "from argentier.cli._serve import serve; serve(prog_name='argentier serve')"
TOPICS = [
    "covenant",
    "invoice",
    "VAT",
    "payroll",
    "lease",
    "hedging",
    "accrual",
    "impairment",
    "dividend",
    "audit",
]
VERBS = ["must be reviewed", "is due", "falls", "rises", "is reported", "is approved", "is deferred"]
QUERIES = [
    "when is the invoice due",
    "covenant breach",
    "VAT rate change",
    "lease impairment test",
    "payroll accrual",
]


def _note(rng: np.random.Generator, number: int) -> str:
    sentences = []
    for _ in range(int(rng.integers(4, 12))):
        topic, verb = rng.choice(TOPICS), rng.choice(VERBS)
        sentences.append(
            f"The {topic} of entity {int(rng.integers(1, 50))} {verb} by {int(rng.integers(1, 28))} June."
        )
    return f"Note {number}. " + " ".join(sentences)


def _seed(settings: Settings, documents: int, seed: int) -> tuple[str, list[int]]:
    rng = np.random.default_rng(seed)
    with Library.open(settings) as library:
        ids = []
        for number in range(documents):
            group = "treasury" if number % 2 == 0 else "sales"
            ids.append(
                library.add_text(_note(rng, number), title=f"Note {number}", groups=[group]).document.id
            )
        create_user(
            library.store,
            "bench",
            "bench long password",
            role="analyst",
            groups=["treasury"],
            params=ScryptParams(n=2**10, r=8, p=1),
        )
        token = create_token(library.store, "bench").token
    return token, ids[::2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _measure(base: str, token: str, paths: list[str | tuple[str, dict]], concurrency: int) -> dict:
    """``paths`` are GET paths, or ``(path, body)`` pairs to POST as JSON."""
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.Client(base_url=base, headers=headers, timeout=60) for _ in range(concurrency)]

    def one(index: int) -> tuple[float, int]:
        client = clients[index % concurrency]
        start = time.perf_counter()
        request = paths[index]
        if isinstance(request, tuple):
            status = client.post(request[0], json=request[1]).status_code
        else:
            status = client.get(request).status_code
        return (time.perf_counter() - start) * 1000, status

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(min(20, len(paths)))))  # warm-up: connections, caches
        start = time.perf_counter()
        results = list(pool.map(one, range(len(paths))))
        elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    latencies = np.array([ms for ms, _ in results])
    return {
        "requests": len(paths),
        "errors": sum(status != 200 for _, status in results),
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "req_per_s": len(paths) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--requests", type=int, default=400, help="Requests per endpoint and concurrency.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--database-url", help="Default: a SQLite file in a temporary folder.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        settings = Settings(home=Path(folder) / "home", database_url=url)
        token, readable = _seed(settings, args.documents, args.seed)
        port = _free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
        env.update(ARGENTIER_HOME=str(settings.home), ARGENTIER_DATABASE_URL=url)
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"server did not start: {server.stderr.read().decode()}")
            n = args.requests
            endpoints = {
                "GET /health (no auth)": ["/health"] * n,
                "GET /auth/me": ["/auth/me"] * n,
                "GET /documents/{id}": [f"/documents/{readable[i % len(readable)]}" for i in range(n)],
                "GET /documents?limit=50": [
                    f"/documents?limit=50&offset={(i * 50) % len(readable)}" for i in range(n)
                ],
                "GET /search (hybrid, k=10)": [
                    f"/search?q={QUERIES[i % len(QUERIES)]}&k=10" for i in range(n)
                ],
                # A cited answer: retrieval, sentence embeddings (cached across requests), grounding, the log.
                "POST /assistant/ask": [
                    ("/assistant/ask", {"question": f"{QUERIES[i % len(QUERIES)]}?"}) for i in range(n)
                ],
            }
            rows = []
            for concurrency in args.concurrency:
                for name, paths in endpoints.items():
                    rows.append(
                        {
                            "endpoint": name,
                            "concurrency": concurrency,
                            **_measure(base, token, paths, concurrency),
                        }
                    )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)

    print(f"{args.documents} documents, {args.requests} requests per row, backend {url.split(':')[0]}")
    print(f"{'endpoint':28} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>6}")
    for row in rows:
        print(
            f"{row['endpoint']:28} {row['concurrency']:>4} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}"
            f" {row['p99_ms']:8.1f} {row['req_per_s']:8.0f} {row['errors']:>6}"
        )
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(
            json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "rows": rows}, indent=2)
        )


if __name__ == "__main__":
    main()
