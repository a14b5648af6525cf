"""The document library: adding, listing, reading, removing and searching documents."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from argentier.config import Settings
from argentier.core.chunking import Chunk as TextChunk
from argentier.core.chunking import chunk_document
from argentier.core.documents import SUPPORTED_SUFFIXES, ParsedDocument, load_document, parse_text
from argentier.core.library._types import AddOutcome, DocumentInfo, ProgressCallback, StoredDocument
from argentier.core.search import HybridSearch, SearchFilter, SearchHit, readable_by
from argentier.core.search._types import FusionMethod, SearchMode
from argentier.core.store import Chunk, Collection, Document, DocumentGroup, Embedding, Store
from argentier.errors import AccessDeniedError, ArgentierError, InputError, NotFoundError

if TYPE_CHECKING:
    from argentier.core.embeddings import Embedder

DEFAULT_COLLECTION = "default"


@dataclass(frozen=True)
class _Prepared:
    parsed: ParsedDocument
    chunks: list[TextChunk]
    source_hash: str
    vectors: dict[str, Any] = field(default_factory=dict)


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, bool]]:
    """Expand folders recursively into supported files; yield ``(path, given_explicitly)``.

    Files named explicitly are always yielded (so an unknown type is reported); inside folders, hidden files
    and unsupported types are passed over.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child, False
        else:
            yield path, True


def _normalise_groups(groups: Iterable[str] | None, public_group: str) -> list[str]:
    cleaned = sorted({group.strip() for group in (groups or ()) if group and group.strip()})
    return cleaned or [public_group]


