"""Hybrid search over document chunks: keyword (BM25 / full-text) and vector similarity, fused.

The same :class:`HybridSearch` runs on the embedded SQLite store and on PostgreSQL; every query carries a
:class:`SearchFilter`, whose groups decide which documents may be returned at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from argentier.config import SearchSettings
from argentier.core.search._access import allowed_documents, readable_by
from argentier.core.search._fusion import reciprocal_rank_fusion, weighted_fusion
from argentier.core.search._query import STOPWORDS, query_terms
from argentier.core.search._types import DocumentRef, FusionMethod, SearchFilter, SearchHit, SearchMode
from argentier.core.store import Chunk, Collection, Document, Store
from argentier.errors import InputError

if TYPE_CHECKING:
    from argentier.core.embeddings import Embedder

__all__ = [
    "DocumentRef",
    "FusionMethod",
    "HybridSearch",
    "STOPWORDS",
    "SearchFilter",
    "SearchHit",
    "SearchMode",
    "allowed_documents",
    "query_terms",
    "readable_by",
    "reciprocal_rank_fusion",
    "weighted_fusion",
]

_MODES = ("hybrid", "keyword", "vector")
_FUSIONS = ("rrf", "weighted")


def make_backend(store: Store, settings: SearchSettings):  # noqa: ANN201 - SQLiteBackend | PostgresBackend
    """The retrieval backend for the store's database."""
    if store.dialect == "postgresql":
        from argentier.core.search._postgres import PostgresBackend

        return PostgresBackend(
            common_term_fraction=settings.common_term_fraction, max_terms=settings.max_query_terms
        )
    from argentier.core.search._sqlite import SQLiteBackend

    return SQLiteBackend(common_term_fraction=settings.common_term_fraction, max_terms=settings.max_query_terms)


class HybridSearch:
    """Query the chunks of a store by keywords, by meaning, or both."""

    def __init__(self, store: Store, embedder: "Embedder", settings: SearchSettings | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or SearchSettings()
        self.backend = make_backend(store, self.settings)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilter | None = None,
        mode: SearchMode = "hybrid",
        fusion: FusionMethod | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best chunks for ``query`` among those ``filters`` allow, best first."""
        if not query or not query.strip():
            raise InputError("the search query is empty")
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        if mode not in _MODES:
            raise InputError(f"unknown search mode {mode!r}; choose one of {', '.join(_MODES)}")
        fusion = fusion or self.settings.fusion
        if fusion not in _FUSIONS:
            raise InputError(f"unknown fusion {fusion!r}; choose one of {', '.join(_FUSIONS)}")
        filters = filters or SearchFilter()
        candidates = max(self.settings.candidates, k)
        allowed = allowed_documents(filters, public_group=self.settings.public_group)
        with self.store.session() as session:
            keyword_hits = vector_hits = []
            if mode in ("hybrid", "keyword"):
                keyword_hits = self.backend.keyword(session, query, allowed, candidates)
            if mode in ("hybrid", "vector"):
                query_vector = self.embedder.embed([query])[0]
                version = self.store.index_version(session)
                vector_hits = self.backend.vector(
                    session, query_vector, self.embedder.name, allowed, candidates, version
                )
            if mode == "keyword":
                ranked = keyword_hits
            elif mode == "vector":
                ranked = vector_hits
            elif fusion == "rrf":
                ranked = reciprocal_rank_fusion([keyword_hits, vector_hits], k=self.settings.rrf_k)
            else:
                ranked = weighted_fusion(keyword_hits, vector_hits, keyword_weight=self.settings.keyword_weight)
            ranked = ranked[:k]
            keyword_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(keyword_hits, start=1)}
            vector_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(vector_hits, start=1)}
            return self._hydrate(session, ranked, keyword_rank, vector_rank)

    @staticmethod
    def _hydrate(session, ranked, keyword_rank, vector_rank) -> list[SearchHit]:  # noqa: ANN001
        if not ranked:
            return []
        rows = session.execute(
            select(Chunk, Document.id, Document.title, Document.path, Collection.name)
            .join(Document, Document.id == Chunk.document_id)
            .join(Collection, Collection.id == Document.collection_id)
            .where(Chunk.id.in_([chunk_id for chunk_id, _ in ranked]))
        ).all()
        by_id = {row[0].id: row for row in rows}
        hits = []
        for chunk_id, score in ranked:
            if chunk_id not in by_id:
                continue  # removed between retrieval and hydration
            chunk, document_id, title, path, collection = by_id[chunk_id]
            hits.append(
                SearchHit(
                    document=DocumentRef(id=document_id, title=title, path=path),
                    chunk_id=chunk.id,
                    collection=collection,
                    page=chunk.page,
                    section=chunk.section,
                    start=chunk.start,
                    end=chunk.end,
                    text=chunk.text,
                    score=round(float(score), 6),
                    keyword_rank=keyword_rank.get(chunk_id),
                    vector_rank=vector_rank.get(chunk_id),
                )
            )
        return hits
