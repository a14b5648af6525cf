"""Embedded backend: SQLite FTS5 (BM25) for keywords and an in-process NumPy matrix for exact vector search.

Why not sqlite-vec: the interpreter's ``sqlite3`` cannot load extensions here, and its exact kNN measured ~68 ms
at 100k chunks, over the 50 ms budget of a whole hybrid query. A float32 matrix product over the same vectors is
exact and takes a few milliseconds; the matrix is read once from the ``embeddings`` table and reloaded only when
the store's index version changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from argentier.core.search._query import keep_rare_terms, query_terms
from argentier.core.store import Chunk

_fts = table("chunks_fts", column("rowid"))


@dataclass
class _Matrix:
    version: int
    chunk_ids: np.ndarray
    document_ids: np.ndarray
    vectors: np.ndarray


class SQLiteBackend:
    """Keyword and vector retrieval on the embedded SQLite store."""

    def __init__(self, *, common_term_fraction: float = 0.1, max_terms: int = 8) -> None:
        self.common_term_fraction = common_term_fraction
        self.max_terms = max_terms
        self._matrices: dict[str, _Matrix] = {}
        self._lock = threading.Lock()

    def _prune_common_terms(self, session: Session, terms: list[str]) -> list[str]:
        """Drop terms found in more than ``common_term_fraction`` of chunks while rarer terms remain."""
        if len(terms) < 2:
            return terms
        total = session.execute(text("SELECT count(*) FROM chunks")).scalar_one()
        cap = max(1, int(total * self.common_term_fraction))
        # FTS5 stems the query term itself, so a capped MATCH count is its document frequency.
        frequencies = {
            term: session.execute(
                text("SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT :cap)"),
                {"q": _quote(term), "cap": cap + 1},
            ).scalar_one()
            for term in terms
        }
        return keep_rare_terms(frequencies, cap, max_terms=self.max_terms)

    def keyword(self, session: Session, query: str, allowed, limit: int) -> list[tuple[int, float]]:
        terms = query_terms(query)
        if not terms:
            return []
        terms = self._prune_common_terms(session, terms)
        match = " OR ".join(_quote(term) for term in terms)
        score = -func.bm25(literal_column("chunks_fts"))
        statement = (
            select(_fts.c.rowid, score.label("score"))
            .select_from(_fts)
            .where(literal_column("chunks_fts").op("MATCH")(match))
        )
        if allowed is not None:
            statement = statement.join(Chunk, Chunk.id == _fts.c.rowid).where(Chunk.document_id.in_(allowed))
        statement = statement.order_by(literal_column("score").desc()).limit(limit)
        return [(int(row[0]), float(row[1])) for row in session.execute(statement)]

    def _matrix(self, session: Session, model: str, version: int) -> _Matrix:
        key = f"{session.get_bind().url}|{model}"
        with self._lock:
            cached = self._matrices.get(key)
            if cached is not None and cached.version == version:
                return cached
            rows = session.execute(
                text(
                    "SELECT c.id, c.document_id, e.vector FROM chunks c JOIN embeddings e"
                    " ON e.content_hash = c.content_hash AND e.model = :model ORDER BY c.id"
                ),
                {"model": model},
            ).all()
            if rows:
                chunk_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
                document_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
                vectors = np.frombuffer(b"".join(row[2] for row in rows), dtype="<f4").reshape(len(rows), -1)
            else:
                chunk_ids = document_ids = np.empty(0, dtype=np.int64)
                vectors = np.empty((0, 0), dtype=np.float32)
            matrix = _Matrix(version, chunk_ids, document_ids, vectors)
            self._matrices[key] = matrix
            return matrix

    def vector(
        self, session: Session, query_vector: np.ndarray, model: str, allowed, limit: int, version: int
    ) -> list[tuple[int, float]]:
        matrix = self._matrix(session, model, version)
        if not len(matrix.chunk_ids):
            return []
        scores = matrix.vectors @ np.asarray(query_vector, dtype=np.float32)
        if allowed is not None:
            allowed_ids = np.fromiter(session.execute(allowed).scalars(), dtype=np.int64)
            scores = np.where(np.isin(matrix.document_ids, allowed_ids), scores, -np.inf)
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(matrix.chunk_ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]

    def after_ingest(self, session: Session, model: str, dimensions: int) -> None:
        """Nothing to build: the matrix reloads lazily when the index version changes."""


def _quote(term: str) -> str:
    """An FTS5 string literal: the term in double quotes, so no word is read as an operator."""
    return '"' + term.replace('"', '""') + '"'
