import numpy as np
import pytest
from sqlalchemy import func, select

from argentier.core.library import Library
from argentier.core.store import Chunk, Document, Embedding
from argentier.errors import AccessDeniedError, EmbeddingError, InputError, NotFoundError


def _counts(library):
    with library.store.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Document)),
            session.scalar(select(func.count()).select_from(Chunk)),
        )


def test_add_file_then_skip_unchanged_then_update(library, tmp_path):
    path = tmp_path / "policy.md"
    path.write_text("# Policy\n\nInvoices are paid within 30 days.\n")
    first = library.add_file(path)
    assert first.status == "added"
    assert first.document.path == path.resolve().as_posix()
    assert first.document.groups == ("public",)
    assert library.add_file(path).status == "unchanged"
    path.write_text("# Policy\n\nInvoices are paid within 60 days.\n")
    updated = library.add_file(path)
    assert updated.status == "updated"
    assert updated.document.created_at == first.document.created_at
    assert _counts(library)[0] == 1
    assert "60 days" in library.search("invoice payment days", k=1)[0].text


def test_add_paths_reports_bad_files_and_keeps_the_rest(library, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text("Bank reconciliations are done on day two of the close.")
    (folder / "sub" / "also-good.md").write_text("# Accruals\n\nAccrue costs above 5,000 euros.")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (folder / "empty.txt").write_text("")
    (folder / ".hidden.txt").write_text("hidden files are passed over")
    (folder / "image.png").write_bytes(b"\x89PNG")
    outcomes = library.add_paths([folder])
    by_name = {outcome.source.rsplit("/", 1)[-1]: outcome for outcome in outcomes}
    assert set(by_name) == {"good.txt", "also-good.md", "broken.pdf", "empty.txt"}
    assert by_name["good.txt"].status == by_name["also-good.md"].status == "added"
    assert by_name["broken.pdf"].status == by_name["empty.txt"].status == "failed"
    assert by_name["broken.pdf"].error and "\n" not in by_name["broken.pdf"].error
    assert _counts(library)[0] == 2


def test_unknown_type_named_explicitly_is_reported(library, tmp_path):
    path = tmp_path / "data.xyz"
    path.write_text("some text")
    [outcome] = library.add_paths([path])
    assert outcome.status == "failed"
    assert "unsupported" in outcome.error


class _FailingEmbedder:
    """The real model, made to fail on a chosen text: a fault injected to test atomicity."""

    def __init__(self, real, poison: str) -> None:
        self.real, self.poison = real, poison
        self.name, self.dimensions = real.name, real.dimensions

    def embed(self, texts):
        if any(self.poison in text for text in texts):
            raise EmbeddingError("embedding endpoint failed")
        return self.real.embed(texts)


def test_a_failure_leaves_nothing_half_indexed(settings, embedder, tmp_path):
    library = Library.open(settings, embedder=_FailingEmbedder(embedder, "POISON"))
    try:
        good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
        good.write_text("Invoices are due in thirty days.")
        bad.write_text("Para one.\n\nPara two POISON.")
        outcomes = library.add_paths([good, bad])
        assert [outcome.status for outcome in outcomes] == ["added", "failed"]
        assert _counts(library) == (1, 1)
        with library.store.session() as session:
            assert session.scalar(select(func.count()).select_from(Embedding)) == 1
    finally:
        library.close()


def test_embeddings_are_cached_by_content_hash(library, tmp_path):
    text = "Intercompany balances must agree to the cent."
    library.add_text(text, title="one")
    library.add_text(text, title="two", collection="other")
    with library.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Embedding)) == 1
        vector = session.scalars(select(Embedding.vector)).one()
    np.testing.assert_allclose(vector, library.embedder.embed([text])[0], atol=1e-6)


def test_listing_and_reading_respect_groups(library):
    public = library.add_text("Public procedure text.", title="public").document
    secret = library.add_text("Treasury only text.", title="secret", groups=["treasury"]).document
    assert [doc.title for doc in library.list_documents(groups=[])] == ["public"]
    assert [doc.title for doc in library.list_documents(groups=["treasury"])] == ["public", "secret"]
    assert library.get_document(secret.id, groups=["treasury"]).parsed.text == "Treasury only text."
    with pytest.raises(AccessDeniedError):
        library.get_document(secret.id, groups=["sales"])
    with pytest.raises(AccessDeniedError):
        library.remove_document(secret.id, groups=["sales"])
    assert library.get_document(public.id, groups=[]).info.title == "public"


def test_remove_and_missing_documents(library):
    document = library.add_text("Some text to remove.", title="gone").document
    assert library.remove_document(document.id).title == "gone"
    with pytest.raises(NotFoundError):
        library.get_document(document.id)
    with pytest.raises(NotFoundError):
        library.remove_document(document.id)
    assert _counts(library) == (0, 0)


def test_bad_text_inputs(library):
    with pytest.raises(InputError, match="title"):
        library.add_text("text", title=" ")
    with pytest.raises(InputError):
        library.add_text("   ", title="blank")
    with pytest.raises(InputError, match="collection"):
        library.add_text("text", title="t", collection="")
