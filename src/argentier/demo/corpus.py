"""A small, generated finance corpus in every supported format, for ``argentier demo`` and tests.

The texts are written for the demo (no third-party content); each format exercises the loaders: numbered
clauses over several PDF pages, DOCX headings and a table, HTML with navigation to strip, Markdown with a
pipe table, and plain text with numbered steps.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_FIXED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # the date stamped into the generated PDF and DOCX

SUPPLY_AGREEMENT = [
    ("heading", "MASTER SUPPLY AGREEMENT"),
    ("para", "This Master Supply Agreement is made between Northwind Components Ltd. (the Supplier) and "
             "Argent Retail Inc. (the Customer) and takes effect on 1 March 2026."),
    ("heading", "1. Definitions"),
    ("para", "1.1 Products means the goods listed in Schedule A, as amended by written agreement of the parties."),
    ("para", "1.2 Business Day means a day other than a Saturday, Sunday or public holiday in England."),
    ("heading", "2. Term"),
    ("para", "2.1 This Agreement starts on the Effective Date and continues for an initial term of three years."),
    ("para", "2.2 It renews automatically for successive one-year terms unless either party gives written notice "
             "of non-renewal at least ninety days before the end of the then-current term."),
    ("heading", "3. Prices and Payment"),
    ("para", "3.1 Prices are fixed for the first twelve months and may then be increased once a year by no more "
             "than the change in the consumer price index."),
    ("para", "3.2 The Customer shall pay each undisputed invoice within forty-five days of receipt. Late payments "
             "bear interest at two percent above the base rate of the Bank of England."),
    ("para", "3.3 All prices exclude value added tax, which the Customer shall pay at the applicable rate on "
             "presentation of a valid VAT invoice."),
    ("heading", "4. Minimum Purchase Commitment"),
    ("para", "4.1 The Customer shall purchase Products worth at least GBP 2,000,000 in each contract year. "
             "If it purchases less, it shall pay the shortfall within thirty days of the end of that year."),
    ("heading", "5. Liability"),
    ("para", "5.1 Neither party limits its liability for death or personal injury caused by negligence, or for fraud."),
    ("para", "5.2 Subject to clause 5.1, each party's total liability under this Agreement in any contract year "
             "is limited to the amounts paid or payable by the Customer in that year."),
    ("para", "5.3 Neither party is liable for loss of profits, revenue or goodwill, or for any indirect or "
             "consequential loss."),
    ("heading", "6. Termination"),
    ("para", "6.1 Either party may terminate this Agreement for convenience on one hundred and eighty days' "
             "written notice to the other party."),
    ("para", "6.2 Either party may terminate this Agreement immediately by notice if the other party commits a "
             "material breach that is not remedied within thirty days of being notified of it."),
    ("para", "6.3 The Supplier may terminate this Agreement if the Customer undergoes a change of control in "
             "favour of a competitor of the Supplier."),
    ("heading", "7. Audit Rights"),
    ("para", "7.1 The Customer may audit the Supplier's records relating to the Products once in each contract "
             "year on twenty Business Days' notice, at its own cost."),
    ("heading", "8. Governing Law"),
    ("para", "8.1 This Agreement is governed by the laws of England and Wales, and the courts of London have "
             "exclusive jurisdiction over any dispute arising from it."),
]

EXPENSE_POLICY_SECTIONS = [
    ("Purpose", "This policy sets out how employees claim business expenses and how finance approves and pays "
                "them. It applies to all employees and contractors who incur costs on behalf of the company."),
    ("Approval limits", "Every claim needs the approval of the claimant's line manager. Claims above the limits "
                        "in the table below also need the approval of the finance controller before payment."),
    ("Receipts", "An itemised receipt is required for every expense above EUR 25. Receipts must show the "
                 "supplier's VAT number so that input VAT can be recovered; a card slip alone is not enough."),
    ("Travel", "Economy class is the standard for flights under six hours. Rail is preferred for journeys under "
               "four hours. Hotel bookings go through the approved travel agency."),
    ("Submission deadline", "Claims must be submitted within sixty days of the expense. Claims submitted later "
                            "are paid only with the written approval of the chief financial officer."),
]

EXPENSE_LIMITS = [
    ("Category", "Limit per claim", "Extra approval"),
    ("Meals", "EUR 60 per person", "Finance controller"),
    ("Hotel", "EUR 220 per night", "Finance controller"),
    ("Client entertainment", "EUR 150 per guest", "Chief financial officer"),
    ("Software subscriptions", "EUR 500 per year", "IT and finance controller"),
]

VAT_UPDATE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>VAT rate change for e-books from 1 January 2027</title></head>
<body>
<header><nav class="main-nav"><a href="/">Home</a> | <a href="/taxes">Taxes</a> | <a href="/contact">Contact</a></nav></header>
<div id="cookie-banner">We use cookies to improve this site. Accept all cookies?</div>
<main>
<article>
<h1>VAT rate change for e-books from 1 January 2027</h1>
<p>Published 14 November 2026 by the Ministry of Finance.</p>
<h2>What changes</h2>
<p>From 1 January 2027 the reduced VAT rate of 5.5% applies to electronically supplied books, newspapers and
periodicals, aligning them with printed publications. The standard rate of 20% no longer applies to these
supplies.</p>
<h2>Who is affected</h2>
<p>Businesses that sell e-books or digital newspaper subscriptions to consumers in the country, including sellers
established elsewhere in the European Union who use the One Stop Shop (OSS) scheme.</p>
<h2>What businesses must do</h2>
<p>Update invoicing and checkout systems so that the reduced rate applies to supplies made on or after
1 January 2027. Subscriptions paid in advance are taxed at the rate in force when the supply takes place.</p>
<table>
<tr><th>Supply</th><th>Rate until 31 December 2026</th><th>Rate from 1 January 2027</th></tr>
<tr><td>Printed books</td><td>5.5%</td><td>5.5%</td></tr>
<tr><td>E-books</td><td>20%</td><td>5.5%</td></tr>
<tr><td>Digital newspapers</td><td>20%</td><td>5.5%</td></tr>
</table>
</article>
</main>
<aside class="sidebar"><h3>Related</h3><ul><li>Income tax bands 2027</li></ul></aside>
<footer>Copyright Ministry of Finance. Privacy | Accessibility</footer>
</body></html>
"""

