"""Document loading: exact offsets, structure, pages and input errors for every supported format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from argentier.core.documents import SUPPORTED_SUFFIXES, Node, ParsedDocument, load_document, parse_text
from argentier.core.documents._builder import DocumentBuilder
from argentier.core.documents._sentences import split_sentences
from argentier.errors import InputError

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CUAD_PDFS = SHARED_DATA / "cuad" / "pdf"


# --------------------------------------------------------------------------- structural properties


def check_document(doc: ParsedDocument) -> None:
    """Every invariant the rest of Argentier relies on, for any loaded document."""
    text = doc.text
    assert text and text == text.strip()
    assert "\n\n\n" not in text
    root = doc.root
    assert (root.kind, root.start, root.end) == ("document", 0, len(text))

    def visit(node: Node, parent: Node | None) -> None:
        span = text[node.start : node.end]
        assert 0 <= node.start < node.end <= len(text), node
        assert span == span.strip() and span, (node.kind, span)
        if parent is not None:
            assert parent.start <= node.start and node.end <= parent.end, (parent, node)
        for before, after in zip(node.children, node.children[1:]):
            assert before.end <= after.start, (before, after)
        if doc.pages:
            assert node.page == doc.page_at(node.start), (node.kind, span[:40], node.page)
        else:
            assert node.page is None
        if node.kind == "paragraph":
            assert "\n" not in span
            assert node.children and all(child.kind == "sentence" for child in node.children)
            assert node.children[0].start == node.start and node.children[-1].end == node.end
        elif node.kind == "table":
            assert node.children and all(child.kind == "row" for child in node.children)
            assert [text[row.start : row.end] for row in node.children] == span.split("\n")
        elif node.kind == "section":
            assert node.children and node.title and node.level >= 1
            assert node.children[0].kind == "paragraph" and node.children[0].start == node.start
            assert node.end == node.children[-1].end
            assert span.startswith(node.title), (node.title, span[:80])
            for child in node.children:
                if child.kind == "section":
                    assert child.level > node.level, (node.title, child.title)
        elif node.kind in ("sentence", "row"):
            assert not node.children
        for child in node.children:
            visit(child, node)

    visit(root, None)
    numbers = [page.number for page in doc.pages]
    assert numbers == sorted(set(numbers))
    for page, following in zip(doc.pages, doc.pages[1:]):
        assert page.start < page.end <= following.start
    for page in doc.pages:
        assert text[page.start : page.end] == text[page.start : page.end].strip()
    assert ParsedDocument.from_structure(text, doc.structure_to_dict()) == doc


def span(doc: ParsedDocument, node: Node) -> str:
    return doc.text[node.start : node.end]


def paragraphs(doc: ParsedDocument) -> list[str]:
    return [span(doc, node) for node in doc.nodes("paragraph")]


def section(doc: ParsedDocument, number: str) -> Node:
    found = [node for node in doc.nodes("section") if node.number == number]
    assert len(found) == 1, [node.title for node in doc.nodes("section")]
    return found[0]


def parent_of(doc: ParsedDocument, target: Node) -> Node | None:
    for node in doc.nodes():
        if any(child is target for child in node.children):
            return node
    return None


# --------------------------------------------------------------------------- fixtures


class _ContractPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, f"Confidential - Page {self.page_no()} of {{nb}}", align="C")


def make_contract_pdf() -> bytes:
    pdf = _ContractPdf()
    pdf.set_title("Master Services Agreement")

    def para(text: str, bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    pdf.add_page()
    para("MASTER SERVICES AGREEMENT", bold=True)
    para(
        "This Master Services Agreement is entered into by Acme Corp. and Widget Ltd. on 1 March 2024. "
        "It governs the services, the fees of 3.5 percent and the obligations of each party, e.g. delivery "
        "and support."
    )
    para("ARTICLE 1 DEFINITIONS", bold=True)
    para(
        "1.1 Services. The Supplier shall provide the services described in Schedule A with reasonable skill "
        "and care. The Customer shall cooperate in good faith."
    )
    para(
        "1.2 Fees. The Customer shall pay the fees set out in Schedule B within thirty days of invoice, and "
        "the Supplier shall deliver the"
    )
    pdf.add_page()
    para("services described in Schedule A on time.")
    para("ARTICLE 12 TERM AND TERMINATION", bold=True)
    para(
        "12.1 Term. This Agreement starts on the Effective Date and continues for three years unless "
        "terminated earlier."
    )
    para(
        "12.3 Termination. Either party may terminate this Agreement by giving ninety days written notice to "
        "the other party. Termination does not affect accrued rights."
    )
    pdf.add_page()
    para("12.3.1 Notice. Any notice must be in writing and delivered to the address in Sec. 14 of this "
         "Agreement.")
    para("ARTICLE 13 MISCELLANEOUS", bold=True)
    para("13.1 Governing Law. This Agreement is governed by the laws of England.")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def contract_pdf_bytes() -> bytes:
    return make_contract_pdf()


@pytest.fixture
def contract_pdf(tmp_path: Path, contract_pdf_bytes: bytes) -> Path:
    path = tmp_path / "contract.pdf"
    path.write_bytes(contract_pdf_bytes)
    return path


def encrypted_copy(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    # RC4 needs no optional crypto package; AES would need 'cryptography' to decrypt.
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Supply Agreement"
    document.add_heading("Supply Agreement", level=0)
    document.add_paragraph("This  Supply Agreement\tis made between Buyer Inc. and Seller Ltd.")
    document.add_heading("1. Definitions", level=1)
    document.add_paragraph("1.1 Goods. The goods are listed in the price table below.")
    document.add_paragraph("1.2 Price. Prices are in EUR and exclude VAT.")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("Product", "Unit price", "Quantity"), ("Bolts", "0.10", "5000"),
                                        ("Nuts", "0.05", "")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("Prices are fixed for the first year.")
    document.add_heading("Termination", level=1)
    document.add_paragraph("12.3 Termination. Either party may end this Agreement on 30 days notice.")
    document.add_heading("Notices", level=2)
    document.add_paragraph("Notices go to the registered office.")
    document.save(str(path))
    return path


HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Quarterly Report Q3</title>
<script>var tracking = "SCRIPT-TEXT";</script><style>.x { color: red }</style></head>
<body>
<header><a href="/">Home</a> <a href="/about">About us</a></header>
<nav class="main-nav"><ul><li>Products</li><li>Pricing</li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<div id="breadcrumb">Reports / 2024 / Q3</div>
<main>
  <h1>Quarterly Report</h1>
  <p>Revenue grew by 12% to EUR 3.5 million. Margins were stable.</p>
  <div>Text directly in a div counts as a paragraph.</div>
  <h2>Costs</h2>
  <p>Operating costs fell.</p>
  <ul><li>Rent was flat.</li><li>Salaries rose by 2%.</li></ul>
  <table><caption>Cost lines</caption>
    <thead><tr><th>Line</th><th>Amount</th></tr></thead>
    <tbody><tr><td>Rent</td><td>1,200</td></tr><tr><td>Salaries</td><td>8,000</td></tr></tbody>
  </table>
  <h3>Outlook</h3>
  <p>We expect <b>fur<!-- split -->ther</b> growth.<script>hidden()</script></p>
  <div>Before<nav>skip me</nav>after.</div>
  <div class="sidebar-widget">Related: other reports</div>
</main>
<aside>Sidebar ads</aside>
<footer>Copyright 2024 Example</footer>
</body></html>
"""

