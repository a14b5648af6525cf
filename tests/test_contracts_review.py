"""Reviewing stored contracts: the JSON shape, findings per category in the review queue, the portfolio table."""

import csv

import pytest

from argentier.contracts import (
    EXAMPLE_PLAYBOOK,
    ContractReviewer,
    category_kind,
    load_playbook,
    portfolio_rows,
    review_document,
    write_table,
)
from argentier.core.documents import parse_text
from argentier.core.review import ReviewService
from argentier.errors import InputError

CONTRACT = """MASTER SERVICES AGREEMENT

This Master Services Agreement is entered into as of March 3, 2021 by and between Northwind Traders LLC
("Customer") and Contoso Services Inc. ("Provider").

1. Term. This Agreement shall remain in effect for three (3) years and shall automatically renew for successive
one (1) year periods unless either party gives notice of non-renewal at least ninety (90) days prior to the end
of the then-current term.

2. Exclusivity. Customer shall purchase such services exclusively from Provider during the term.

3. Limitation of Liability. In no event shall either party's aggregate liability exceed the fees paid by
Customer in the twelve (12) months preceding the claim.

4. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State
of New York, without regard to its conflict of laws principles.
"""


def test_review_document_json_shape_and_offsets():
    doc = parse_text(CONTRACT)
    review = review_document(doc, title="MSA", path="msa.txt", playbook=load_playbook(EXAMPLE_PLAYBOOK))
    data = review.to_dict()
    assert set(data) == {"document", "clauses", "terms", "playbook"}
    assert set(data["document"]) == {"id", "title", "path"}
    for clause in data["clauses"]:
        assert set(clause) == {"category", "text", "start", "end", "score"}
        assert doc.text[clause["start"] : clause["end"]] == clause["text"]
    categories = {clause["category"] for clause in data["clauses"]}
    assert "Governing Law" in categories
    assert data["terms"]["governing_law"]["value"] == "New York"
    outcomes = {item["rule"]: item["outcome"] for item in data["playbook"]}
    assert outcomes["governing-law"] == "compliant"
    assert outcomes["no-exclusivity"] == "deviation"


def test_reviewer_records_findings_per_category(library, settings, tmp_path):
    path = tmp_path / "msa.txt"
    path.write_text(CONTRACT)
    review = ContractReviewer(library, playbook=load_playbook(EXAMPLE_PLAYBOOK)).review_file(path)
    assert isinstance(review.document_id, int) and review.finding_ids
    stored = library.get_document(review.document_id).parsed
    for clause in review.clauses:
        assert stored.text[clause.start : clause.end] == clause.text
    service = ReviewService(library.store, settings)
    law = service.list_findings(kind=category_kind("Governing Law"))
    assert len(law) == 1 and law[0].payload["category"] == "Governing Law"
    [evidence] = law[0].evidence
    assert stored.text[evidence.start : evidence.end] == evidence.quote and "New York" in evidence.quote
    service.approve(law[0].id, "ann")
    playbook = service.list_findings(kind="contracts.playbook")
    assert {f.payload["rule"] for f in playbook} == {r.id for r in load_playbook(EXAMPLE_PLAYBOOK).rules}
    service.reject(playbook[0].id, "ann", "wrong clause")
    by_kind = {row.kind: row.counts for row in service.stats().by_kind}
    assert by_kind[category_kind("Governing Law")].acceptance_rate == 1.0
    assert by_kind["contracts.playbook"].acceptance_rate == 0.0
    assert by_kind["contracts.term"].pending >= 1


def test_portfolio_table_exports_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    reviews = [
        review_document(parse_text(CONTRACT), title="MSA"),
        review_document(parse_text("Fees are due monthly."), title="Memo"),
    ]
    rows = portfolio_rows(reviews)
    assert [row["title"] for row in rows] == ["MSA", "Memo"]
    assert rows[0]["governing_law"] == "New York" and rows[1]["governing_law"] == ""
    with write_table(rows, tmp_path / "p.csv").open() as stream:
        read = list(csv.DictReader(stream))
    assert read[0]["governing_law"] == "New York" and len(read) == 2
    sheet = load_workbook(write_table(rows, tmp_path / "p.xlsx")).active
    assert sheet["A1"].value == "document_id" and sheet.max_row == 3
    with pytest.raises(InputError, match="csv or .xlsx"):
        write_table(rows, tmp_path / "p.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "p.xlsx"]  # no temporary files left
