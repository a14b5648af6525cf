"""The generated demo corpus: every file loads, and writing it again gives the same bytes (so re-running the demo
keeps the stored documents and the findings that point at them)."""

import hashlib

from argentier.core.documents import load_document
from argentier.demo.corpus import write_demo_corpus


def test_the_corpus_loads_and_is_byte_for_byte_repeatable(tmp_path):
    first = write_demo_corpus(tmp_path / "one")
    second = write_demo_corpus(tmp_path / "two")
    digest = lambda files: {f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files}  # noqa: E731
    assert digest(first) == digest(second)
    suffixes = {file.path.suffix for file in first}
    assert {".pdf", ".docx"} <= suffixes
    for file in first:
        parsed = load_document(file.path)
        assert parsed.text.strip(), file.path.name