MARKDOWN = """# Pricing Policy

Our prices are reviewed yearly. See Art. 5 for details.

## Price list

| Product | Price | Currency |
|---------|------:|:--------:|
| Basic   | 10    | EUR      |
| Premium |       | EUR      |

- Discounts apply to annual plans.
- Refunds within 14 days.

Setext Section
--------------

Final words
spanning two lines.
"""


# --------------------------------------------------------------------------- PDF


def test_pdf_text_structure_and_pages(contract_pdf: Path) -> None:
    doc = load_document(contract_pdf)
    check_document(doc)
    assert doc.format == "pdf" and doc.title == "Master Services Agreement"
    assert [page.number for page in doc.pages] == [1, 2, 3]
    assert "Confidential" not in doc.text and "Page 1" not in doc.text
    # Wrapped lines are joined into one paragraph; a paragraph broken by a page break stays whole.
    assert (
        "1.2 Fees. The Customer shall pay the fees set out in Schedule B within thirty days of invoice, "
        "and the Supplier shall deliver the services described in Schedule A on time."
    ) in paragraphs(doc)
    fees = section(doc, "1.2")
    assert fees.page == 1 and doc.page_at(fees.end - 1) == 2
    assert doc.page_at(doc.text.index("services described in Schedule A on time")) == 2


