"""Library listing in pages: the same order as a full listing, counts that match, group filtering, and no
document text read from the database (so a page of long documents stays cheap)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from argentier.errors import InputError


@pytest.fixture
def filled(library):
    for number in range(7):
        groups = ["treasury"] if number % 3 == 0 else None
        library.add_text(f"Document {number}. " + "Long body text. " * 20, title=f"doc {number}", groups=groups,
                         collection="odd" if number % 2 else "even")
    return library


def test_pages_cover_the_full_listing_in_order(filled):
    everything = filled.list_documents()
    assert [d.title for d in everything] == [f"doc {n}" for n in range(7)]
    assert filled.count_documents() == 7
    pages = [filled.list_documents(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [d.id for page in pages for d in page] == [d.id for d in everything]
    public = filled.list_documents(groups=[], limit=2, offset=1)
    assert [d.title for d in public] == ["doc 2", "doc 4"]  # docs 0, 3, 6 are treasury's
    assert filled.count_documents(groups=[]) == 4 and filled.count_documents(groups=["treasury"]) == 7
    assert filled.count_documents(collection="odd") == 3
    assert [d.title for d in filled.list_documents(collection="odd", groups=[], limit=5)] == ["doc 1", "doc 5"]
    assert filled.list_documents(limit=0) == []
    with pytest.raises(InputError):
        filled.list_documents(offset=-1)


def test_listing_does_not_read_texts(filled):
    statements = []

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(filled.store.engine, "before_cursor_execute", capture)
    try:
        infos = filled.list_documents(limit=5)
    finally:
        event.remove(filled.store.engine, "before_cursor_execute", capture)
    assert len(infos) == 5 and infos[0].n_chunks >= 1
    documents_selects = [s for s in statements if "FROM documents" in s]
    assert documents_selects, statements
    for statement in documents_selects:
        assert "documents.text" not in statement and "documents.structure" not in statement, statement
    # the full document is still there when asked for
    assert filled.get_document(infos[0].id).parsed.text.startswith("Document 0.")
