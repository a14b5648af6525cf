"""Key terms read from clause quotes: ISO dates, durations, jurisdictions, parties; each with its quote."""

from argentier.contracts import ClauseMatch, extract_terms
from argentier.core.documents import parse_text

TEXT = (
    "DISTRIBUTION AGREEMENT\n\nThis Distribution Agreement is made on the 1st day of September, 2019 between "
    'Acme Widgets Inc. ("Acme") and Beta Corp. ("Distributor").\n\n'
    "The Agreement takes effect on September 15th and expires on 8/31/22.\n\n"
    "It renews automatically for successive one (1) year terms unless either party gives sixty (60) days "
    "prior written notice of non-renewal.\n\n"
    "This Agreement is governed by the laws of the Commonwealth of Massachusetts."
)


def _match(doc, category, quote, score=0.9):
    start = doc.text.index(quote)
    return ClauseMatch(category, quote, start, start + len(quote), score)


def test_terms_are_normalised_with_exact_quotes():
    doc = parse_text(TEXT)
    clauses = [
        _match(doc, "Document Name", "DISTRIBUTION AGREEMENT"),
        _match(doc, "Parties", "Acme Widgets Inc."),
        _match(doc, "Parties", "Acme"),
        _match(doc, "Parties", "Beta Corp."),
        _match(doc, "Agreement Date", "1st day of September, 2019"),
        _match(doc, "Effective Date", "The Agreement takes effect on September 15th"),
        _match(doc, "Expiration Date", "expires on 8/31/22"),
        _match(
            doc,
            "Renewal Term",
            "It renews automatically for successive one (1) year terms unless either "
            "party gives sixty (60) days prior written notice of non-renewal.",
        ),
        _match(
            doc,
            "Notice Period To Terminate Renewal",
            "It renews automatically for successive one (1) year "
            "terms unless either party gives sixty (60) days prior written notice of non-renewal.",
        ),
        _match(
            doc,
            "Governing Law",
            "This Agreement is governed by the laws of the Commonwealth of Massachusetts.",
        ),
    ]
    terms = extract_terms(doc, clauses)
    assert terms["document_name"].value == "DISTRIBUTION AGREEMENT"
    assert [p.value for p in terms["parties"]] == ["Acme Widgets Inc.", "Acme", "Beta Corp."]
    assert terms["agreement_date"].value == "2019-09-01"
    assert terms["effective_date"].value == "2019-09-15"  # year-less, year from the agreement date
    assert terms["expiration_date"].value == "2022-08-31"
    assert (terms["renewal_term"].value, terms["renewal_term"].unit) == (12, "months")
    notice = terms["notice_period_to_terminate_renewal"]
    assert (notice.value, notice.unit) == (60, "days")
    assert terms["governing_law"].value == "Massachusetts"
    for value in terms.values():
        for term in value if isinstance(value, list) else [value]:
            assert doc.text[term.start : term.end] == term.text


def test_missing_and_unreadable_terms():
    doc = parse_text("Governing law: to be agreed.")
    terms = extract_terms(doc, [ClauseMatch("Governing Law", doc.text, 0, len(doc.text), 0.8)])
    assert terms["governing_law"].value is None and terms["governing_law"].text == doc.text
    assert terms["agreement_date"] is None and terms["parties"] == []
    low = extract_terms(doc, [ClauseMatch("Governing Law", doc.text, 0, len(doc.text), 0.05)])
    assert low["governing_law"] is None  # below min_score


def test_perpetual_term():
    doc = parse_text("This Agreement shall continue in perpetuity.")
    terms = extract_terms(doc, [ClauseMatch("Expiration Date", doc.text, 0, len(doc.text), 0.7)])
    assert terms["expiration_date"].value == "perpetual"