def test_pdf_numbered_clauses_nest(contract_pdf: Path) -> None:
    doc = load_document(contract_pdf)
    article = section(doc, "12")
    termination = section(doc, "12.3")
    notice = section(doc, "12.3.1")
    assert (article.title, article.level, article.page) == ("ARTICLE 12 TERM AND TERMINATION", 1, 2)
    assert (termination.title, termination.level, termination.page) == ("12.3 Termination", 2, 2)
    assert (notice.title, notice.level, notice.page) == ("12.3.1 Notice", 3, 3)
    assert parent_of(doc, termination) is article and parent_of(doc, notice) is termination
    assert parent_of(doc, section(doc, "13")) is doc.root
    assert [child.kind for child in termination.children] == ["paragraph", "section"]
    sentences = [span(doc, node) for node in termination.children[0].children]
    assert sentences == [
        "12.3 Termination.",
        "Either party may terminate this Agreement by giving ninety days written notice to the other party.",
        "Termination does not affect accrued rights.",
    ]


def test_pdf_abbreviations_do_not_split_sentences(contract_pdf: Path) -> None:
    doc = load_document(contract_pdf)
    preamble = next(node for node in doc.nodes("paragraph") if span(doc, node).startswith("This Master"))
    assert [span(doc, node) for node in preamble.children] == [
        "This Master Services Agreement is entered into by Acme Corp. and Widget Ltd. on 1 March 2024.",
        "It governs the services, the fees of 3.5 percent and the obligations of each party, "
        "e.g. delivery and support.",
    ]


def test_encrypted_pdf_is_rejected(tmp_path: Path, contract_pdf_bytes: bytes) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_copy(contract_pdf_bytes, "secret"))
    with pytest.raises(InputError, match="PDF is encrypted") as caught:
        load_document(path)
    assert caught.value.source == str(path)


def test_pdf_with_empty_user_password_opens(tmp_path: Path, contract_pdf_bytes: bytes) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypted_copy(contract_pdf_bytes, ""))
    doc = load_document(path)
    check_document(doc)
    assert section(doc, "12.3").page == 2


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_pdf_is_rejected(tmp_path: Path, contract_pdf_bytes: bytes, keep: float) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes(contract_pdf_bytes[: int(len(contract_pdf_bytes) * keep)])
    with pytest.raises(InputError, match="not a valid PDF|no text could be extracted") as caught:
        load_document(path)
    assert "\n" not in str(caught.value)


def test_pdf_suffix_with_other_content_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("just some text pretending to be a PDF", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid PDF"):
        load_document(path)


def test_pdf_without_text_is_rejected(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    with pytest.raises(InputError, match="no text could be extracted"):
        load_document(path)


# --------------------------------------------------------------------------- DOCX


def test_docx_body_order_headings_and_clauses(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "supply.docx"))
    check_document(doc)
    assert doc.format == "docx" and doc.title == "Supply Agreement" and not doc.pages
    assert paragraphs(doc)[1] == "This Supply Agreement is made between Buyer Inc. and Seller Ltd."
    # The table sits between the paragraphs around it, as in the body.
    table = next(doc.nodes("table"))
    assert doc.text.index("1.2 Price.") < table.start < doc.text.index("Prices are fixed")
    definitions = section(doc, "1")
    assert (definitions.title, definitions.level) == ("1. Definitions", 1)
    assert parent_of(doc, section(doc, "1.1")) is definitions
    assert any(child is table for child in section(doc, "1.2").children)
    termination_heading = next(node for node in doc.nodes("section") if node.title == "Termination")
    clause = section(doc, "12.3")
    assert (clause.title, clause.level) == ("12.3 Termination", 2)
    assert parent_of(doc, clause) is termination_heading
    notices = next(node for node in doc.nodes("section") if node.title == "Notices")
    assert parent_of(doc, notices) is termination_heading


def test_docx_table_rows_keep_their_headers(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "supply.docx"))
    table = next(doc.nodes("table"))
    rows = [span(doc, row) for row in table.children]
    assert rows == [
        "Product | Unit price | Quantity",
        "Product: Bolts | Unit price: 0.10 | Quantity: 5000",
        "Product: Nuts | Unit price: 0.05",
    ]
    for row in rows[1:]:
        assert "Product: " in row and "Unit price: " in row


def test_docx_merged_cells_stay_under_their_headers(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ("Item", "Q1", "Q2")):
        cell.text = value
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Total"
    table.cell(1, 2).text = "42"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    doc = load_document(path)
    check_document(doc)
    assert doc.text.split("\n")[-1] == "Item: Total | Q2: 42"


