"""Hierarchical chunking: exact slices, size limits, section paths, coverage and determinism."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from argentier.core.chunking import Chunk, chunk_document
from argentier.core.documents import Node, ParsedDocument, load_document, parse_text
from argentier.core.documents._builder import DocumentBuilder

CUAD_PDFS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad" / "pdf"


def deepest_sections(doc: ParsedDocument, start: int, end: int) -> list[Node]:
    chain: list[Node] = []
    node = doc.root
    while True:
        inner = next(
            (
                child
                for child in node.children
                if child.kind == "section" and child.start <= start and end <= child.end
            ),
            None,
        )
        if inner is None:
            return chain
        chain.append(inner)
        node = inner


def check_chunks(doc: ParsedDocument, chunks: list[Chunk], max_chars: int) -> None:
    assert chunks
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    previous_end = 0
    covered = bytearray(len(doc.text))
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text and chunk.text == chunk.text.strip()
        assert len(chunk.text) <= max_chars
        assert chunk.start >= previous_end
        previous_end = chunk.end
        assert chunk.content_hash == hashlib.sha256(chunk.text.encode("utf-8")).hexdigest()
        assert chunk.page == doc.page_at(chunk.start)
        path = " > ".join(node.title or "" for node in deepest_sections(doc, chunk.start, chunk.end))
        assert chunk.section == (path or None)
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    # Every character of every block is in some chunk; only block separators may be left out.
    assert all(covered[index] or char.isspace() for index, char in enumerate(doc.text))
    for block in doc.nodes():
        if block.kind in ("paragraph", "table") and block.end - block.start <= max_chars:
            whole = any(c.start <= block.start and block.end <= c.end for c in chunks)
            assert whole, doc.text[block.start : block.end]
    for section in doc.nodes("section"):
        for chunk in chunks:
            overlaps = chunk.start < section.end and section.start < chunk.end
            inside = section.start <= chunk.start and chunk.end <= section.end
            if overlaps and not inside:
                # Only a short heading chunk may run on into its own subsection, never out of one.
                assert chunk.start < section.start and chunk.end <= section.end, (section.title, chunk.text)
    for parent in doc.nodes():
        subsections = [child for child in parent.children if child.kind == "section"]
        for chunk in chunks:
            touched = [s for s in subsections if chunk.start < s.end and s.start < chunk.end]
            assert len(touched) <= 1, (chunk.text, [s.title for s in touched])


CONTRACT = """MASTER AGREEMENT

This agreement is made between Acme Corp. and Widget Ltd. It sets out the terms of supply.

ARTICLE 12 TERMINATION

12.1 Term. This Agreement continues for three years.

12.2 Renewal. It renews for one year unless a party objects.

12.3 Termination. Either party may terminate this Agreement by giving ninety days written notice. \
Termination does not affect accrued rights. The Supplier shall return all documents and delete every copy \
of Customer data within thirty days.

12.3.1 Form. Notices must be in writing.

ARTICLE 13 MISCELLANEOUS