class Library:
    """Documents, chunks and their vectors in one store, searchable with access control."""

    def __init__(self, store: Store, embedder: "Embedder", settings: Settings | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or Settings()
        self.searcher = HybridSearch(store, embedder, self.settings.search)

    @classmethod
    def open(cls, settings: Settings | None = None, *, embedder: "Embedder | None" = None) -> "Library":
        """Open the store named by ``settings`` (migrating it) with the configured embedding model."""
        from argentier.core.embeddings import make_embedder

        settings = settings or Settings()
        store = Store.open(settings.effective_database_url)
        return cls(store, embedder or make_embedder(settings.embeddings), settings)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- adding ---------------------------------------------------------------------------------------------

    def add_file(
        self,
        path: str | os.PathLike[str],
        *,
        collection: str = DEFAULT_COLLECTION,
        groups: Iterable[str] | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> AddOutcome:
        """Add or refresh one file; an unchanged file (same bytes at the same path) is skipped.

        Raises :class:`InputError` naming the file when it cannot be read or parsed.
        """
        path = Path(path)
        source = str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise InputError("file not found", source=source) from exc
        except IsADirectoryError as exc:
            raise InputError("is a folder; use add_paths for folders", source=source) from exc
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", source=source) from exc
        stored_path = path.resolve().as_posix()
        source_hash = hashlib.sha256(data).hexdigest()
        with self.store.session() as session:
            existing = self._find_by_path(session, collection, stored_path)
            if existing is not None and existing.source_hash == source_hash:
                return AddOutcome(source, "unchanged", DocumentInfo.from_row(existing))
        parsed = load_document(path)
        return self._write(
            parsed,
            source=source,
            source_hash=source_hash,
            path=stored_path,
            title=parsed.title or path.stem,
            collection=collection,
            groups=groups,
            meta=meta,
        )

    def add_text(
        self,
        text: str,
        *,
        title: str,
        format: str = "txt",
        collection: str = DEFAULT_COLLECTION,
        groups: Iterable[str] | None = None,
        meta: Mapping[str, str] | None = None,
        path: str | None = None,
    ) -> AddOutcome:
        """Add a text given directly (``format`` ``txt``, ``markdown`` or ``html``); ``path`` may name its origin."""
        if not title or not title.strip():
            raise InputError("a document added as text needs a title")
        parsed = parse_text(text, format=format)
        source_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if path is not None:
            with self.store.session() as session:
                existing = self._find_by_path(session, collection, path)
                if existing is not None and existing.source_hash == source_hash:
                    return AddOutcome(path, "unchanged", DocumentInfo.from_row(existing))
        return self._write(
            parsed,
            source=path or title,
            source_hash=source_hash,
            path=path,
            title=title.strip(),
            collection=collection,
            groups=groups,
            meta=meta,
        )

    def add_paths(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        collection: str = DEFAULT_COLLECTION,
        groups: Iterable[str] | None = None,
        meta: Mapping[str, str] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[AddOutcome]:
        """Add files and folders (recursively); a bad file is reported in its outcome and the rest go on."""
        files = list(iter_files(paths))
        groups = list(groups) if groups is not None else None
        outcomes = []
        for index, (path, _explicit) in enumerate(files):
            try:
                outcome = self.add_file(path, collection=collection, groups=groups, meta=meta)
            except ArgentierError as exc:
                reason = exc.reason if isinstance(exc, InputError) else str(exc)
                outcome = AddOutcome(str(path), "failed", error=reason)
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(index + 1, len(files), str(path))
        return outcomes

    def _prepare(self, parsed: ParsedDocument, source_hash: str) -> _Prepared:
        chunking = self.settings.chunking
        chunks = chunk_document(parsed, max_chars=chunking.max_chars, min_chars=chunking.min_chars)
        if not chunks:
            raise InputError("no text to index")
        prepared = _Prepared(parsed, chunks, source_hash)
        wanted = {chunk.content_hash: chunk.text for chunk in chunks}
        with self.store.session() as session:
            cached = set(
                session.scalars(
                    select(Embedding.content_hash).where(
                        Embedding.model == self.embedder.name, Embedding.content_hash.in_(list(wanted))
                    )
                )
            )
        missing = [content_hash for content_hash in wanted if content_hash not in cached]
        if missing:
            vectors = self.embedder.embed([wanted[content_hash] for content_hash in missing])
            prepared.vectors.update(zip(missing, vectors))
        return prepared

    def _write(
        self,
        parsed: ParsedDocument,
        *,
        source: str,
        source_hash: str,
        path: str | None,
        title: str,
        collection: str,
        groups: Iterable[str] | None,
        meta: Mapping[str, str] | None,
    ) -> AddOutcome:
        try:
            prepared = self._prepare(parsed, source_hash)
        except InputError as exc:
            raise InputError(exc.reason, source=source) from exc
        now = datetime.now(timezone.utc)
        with self.store.session() as session:
            collection_row = self._collection(session, collection)
            existing = self._find_by_path(session, collection, path) if path is not None else None
            created_at = now
            if existing is not None:
                created_at = existing.created_at
                session.delete(existing)
                session.flush()
            document = Document(
                collection_id=collection_row.id,
                title=title[:500],
                path=path,
                format=parsed.format,
                source_hash=source_hash,
                content_hash=parsed.content_hash,
                text=parsed.text,
                structure=parsed.structure_to_dict(),
                meta={str(key): str(value) for key, value in (meta or {}).items()},
                n_pages=len(parsed.pages) or None,
                n_chunks=len(prepared.chunks),
                created_at=created_at,
                updated_at=now,
            )
            document.groups = [
                DocumentGroup(group_name=group)
                for group in _normalise_groups(groups, self.settings.search.public_group)
            ]
            session.add(document)
            session.flush()
            session.add_all(
                Chunk(
                    document_id=document.id,
                    ordinal=chunk.ordinal,
                    start=chunk.start,
                    end=chunk.end,
                    page=chunk.page,
                    section=chunk.section,
                    text=chunk.text,
                    content_hash=chunk.content_hash,
                )
                for chunk in prepared.chunks
            )
            self._insert_vectors(session, prepared.vectors)
            self.store.bump_index_version(session)
            self.searcher.backend.after_ingest(session, self.embedder.name, self.embedder.dimensions)
            session.flush()
            session.refresh(document)
            info = DocumentInfo.from_row(document)
        return AddOutcome(source, "updated" if existing is not None else "added", info)

    def _insert_vectors(self, session: Session, vectors: Mapping[str, Any]) -> None:
        if not vectors:
            return
        if self.store.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        rows = [
            {
                "model": self.embedder.name,
                "content_hash": content_hash,
                "dimensions": int(len(vector)),
                "vector": vector,
            }
            for content_hash, vector in vectors.items()
        ]
        # Another writer may have embedded the same text meanwhile; identical text gives the same vector.
        session.execute(insert(Embedding).on_conflict_do_nothing(), rows)

    @staticmethod
    def _collection(session: Session, name: str) -> Collection:
        if not name or not name.strip():
            raise InputError("the collection name is empty")
        row = session.scalars(select(Collection).where(Collection.name == name)).first()
        if row is None:
            row = Collection(name=name, created_at=datetime.now(timezone.utc))
            session.add(row)
            session.flush()
        return row

    @staticmethod
    def _find_by_path(session: Session, collection: str, path: str) -> Document | None:
        return session.scalars(
            select(Document)
            .join(Collection, Collection.id == Document.collection_id)
            .where(Collection.name == collection, Document.path == path)
        ).first()

    # -- reading --------------------------------------------------------------------------------------------

    def _visible(self, groups: Iterable[str] | None):  # noqa: ANN202 - a SQL clause or None
        if groups is None:
            return None
        return readable_by(frozenset(groups), self.settings.search.public_group)

    def _listing(self, statement: Any, collection: str | None, groups: Iterable[str] | None) -> Any:
        statement = statement.join(Collection, Collection.id == Document.collection_id)
        if collection is not None:
            statement = statement.where(Collection.name == collection)
        visible = self._visible(groups)
        return statement if visible is None else statement.where(visible)

    def list_documents(
        self,
        *,
        collection: str | None = None,
        groups: Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[DocumentInfo]:
        """The documents (of one collection, if given) that the caller's ``groups`` may read, oldest first.

        ``limit`` and ``offset`` cut one page (all of them by default); :meth:`count_documents` gives the total.
        Texts and structures are not read, so listing stays cheap however long the documents are.
        """
        if (limit is not None and limit < 0) or offset < 0:
            raise InputError(f"limit and offset must be at least 0, got {limit} and {offset}")
        statement = self._listing(select(Document), collection, groups).options(
            defer(Document.text), defer(Document.structure)
        )
        statement = statement.order_by(Document.id).offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        with self.store.session() as session:
            return [DocumentInfo.from_row(row) for row in session.scalars(statement).all()]

    def count_documents(self, *, collection: str | None = None, groups: Iterable[str] | None = None) -> int:
        """How many documents :meth:`list_documents` would list without a limit."""
        statement = self._listing(select(func.count(Document.id)), collection, groups)
        with self.store.session() as session:
            return int(session.scalar(statement) or 0)

    def get_document(self, document_id: int, *, groups: Iterable[str] | None = None) -> StoredDocument:
        """One document with its text and structure; :class:`AccessDeniedError` if ``groups`` may not read it."""
        with self.store.session() as session:
            row = self._readable_row(session, document_id, groups)
            return StoredDocument(
                info=DocumentInfo.from_row(row), parsed=ParsedDocument.from_structure(row.text, row.structure)
            )

    def _readable_row(self, session: Session, document_id: int, groups: Iterable[str] | None) -> Document:
        """The document row, if it exists and ``groups`` may read it."""
        row = session.get(Document, document_id)
        if row is None:
            raise NotFoundError(f"no document with id {document_id}")
        visible = self._visible(groups)
        if visible is not None and session.scalar(select(Document.id).where(Document.id == document_id, visible)) is None:
            raise AccessDeniedError(f"not allowed to read document {document_id}")
        return row

    def remove_document(self, document_id: int, *, groups: Iterable[str] | None = None) -> DocumentInfo:
        """Delete a document with its chunks (cached vectors stay for identical texts)."""
        with self.store.session() as session:
            row = self._readable_row(session, document_id, groups)
            info = DocumentInfo.from_row(row)
            session.delete(row)
            self.store.bump_index_version(session)
        return info

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        collection: str | None = None,
        groups: Iterable[str] | None = None,
        meta: Mapping[str, str] | None = None,
        mode: SearchMode = "hybrid",
        fusion: FusionMethod | None = None,
    ) -> list[SearchHit]:
        """Hybrid search; see :class:`argentier.core.search.HybridSearch`."""
        filters = SearchFilter(
            collection=collection,
            groups=frozenset(groups) if groups is not None else None,
            meta=dict(meta or {}),
        )
        return self.searcher.search(query, k=k, filters=filters, mode=mode, fusion=fusion)