def test_corrupt_docx_is_rejected(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError, match=r"not a valid DOCX file \(zip is corrupt\)"):
        load_document(truncated)
    not_zip = tmp_path / "plain.docx"
    not_zip.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid DOCX file"):
        load_document(not_zip)
    other_zip = tmp_path / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    with pytest.raises(InputError, match="not a valid DOCX file"):
        load_document(other_zip)


# --------------------------------------------------------------------------- HTML


def test_html_main_content_only(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = load_document(path)
    check_document(doc)
    assert doc.format == "html" and doc.title == "Quarterly Report Q3"
    for chrome in ("Home", "About us", "Products", "cookies", "Accept", "Reports / 2024", "Related",
                   "Sidebar ads", "Copyright", "SCRIPT-TEXT", "hidden()", "color"):
        assert chrome not in doc.text, chrome
    assert paragraphs(doc) == [
        "Quarterly Report",
        "Revenue grew by 12% to EUR 3.5 million. Margins were stable.",
        "Text directly in a div counts as a paragraph.",
        "Costs",
        "Operating costs fell.",
        "Rent was flat.",
        "Salaries rose by 2%.",
        "Cost lines",
        "Outlook",
        "We expect further growth.",
        "Before after.",
    ]
    table = next(doc.nodes("table"))
    assert span(doc, table) == "Line | Amount\nLine: Rent | Amount: 1,200\nLine: Salaries | Amount: 8,000"
    outlook = next(node for node in doc.nodes("section") if node.title == "Outlook")
    costs = next(node for node in doc.nodes("section") if node.title == "Costs")
    assert (outlook.level, costs.level) == (3, 2)
    assert parent_of(doc, outlook) is costs and parent_of(doc, costs).title == "Quarterly Report"


def test_html_without_main_picks_the_densest_block() -> None:
    html = (
        "<html><body><div class='menu'><p>Menu entry one</p></div>"
        "<div id='content'><p>First real paragraph of the article.</p><p>Second real paragraph.</p></div>"
        "<div class='has-sidebar-right'><p>Widget</p></div></body></html>"
    )
    doc = parse_text(html, format="html")
    check_document(doc)
    assert paragraphs(doc) == ["First real paragraph of the article.", "Second real paragraph."]
    assert doc.title is None


def test_html_charset_from_meta_and_undecodable_bytes(tmp_path: Path) -> None:
    latin = tmp_path / "latin.htm"
    latin.write_bytes(b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 \x80 5</p></body>')
    assert load_document(latin).text == "Café € 5"
    broken = tmp_path / "broken.html"
    broken.write_bytes(b"<html><body><p>bad \xff\xfe bytes</p></body></html>")
    with pytest.raises(InputError, match="cannot decode HTML as utf-8"):
        load_document(broken)
    unknown = tmp_path / "unknown.html"
    unknown.write_bytes(b'<meta charset="x-no-such-charset"><p>hi</p>')
    with pytest.raises(InputError, match="unknown character set"):
        load_document(unknown)


# --------------------------------------------------------------------------- Markdown and text


def test_markdown_headings_tables_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load_document(path)
    check_document(doc)
    assert doc.format == "markdown" and doc.title == "Pricing Policy"
    assert "#" not in doc.text and "|---" not in doc.text
    table = next(doc.nodes("table"))
    assert [span(doc, row) for row in table.children] == [
        "Product | Price | Currency",
        "Product: Basic | Price: 10 | Currency: EUR",
        "Product: Premium | Currency: EUR",
    ]
    price_list = next(node for node in doc.nodes("section") if node.title == "Price list")
    assert price_list.level == 2 and any(child is table for child in price_list.children)
    assert "- Discounts apply to annual plans." in paragraphs(doc)
    setext = next(node for node in doc.nodes("section") if node.title == "Setext Section")
    assert setext.level == 2 and span(doc, setext).endswith("Final words spanning two lines.")
    intro = next(node for node in doc.nodes("paragraph") if span(doc, node).startswith("Our prices"))
    assert len(intro.children) == 2


def test_plain_text_clauses_and_article_nesting(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text(
        "GENERAL TERMS\n\nARTICLE IV\n\nSection 5. Payment. Invoices are due in 30 days.\n\n"
        "12.3 Termination. Either party may terminate\nthis agreement on notice.\n\n"
        "(a) the notice must be written.\n\n12.3.1 Form. Notices are sent by post.\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    check_document(doc)
    assert doc.title is None
    article = section(doc, "IV")
    payment = section(doc, "5")
    termination = section(doc, "12.3")
    assert article.level == 1 and payment.level == 2 and parent_of(doc, payment) is article
    assert termination.title == "12.3 Termination" and parent_of(doc, termination) is article
    assert parent_of(doc, section(doc, "12.3.1")) is termination
    assert "Either party may terminate this agreement on notice." in doc.text
    assert "(a) the notice must be written." in paragraphs(doc)
    assert not any(node.title and node.title.startswith("(a)") for node in doc.nodes("section"))


def test_long_numbered_paragraph_title_is_its_number() -> None:
    body = "Either party may terminate this agreement " * 6
    doc = parse_text(f"12. {body}\n\n13. Termination. Either party may end it.")
    assert section(doc, "12").title == "12"
    assert section(doc, "13").title == "13. Termination"
    assert doc.text[section(doc, "13").start :].startswith("13. Termination")


def test_text_decoding(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfHello world.")
    assert load_document(bom).text == "Hello world."
    cp1252 = tmp_path / "legacy.txt"
    cp1252.write_bytes(b"Caf\xe9 costs \x805.")
    assert load_document(cp1252).text == "Café costs €5."
    utf16 = tmp_path / "wide.txt"
    utf16.write_bytes("Größe: 5 m².".encode("utf-16"))
    assert load_document(utf16).text == "Größe: 5 m²."


def test_unwrapped_text_lines_are_paragraphs() -> None:
    long_line = "The supplier shall deliver all goods to the warehouse named by the buyer in writing. " * 3
    doc = parse_text(f"{long_line.strip()}\n{long_line.strip()}\nShort closing line.")
    check_document(doc)
    assert len(paragraphs(doc)) == 3


# --------------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "no text could be extracted"),
        ("blank.md", b"  \n\n \t\n", "no text could be extracted"),
        ("garbage.txt", bytes(range(256)) * 8, "not a text file"),
        ("controls.txt", b"\x01\x02\x03\x04abc\x05\x06" * 50, "not a text file"),
        ("data.xyz", b"hello", "unsupported file type '.xyz'"),
        ("noext", b"hello", "unsupported file type"),
        ("zip.txt", b"PK\x03\x04rest-of-a-zip", r"not a text file \(it is a zip archive\)"),
        ("report.html", b"%PDF-1.7 binary", r"not an HTML file \(it is a PDF\)"),
        ("empty.html", b"<html><body><nav>Only navigation</nav></body></html>", "no text could be extracted"),
    ],
)
def test_bad_inputs_raise_input_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        load_document(path)
    assert caught.value.source == str(path)
    assert "\n" not in str(caught.value)


def test_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_document(tmp_path / "absent.pdf")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="directories are not accepted"):
        load_document(folder)


def test_format_override_and_suffix_case(tmp_path: Path, contract_pdf_bytes: bytes) -> None:
    data = tmp_path / "export.data"
    data.write_text("# Title\n\nBody text.", encoding="utf-8")
    assert load_document(data, format="markdown").title == "Title"
    assert load_document(data, format="txt").title is None
    with pytest.raises(InputError, match="unsupported format 'xls'"):
        load_document(data, format="xls")
    upper = tmp_path / "CONTRACT.PDF"
    upper.write_bytes(contract_pdf_bytes)
    assert load_document(upper).format == "pdf"
    assert SUPPORTED_SUFFIXES == {".pdf", ".docx", ".html", ".htm", ".txt", ".text", ".md", ".markdown"}


def test_parse_text_errors() -> None:
    with pytest.raises(InputError, match="no text could be extracted"):
        parse_text("   \n ")
    with pytest.raises(InputError, match="unsupported format 'pdf' for posted text"):
        parse_text("hello", format="pdf")
    with pytest.raises(InputError, match="unsupported format 'rtf'"):
        parse_text("hello", format="rtf")


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple Inc. sued Foo Ltd. in the U.S. District Court. It won.",
         ["Apple Inc. sued Foo Ltd. in the U.S. District Court.", "It won."]),
        ("See No. 5 and Art. 7, i.e. the fee. Rates rose 3.5 points. Done!",
         ["See No. 5 and Art. 7, i.e. the fee.", "Rates rose 3.5 points.", "Done!"]),
        ("1. TERM The term is one year. J. R. Smith signs.",
         ["1. TERM The term is one year.", "J. R. Smith signs."]),
        ('He said "stop." Then it ended.', ['He said "stop."', "Then it ended."]),
        ("no terminal punctuation", ["no terminal punctuation"]),
    ],
)
def test_sentence_splitter(text: str, expected: list[str]) -> None:
    assert [text[start:end] for start, end in split_sentences(text)] == expected


