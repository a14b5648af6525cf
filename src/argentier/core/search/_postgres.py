"""Server backend: PostgreSQL full-text search (``tsvector`` + GIN) and pgvector HNSW for vectors.

PostgreSQL has no BM25; keyword hits are ranked with ``ts_rank_cd`` (cover density) over an OR of the query's
terms, which rewards chunks holding several terms close together.
"""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import bindparam, cast, func, literal_column, select, text
from sqlalchemy.orm import Session

from argentier.core.search._query import query_terms
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

    def keyword(self, session: Session, query: str, allowed, limit: int) -> list[tuple[int, float]]:
        terms = [term for term in query_terms(query) if term.isalnum()]
        if not terms:
            return []
        tsquery = func.to_tsquery(_TEXT_CONFIG, " | ".join(terms))
        score = func.ts_rank_cd(_TSV, tsquery)
        statement = select(Chunk.id, score.label("score")).where(_TSV.op("@@")(tsquery))
        if allowed is not None:
            statement = statement.where(Chunk.document_id.in_(allowed))
        statement = statement.order_by(score.desc(), Chunk.id).limit(limit)
        return [(int(row[0]), float(row[1])) for row in session.execute(statement)]

    def vector(
        self, session: Session, query_vector: np.ndarray, model: str, allowed, limit: int, version: int
    ) -> list[tuple[int, float]]:
        from pgvector.sqlalchemy import VECTOR

        dimensions = len(query_vector)
        # Filters are applied during the HNSW scan (iterative scan), not after it, so filtered queries still
        # find `limit` hits; relaxed order means the outer query sorts again.
        session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        session.execute(text(f"SET LOCAL hnsw.ef_search = {max(40, min(limit * 2, 1000))}"))
        query = bindparam("query", np.asarray(query_vector, dtype=np.float32), type_=VECTOR(dimensions))
        distance = cast(Embedding.vector, VECTOR(dimensions)).cosine_distance(query)
        # The model is inlined, not bound, so the planner can match the per-model partial HNSW index.
        inner = (
            select(Chunk.id.label("id"), distance.label("distance"))
            .join(Embedding, Embedding.content_hash == Chunk.content_hash)
            .where(Embedding.model == literal_column(_sql_string(model)))
        )
        if allowed is not None:
            inner = inner.where(Chunk.document_id.in_(allowed))
        hits = inner.order_by(distance).limit(limit).subquery()
        statement = select(hits.c.id, 1 - hits.c.distance).order_by(hits.c.distance, hits.c.id)
        return [(int(row[0]), float(row[1])) for row in session.execute(statement)]

    def after_ingest(self, session: Session, model: str, dimensions: int) -> None:
        """Create the HNSW index for this model's vectors on first use (a partial, per-model index)."""
        session.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS {_index_name(model, dimensions)} ON embeddings USING hnsw"
                f" ((vector::vector({dimensions})) vector_cosine_ops) WHERE model = {_sql_string(model)}"
            )
        )