CLOSE_PROCEDURE_MD = """# Month-end close procedure

## 1. Timeline

The close runs over five working days. Day 1 is the first working day after the month ends.

| Day | Task | Owner |
| --- | --- | --- |
| Day 1 | Cut-off of purchase invoices and goods received not invoiced | Accounts payable |
| Day 2 | Bank reconciliations and intercompany matching | Treasury |
| Day 3 | Accruals, prepayments and fixed asset depreciation | General ledger |
| Day 4 | Revenue recognition review and variance analysis | FP&A |
| Day 5 | Sign-off of the trial balance by the financial controller | Financial controller |

## 2. Accruals

Accrue every cost above EUR 5,000 for goods or services received but not yet invoiced. Reverse the accrual on
the first day of the next month.

## 3. Intercompany

Intercompany balances must agree to the cent before Day 3. Differences above EUR 1,000 are escalated to the
group reporting team.
"""

TREASURY_NOTE_TXT = """Treasury note: cash pooling and bank covenants

1. Cash pooling
Subsidiaries sweep their euro balances to the group cash pool every evening. Balances in other currencies are
swept weekly.

2. Covenants
The revolving credit facility requires net debt to stay below three times EBITDA, tested every quarter. The
latest test showed a ratio of 2.1.

3. Confidentiality
This note is restricted to the treasury team. Do not forward outside the group.
"""


@dataclass(frozen=True)
class DemoFile:
    """A generated demo file and the groups allowed to read it."""

    path: Path
    groups: tuple[str, ...] = ()


def _write_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(_FIXED_TIME)  # the same bytes every time: re-running the demo changes nothing
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title("Master Supply Agreement")
    pdf.add_page()
    for index, (kind, text) in enumerate(SUPPLY_AGREEMENT):
        if kind == "heading":
            if index and text.startswith("5."):
                pdf.add_page()  # so that the liability and termination clauses sit on page 2
            pdf.set_font("Helvetica", "B", 12)
            pdf.ln(4)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))


def _write_docx(path: Path) -> None:
    from docx import Document

    document = Document()
    document.core_properties.title = "Travel and Expense Policy"
    document.core_properties.created = document.core_properties.modified = _FIXED_TIME.replace(tzinfo=None)
    document.add_heading("Travel and Expense Policy", level=0)
    for number, (heading, body) in enumerate(EXPENSE_POLICY_SECTIONS, start=1):
        document.add_heading(f"{number}. {heading}", level=1)
        document.add_paragraph(body)
        if heading == "Approval limits":
            table = document.add_table(rows=0, cols=len(EXPENSE_LIMITS[0]))
            for row in EXPENSE_LIMITS:
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every member dated :data:`_FIXED_TIME` (python-docx stamps them with the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_demo_corpus(directory: str | Path) -> list[DemoFile]:
    """Write the demo documents into ``directory`` (created if needed) and return them.

    >>> import tempfile
    >>> files = write_demo_corpus(tempfile.mkdtemp())
    >>> sorted(file.path.suffix for file in files)
    ['.docx', '.html', '.md', '.pdf', '.txt']
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = [
        DemoFile(directory / "master-supply-agreement.pdf"),
        DemoFile(directory / "travel-and-expense-policy.docx"),
        DemoFile(directory / "vat-ebooks-2027.html"),
        DemoFile(directory / "month-end-close.md"),
        DemoFile(directory / "treasury-note.txt", groups=("treasury",)),
    ]
    _write_pdf(files[0].path)
    _write_docx(files[1].path)
    files[2].path.write_text(VAT_UPDATE_HTML, encoding="utf-8")
    files[3].path.write_text(CLOSE_PROCEDURE_MD, encoding="utf-8")
    files[4].path.write_text(TREASURY_NOTE_TXT, encoding="utf-8")
    return files