# --------------------------------------------------------------------------- builder property


_WORD = st.text(alphabet="abcdefgHIJKLM0123456789.,;:()-é", min_size=1, max_size=12)
_SPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", " \n "])


@st.composite
def _messy_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD, min_size=0, max_size=25))
    pieces = [draw(_SPACE)]
    for word in words:
        pieces.extend([word, draw(_SPACE)])
    return "".join(pieces)


_BLOCK = st.one_of(
    st.tuples(st.just("heading"), st.integers(1, 4), _messy_text()),
    st.tuples(st.just("paragraph"), st.booleans(), _messy_text()),
    st.tuples(
        st.just("clause"),
        st.sampled_from(["12.", "12.3", "12.3.1", "ARTICLE 4", "Section 2.1", "(a)"]),
        _messy_text(),
    ),
    st.tuples(st.just("table"), st.booleans(), st.lists(st.lists(_messy_text(), min_size=1, max_size=4),
                                                         min_size=1, max_size=4)),
    st.tuples(st.just("page"), st.integers(1, 3), st.just("")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, min_size=1, max_size=15))
def test_builder_offsets_property(blocks: list[tuple]) -> None:
    builder = DocumentBuilder("txt")
    page = 1
    for kind, option, text in blocks:
        if kind == "heading":
            builder.heading(text, option, page=page)
        elif kind == "paragraph":
            builder.paragraph(text, page=page, clause=option)
        elif kind == "clause":
            builder.paragraph_lines([(option, page), ("Title.", page), (text, page + 1)], clause=True)
            page += 1
        elif kind == "table":
            builder.table(text, header=option, caption="Caption" if option else None, page=page)
        else:
            page += option
    if builder.is_empty:
        with pytest.raises(InputError, match="no text could be extracted"):
            builder.build()
        return
    doc = builder.build()
    check_document(doc)