13.1 Law. English law applies.
"""


def chunk_with(doc: ParsedDocument, max_chars: int, min_chars: int) -> list[Chunk]:
    chunks = chunk_document(doc, max_chars=max_chars, min_chars=min_chars)
    check_chunks(doc, chunks, max_chars)
    return chunks


def find(chunks: list[Chunk], needle: str) -> Chunk:
    found = [chunk for chunk in chunks if needle in chunk.text]
    assert len(found) == 1, [chunk.text for chunk in found]
    return found[0]


def test_section_paths_and_no_sibling_merging() -> None:
    doc = parse_text(CONTRACT)
    chunks = chunk_with(doc, max_chars=1200, min_chars=0)
    assert find(chunks, "ninety days").section == "ARTICLE 12 TERMINATION > 12.3 Termination"
    assert find(chunks, "in writing").section == "ARTICLE 12 TERMINATION > 12.3 Termination > 12.3.1 Form"
    assert find(chunks, "English law").section == "ARTICLE 13 MISCELLANEOUS > 13.1 Law"
    preamble = find(chunks, "Acme Corp.")
    assert preamble.section is None and preamble.text.startswith("MASTER AGREEMENT\n\nThis agreement")
    # Short sibling clauses stay apart even though both would fit in one chunk.
    assert find(chunks, "three years").text == "12.1 Term. This Agreement continues for three years."
    assert find(chunks, "renews").text == "12.2 Renewal. It renews for one year unless a party objects."
    assert find(chunks, "ARTICLE 12").text == "ARTICLE 12 TERMINATION"


def test_tiny_heading_chunk_runs_into_its_first_subsection() -> None:
    doc = parse_text(CONTRACT)
    chunks = chunk_with(doc, max_chars=1200, min_chars=200)
    article = find(chunks, "ARTICLE 12")
    assert article.text == "ARTICLE 12 TERMINATION\n\n12.1 Term. This Agreement continues for three years."
    assert article.section == "ARTICLE 12 TERMINATION"
    # 12.3's own first chunk is long enough, so 12.3.1 stays a chunk of its own.
    assert find(chunks, "in writing").text == "12.3.1 Form. Notices must be in writing."
    assert find(chunks, "English law").text == "ARTICLE 13 MISCELLANEOUS\n\n13.1 Law. English law applies."


def test_paragraphs_of_one_section_are_packed() -> None:
    body = "\n\n".join(f"Paragraph {index} says something short." for index in range(10))
    doc = parse_text(f"# Notes\n\n{body}\n\n# Other\n\nLast one.", format="markdown")
    chunks = chunk_with(doc, max_chars=150, min_chars=0)
    notes = [chunk for chunk in chunks if chunk.section == "Notes"]
    assert [chunk.text.count("Paragraph") for chunk in notes] == [4, 4, 2]
    assert notes[0].text.startswith("Notes\n\nParagraph 0")
    assert chunks[-1].text == "Other\n\nLast one." and chunks[-1].section == "Other"


def test_long_paragraph_splits_at_sentence_boundaries() -> None:
    sentences = [f"Sentence number {index} is about fees, e.g. rent of 3.5 percent." for index in range(12)]
    doc = parse_text(" ".join(sentences))
    chunks = chunk_with(doc, max_chars=200, min_chars=50)
    assert len(chunks) > 3
    assert " ".join(chunk.text for chunk in chunks) == doc.text
    for chunk in chunks:
        assert chunk.text.startswith("Sentence number") and chunk.text.endswith("percent.")


def test_overlong_sentence_is_cut_at_whitespace() -> None:
    words = [f"word{index:03d}" for index in range(300)]
    doc = parse_text(" ".join(words))
    chunks = chunk_with(doc, max_chars=100, min_chars=0)
    assert " ".join(chunk.text for chunk in chunks).split() == words
    assert all(re.fullmatch(r"word\d{3}( word\d{3})*", chunk.text) for chunk in chunks)


def test_word_longer_than_a_chunk_is_cut_hard() -> None:
    doc = parse_text("x" * 250 + " tail")
    chunks = chunk_with(doc, max_chars=100, min_chars=0)
    assert [len(chunk.text) for chunk in chunks] == [100, 100, 55]
    assert chunks[-1].text.endswith("x tail")


def test_long_table_splits_at_rows_that_keep_headers() -> None:
    rows = "\n".join(f"| Item {index} | {index * 10} | EUR |" for index in range(40))
    doc = parse_text(f"## Costs\n\n| Item | Amount | Currency |\n|---|---|---|\n{rows}\n", format="markdown")
    chunks = chunk_with(doc, max_chars=300, min_chars=0)
    table_chunks = [chunk for chunk in chunks if "Amount" in chunk.text]
    assert len(table_chunks) > 3
    assert table_chunks[0].text.startswith("Costs\n\nItem | Amount | Currency\nItem: Item 0 |")
    row_starts = {row.start for row in doc.nodes("row")}
    for chunk in table_chunks[1:]:
        assert chunk.start in row_starts and chunk.section == "Costs"
        for line in chunk.text.split("\n"):
            assert re.fullmatch(r"Item: Item \d+ \| Amount: \d+ \| Currency: EUR", line), line


def _three_page_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    subjects = ["scope", "fees", "term"]
    for page, subject in enumerate(subjects, start=1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"ARTICLE {page} {subject.upper()}", new_x="LMARGIN", new_y="NEXT")
        body = f"{page}.1 Rule. " + f"The parties agree on the {subject} of page {page}. " * 6
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_chunks_carry_pages(tmp_path: Path) -> None:
    doc = load_document(_three_page_pdf(tmp_path / "three.pdf"))
    chunks = chunk_with(doc, max_chars=400, min_chars=100)
    assert [chunk.page for chunk in chunks] == [1, 2, 3]
    assert [chunk.section for chunk in chunks] == ["ARTICLE 1 SCOPE", "ARTICLE 2 FEES", "ARTICLE 3 TERM"]
    assert all(chunk.text.count("The parties agree") == 6 for chunk in chunks)


def test_docx_and_html_fixtures(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Policy", level=1)
    for index in range(6):
        document.add_paragraph(f"{index + 1}. Rule {index}. " + "Staff must file expenses monthly. " * 5)
    table = document.add_table(rows=4, cols=2)
    for row, values in zip(table.rows, [("Grade", "Limit"), ("A", "100"), ("B", "200"), ("C", "300")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.save(str(tmp_path / "policy.docx"))
    points = "".join(f"<p>Point {index} explains a step.</p>" for index in range(30))
    html = f"<main><h1>Guide</h1>{points}</main>"
    for doc in (load_document(tmp_path / "policy.docx"), parse_text(html, format="html")):
        for max_chars, min_chars in ((80, 0), (300, 100), (1200, 200)):
            chunk_with(doc, max_chars, min_chars)


def test_chunking_is_deterministic_and_validates_arguments() -> None:
    doc = parse_text(CONTRACT)
    assert chunk_document(doc) == chunk_document(doc)
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document(doc, max_chars=0)
    with pytest.raises(ValueError, match="min_chars"):
        chunk_document(doc, max_chars=100, min_chars=101)


_TEXT = st.lists(
    st.text(alphabet="abcXYZ019.,é", min_size=1, max_size=30), min_size=1, max_size=30
).map(" ".join)
_BLOCK = st.one_of(
    st.tuples(st.just("heading"), st.integers(1, 4), _TEXT),
    st.tuples(st.just("paragraph"), st.integers(0, 0), _TEXT),
    st.tuples(st.just("clause"), st.sampled_from(["1.", "1.2", "1.2.3", "ARTICLE 9", "Section 4"]), _TEXT),
    st.tuples(st.just("table"), st.integers(1, 6), _TEXT),
    st.tuples(st.just("page"), st.integers(1, 2), st.just("")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, min_size=1, max_size=20), st.integers(5, 400), st.integers(0, 400))
def test_chunking_property(blocks: list[tuple], max_chars: int, min_chars: int) -> None:
    min_chars = min(min_chars, max_chars)
    builder = DocumentBuilder("txt")
    page = 1
    for kind, option, text in blocks:
        if kind == "heading":
            builder.heading(text, int(option), page=page)
        elif kind == "paragraph":
            builder.paragraph(text, page=page, clause=True)
        elif kind == "clause":
            builder.paragraph(f"{option} Title. {text}", page=page, clause=True)
        elif kind == "table":
            words = text.split()
            body = [words[i : i + 3] for i in range(0, len(words), 3)] * int(option)
            builder.table([words[:3], *body], page=page)
        else:
            page += int(option)
    assume(not builder.is_empty)
    doc = builder.build()
    chunks = chunk_with(doc, max_chars, min_chars)
    assert chunk_document(doc, max_chars=max_chars, min_chars=min_chars) == chunks


@pytest.mark.skipif(not CUAD_PDFS.is_dir(), reason=f"shared CUAD PDFs not available at {CUAD_PDFS}")
def test_real_contract_chunks() -> None:
    paths = sorted(CUAD_PDFS.glob("*"))
    assert paths
    for path in paths:
        doc = load_document(path)
        chunks = chunk_with(doc, max_chars=1200, min_chars=200)
        assert any(chunk.section for chunk in chunks) or "JOINT FILING" in path.name
        assert doc.page_at(chunks[-1].end - 1) == doc.pages[-1].number
