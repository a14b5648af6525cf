"""Server backend: PostgreSQL full-text search (``tsvector`` + GIN) and pgvector HNSW for vectors.

PostgreSQL has no BM25; keyword hits are scored by the BM25 idf of the query terms each chunk holds, with
``ts_rank_cd`` (cover density) to break ties, over an OR of the query's rarer terms.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
from sqlalchemy import Integer, bindparam, cast, func, literal_column, select, text
from sqlalchemy.orm import Session

from argentier.core.search._query import bm25_idf, keep_rare_terms, query_terms
from argentier.core.store import Chunk, Embedding

# Fixed by the migration's generated tsvector column.
_TEXT_CONFIG = literal_column("'english'::regconfig")
_TSV = literal_column("chunks.tsv")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _index_name(model: str, dimensions: int) -> str:
    digest = hashlib.sha1(model.encode("utf-8")).hexdigest()[:10]
    return f"ix_embeddings_hnsw_{digest}_{dimensions}"


class PostgresBackend:
    """Keyword and vector retrieval on PostgreSQL with pgvector."""

    def __init__(
        self,
        *,
        common_term_fraction: float = 0.1,
        max_terms: int = 8,
        statistics_ttl_s: float = 300.0,
        overfetch: int = 4,
    ) -> None:
        self.common_term_fraction = common_term_fraction
        self.max_terms = max_terms
        self.overfetch = overfetch
        self.statistics_ttl_s = statistics_ttl_s
        self._common: dict[str, tuple[float, dict[str, float]]] = {}

    def _common_lexemes(self, session: Session) -> dict[str, float]:
        """Lexeme -> share of chunks holding it, for the most common lexemes, from ANALYZE's statistics.

        Counting a very common term through the GIN index costs tens of milliseconds; PostgreSQL already
        knows these frequencies (``pg_stats.most_common_elems`` of the tsvector column). Cached for a while.
        """
        key = str(session.get_bind().url)
        cached = self._common.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.statistics_ttl_s:
            return cached[1]
        row = session.execute(
            text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
                " WHERE schemaname = current_schema() AND tablename = 'chunks' AND attname = 'tsv'"
            )
        ).first()
        common = dict(zip(row[0], row[1])) if row is not None and row[0] is not None else {}
        self._common[key] = (time.monotonic(), common)
        return common

    def _term_statistics(self, session: Session, terms: list[str]) -> tuple[dict[str, int], int, int]:
        """Document frequencies (capped) of the terms PostgreSQL keeps (its stopwords drop out), the
        estimated number of chunks, and the cap."""
        total = session.execute(
            text("SELECT greatest(reltuples::bigint, 0) FROM pg_class WHERE oid = 'chunks'::regclass")
        ).scalar_one()
        if total <= 0:  # never analysed yet: count (small tables only reach this)
            total = session.execute(text("SELECT count(*) FROM chunks")).scalar_one()
        cap = max(1, int(total * self.common_term_fraction))
        if not terms:
            return {}, max(total, 1), cap
        common = self._common_lexemes(session)
        lexemes = session.execute(
            text(
                "SELECT t, numnode(to_tsquery('english', t)), trim(both '''' from to_tsquery('english', t)::text)"
                " FROM unnest(CAST(:terms AS text[])) AS t"
            ),
            {"terms": terms},
        ).all()
        frequencies: dict[str, int] = {}
        to_count = []
        for term, nodes, lexeme in lexemes:
            if not nodes:
                continue
            if lexeme in common:
                frequencies[term] = max(1, round(common[lexeme] * total))
            else:  # not among the most common lexemes, so rare: counting it through the index is cheap
                to_count.append(term)
        if to_count:
            counts = session.execute(
                text(
                    "SELECT t, (SELECT count(*) FROM (SELECT 1 FROM chunks WHERE tsv @@ to_tsquery('english', t)"
                    " LIMIT :cap) s) FROM unnest(CAST(:terms AS text[])) AS t"
                ),
                {"terms": to_count, "cap": cap + 1},
            ).all()
            frequencies.update({term: count for term, count in counts})
        return frequencies, max(total, 1), cap

    def keyword(self, session: Session, query: str, allowed, limit: int) -> list[tuple[int, float]]:
        terms = [term for term in query_terms(query) if term.isalnum()]
        frequencies, total, cap = self._term_statistics(session, terms)
        if not frequencies:
            return []
        kept = keep_rare_terms(frequencies, cap, max_terms=self.max_terms)
        # No BM25 in PostgreSQL: score = sum of the BM25 idf of the query terms a chunk holds, plus
        # ts_rank_cd (term proximity and frequency, below 1) to order chunks that hold the same terms.
        weighted = [
            bm25_idf(frequencies[term], total) * cast(_TSV.op("@@")(func.to_tsquery(_TEXT_CONFIG, term)), Integer)
            for term in kept
        ]
        tsquery = func.to_tsquery(_TEXT_CONFIG, " | ".join(kept))
        score = sum(weighted[1:], weighted[0]) + func.ts_rank_cd(_TSV, tsquery, 32)
        statement = select(Chunk.id, score.label("score")).where(_TSV.op("@@")(tsquery))
        if allowed is not None:
            statement = statement.where(Chunk.document_id.in_(allowed))
        statement = statement.order_by(literal_column("score").desc(), Chunk.id).limit(limit)
        return [(int(row[0]), float(row[1])) for row in session.execute(statement)]

    def vector(
        self, session: Session, query_vector: np.ndarray, model: str, allowed, limit: int, version: int
    ) -> list[tuple[int, float]]:
        """Nearest chunks by cosine similarity.

        Unfiltered: the HNSW index alone. Filtered: the HNSW index over-fetches ``overfetch`` times ``limit``
        neighbours and the filter keeps the allowed ones; only when that leaves fewer than ``limit`` (a
        restrictive filter, hence few allowed chunks) does an exact scan of the allowed chunks run. A filter
        inside the index query would make the planner give up the index for an exact scan of every allowed
        chunk, whatever their number.
        """
        from pgvector.sqlalchemy import VECTOR

        dimensions = len(query_vector)
        fetch = limit if allowed is None else limit * self.overfetch
        session.execute(text(f"SET LOCAL hnsw.ef_search = {max(40, min(fetch * 2, 1000))}"))
        query = bindparam("query", np.asarray(query_vector, dtype=np.float32), type_=VECTOR(dimensions))
        distance = cast(Embedding.vector, VECTOR(dimensions)).cosine_distance(query)
        # The model is inlined, not bound, so the planner can match the per-model partial HNSW index.
        nearest = (
            select(Chunk.id.label("id"), Chunk.document_id.label("document_id"), distance.label("distance"))
            .join(Embedding, Embedding.content_hash == Chunk.content_hash)
            .where(Embedding.model == literal_column(_sql_string(model)))
        )
        hits = nearest.order_by(distance).limit(fetch).subquery()
        statement = select(hits.c.id, 1 - hits.c.distance)
        if allowed is not None:
            statement = statement.where(hits.c.document_id.in_(allowed))
        statement = statement.order_by(hits.c.distance, hits.c.id).limit(limit)
        rows = session.execute(statement).all()
        if allowed is not None and len(rows) < limit:
            exact = nearest.where(Chunk.document_id.in_(allowed)).order_by(distance).limit(limit).subquery()
            rows = session.execute(
                select(exact.c.id, 1 - exact.c.distance).order_by(exact.c.distance, exact.c.id)
            ).all()
        return [(int(row[0]), float(row[1])) for row in rows]

    def after_ingest(self, session: Session, model: str, dimensions: int) -> None:
        """Create the HNSW index for this model's vectors on first use (a partial, per-model index)."""
        session.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS {_index_name(model, dimensions)} ON embeddings USING hnsw"
                f" ((vector::vector({dimensions})) vector_cosine_ops) WHERE model = {_sql_string(model)}"
            )
        )