# --------------------------------------------------------------------------- real contracts


def _real_pdfs() -> list[Path]:
    return sorted(CUAD_PDFS.glob("*")) if CUAD_PDFS.is_dir() else []


@pytest.mark.skipif(not CUAD_PDFS.is_dir(), reason=f"shared CUAD PDFs not available at {CUAD_PDFS}")
@pytest.mark.parametrize("path", _real_pdfs(), ids=lambda path: path.name[:40])
def test_real_contract_pdfs(path: Path) -> None:
    doc = load_document(path)
    check_document(doc)
    assert 1 < len(doc.pages) <= len(PdfReader(path).pages)
    assert "Source: " not in doc.text  # the EDGAR footer repeated on every page
    numbered = [node for node in doc.nodes("section") if node.number]
    if "JOINT FILING" not in path.name:
        assert len(numbered) >= 5, [node.title for node in numbered]
        assert any(node.page and node.page > 1 for node in numbered)


@pytest.mark.skipif(not CUAD_PDFS.is_dir(), reason=f"shared CUAD PDFs not available at {CUAD_PDFS}")
def test_real_contract_clause_nesting() -> None:
    path = next(CUAD_PDFS.glob("ENTERTAINMENTGAMING*"))
    doc = load_document(path)
    clause = section(doc, "1.1.4")
    assert clause.page == 2 and clause.title == "1.1.4"
    assert doc.text[clause.start :].startswith("1.1.4. Subject to Section 1.6")
    termination = parent_of(doc, clause)
    assert termination is not None and termination.number == "1.1"
    assert parent_of(doc, termination).title == "1. TERM"


def test_numbered_heading_on_its_own_line_is_the_section_title() -> None:
    doc = parse_text("Treasury note\n\n1. Cash pooling\nSubsidiaries sweep balances every evening.\n\n"
                     "2. Covenants\nNet debt must stay below three times EBITDA.\n")
    assert [(node.title, node.level) for node in doc.nodes("section")] == [("1. Cash pooling", 1), ("2. Covenants", 1)]
    covenants = [node for node in doc.nodes("section") if node.number == "2"][0]
    assert doc.text[covenants.start : covenants.end].startswith("2. Covenants\n\nNet debt")
