import numpy as np
import pytest
from sqlalchemy import inspect, select, text

from argentier.core.store import _MIGRATIONS as MIGRATIONS
from argentier.core.store import Chunk, Collection, Document, Embedding, Store
from argentier.errors import StoreError


def _document(collection_id: int, path: str = "/tmp/a.txt") -> Document:
    return Document(
        collection_id=collection_id,
        title="A",
        path=path,
        format="txt",
        source_hash="s" * 64,
        content_hash="c" * 64,
        text="Invoices are due in thirty days.",
        structure={"format": "txt", "root": {"kind": "document", "start": 0, "end": 32}},
        meta={"region": "EU"},
        n_chunks=1,
    )


def test_migrations_create_the_schema(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"collections", "documents", "document_groups", "chunks", "embeddings", "index_state"} <= tables
    assert "alembic_version" in tables
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == store.head_revision()


def test_head_revision_is_the_newest_migration(store):
    revisions = sorted(path.name.split("_")[0] for path in (MIGRATIONS / "versions").glob("0*.py"))
    assert store.head_revision() == revisions[-1]


def test_reopening_is_idempotent(database_url):
    Store.open(database_url).close()
    store = Store.open(database_url)
    with store.session() as session:
        assert store.index_version(session) == 0
    store.close()


def test_vectors_round_trip_exactly(store):
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    with store.session() as session:
        session.add(Embedding(model="m", content_hash="h", dimensions=384, vector=vector))
    with store.session() as session:
        stored = session.get(Embedding, ("m", "h")).vector
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, vector)


def test_deleting_a_document_cascades_to_chunks_and_full_text(store):
    with store.session() as session:
        collection = Collection(name="c")
        session.add(collection)
        session.flush()
        document = _document(collection.id)
        session.add(document)
        session.flush()
        session.add(Chunk(document_id=document.id, ordinal=0, start=0, end=32, text=document.text, content_hash="x"))
    fts_count = (
        "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'invoices'"
        if store.dialect == "sqlite"
        else "SELECT count(*) FROM chunks WHERE tsv @@ to_tsquery('english', 'invoices')"
    )
    with store.session() as session:
        assert session.execute(text(fts_count)).scalar_one() == 1
        session.delete(session.scalars(select(Document)).one())
    with store.session() as session:
        assert session.scalars(select(Chunk)).all() == []
        assert session.execute(text(fts_count)).scalar_one() == 0


def test_path_is_unique_within_a_collection(store):
    from sqlalchemy.exc import IntegrityError

    with store.session() as session:
        collection = Collection(name="c")
        session.add(collection)
        session.flush()
        collection_id = collection.id
        session.add(_document(collection_id))
    with pytest.raises(IntegrityError):
        with store.session() as session:
            session.add(_document(collection_id))


def test_bump_index_version_counts_changes(store):
    with store.session() as session:
        store.bump_index_version(session)
        store.bump_index_version(session)
    with store.session() as session:
        assert store.index_version(session) == 2


def test_bad_urls_are_store_errors(tmp_path):
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open("not a url")
    with pytest.raises(StoreError):
        Store.open("postgresql://nobody@127.0.0.1:1/none")
