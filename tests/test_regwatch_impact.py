"""Impact prediction for regulatory updates (taxonomy, confidence, severity rules) and its review findings."""

from __future__ import annotations

from datetime import date

import pytest

from argentier.core.documents import parse_text
from argentier.core.review import ReviewService
from argentier.errors import InputError
from argentier.regwatch.findings import FINDING_KINDS, record_update_findings
from argentier.regwatch.impact import load_taxonomy, predict_impact
from argentier.regwatch.summarise import summarise_document

EN_VAT_EBOOKS = """Reduced VAT rate for e-books and digital newspapers

From 1 March 2027 the VAT rate applied to e-books, digital newspapers and audiobook streaming falls from 20% \
to 5.5%. Publishers and platforms must apply the reduced rate to all supplies made on or after that date.

The measure also covers electronically supplied services of the same kind. Businesses should update their \
invoicing systems in good time."""

FR_E_INVOICING = """Généralisation de la facturation électronique

Le présent communiqué rappelle le calendrier de la réforme. La facturation électronique obligatoire à compter \
du 1er septembre 2026 pour toutes les entreprises assujetties à la TVA établies en France.

Les entreprises doivent choisir une plateforme agréée pour émettre et recevoir leurs factures."""

EN_INFORMATIONAL = """Annual report on tax collection

The tax administration has released its annual report on revenue collection for 2025. The report presents \
statistics on VAT receipts and the number of registered taxpayers. It is available on the website of the \
administration."""

EN_CUSTOMS = """Customs duties: updated tariff classification for imported bicycles

The customs authority has updated the classification of electric bicycles imported from third countries. \
Importers and freight forwarders must use the new commodity codes in every customs declaration from \
1 July 2027. Logistics operators are invited to review their shipment data."""


def _impact(text: str, today: date, **options):
    doc = parse_text(text, format="txt")
    return doc, predict_impact(doc, today=today, **options)


def _ids(matches) -> list[str]:
    return [match.id for match in matches]


def _all_evidence(impact):
    for match in (*impact.taxes, *impact.business_lines):
        yield from match.evidence
    yield from impact.severity_evidence


def test_vat_rate_change_for_ebooks_is_high():
    _, impact = _impact(EN_VAT_EBOOKS, date(2027, 1, 2), jurisdiction="FR")
    assert _ids(impact.taxes) == ["vat"]
    assert _ids(impact.business_lines) == ["digital-content"]
    assert (impact.severity, impact.severity_rule) == ("high", "rate change")
    assert impact.effective_date == "2027-03-01"
    assert impact.jurisdiction == "FR"
    assert any("falls from 20% to 5.5%" in item.quote for item in impact.severity_evidence)


def test_french_e_invoicing_mandate_severity_follows_date_distance():
    _, soon = _impact(FR_E_INVOICING, date(2026, 6, 1))
    assert _ids(soon.taxes)[0] == "e-invoicing"
    assert soon.effective_date == "2026-09-01"
    assert (soon.severity, soon.severity_rule) == ("high", "obligation within 180 days")
    _, far = _impact(FR_E_INVOICING, date(2025, 12, 1))
    assert (far.severity, far.severity_rule) == ("medium", "obligation later than 180 days")
    assert any("obligatoire" in item.quote for item in far.severity_evidence)


def test_informational_notice_is_low():
    _, impact = _impact(EN_INFORMATIONAL, date(2026, 6, 1))
    assert (impact.severity, impact.severity_rule) == ("low", "informational")
    assert impact.severity_evidence == ()
    assert impact.effective_date is None


def test_customs_update_concerns_logistics():
    _, impact = _impact(EN_CUSTOMS, date(2027, 5, 1))
    assert _ids(impact.taxes) == ["customs"]
    assert _ids(impact.business_lines) == ["logistics"]
    assert (impact.severity, impact.effective_date) == ("high", "2027-07-01")
    _, early = _impact(EN_CUSTOMS, date(2026, 11, 1))
    assert early.severity == "medium"


def test_publication_date_is_the_reference_over_today():
    text = "VAT registration notice\n\nPublished on 2 January 2027. Sellers must register for VAT from 1 March 2027."
    _, impact = _impact(text, date(2020, 1, 1))
    assert impact.severity_rule == "obligation within 180 days"


def test_penalties_consultation_and_undated_obligation_rules():
    _, penalties = _impact("Late VAT returns will incur penalties of 10% of the tax due.", date(2027, 1, 1))
    assert (penalties.severity, penalties.severity_rule) == ("high", "penalties")
    consultation = (
        "Consultation on the taxation of cloud services. Comments are welcome no later than 15 February 2027."
    )
    _, soon = _impact(consultation, date(2027, 1, 1))
    assert (soon.severity, soon.severity_rule) == ("medium", "consultation closing within 60 days")
    assert _ids(soon.business_lines) == ["cloud"]
    _, late = _impact(consultation, date(2026, 1, 1))
    assert late.severity == "low"
    _, undated = _impact("Marketplaces must keep records of the sellers they host.", date(2027, 1, 1))
    assert (undated.severity, undated.severity_rule) == ("medium", "obligation without a date")


@pytest.mark.parametrize("text", [EN_VAT_EBOOKS, FR_E_INVOICING, EN_INFORMATIONAL, EN_CUSTOMS])
def test_evidence_is_exact_text_and_confidence_in_unit_interval(text):
    doc, impact = _impact(text, date(2026, 6, 1))
    items = list(_all_evidence(impact))
    assert items
    for item in items:
        assert doc.text[item.start : item.end] == item.quote
        assert item.quote == item.quote.strip()
    for match in (*impact.taxes, *impact.business_lines):
        assert 0.0 < match.confidence < 1.0
        assert match.evidence


def test_title_matches_count_more_than_lead_and_body_matches():
    today = date(2027, 1, 1)
    _, in_title = _impact("VAT notice for sellers\n\nSome rules change.\n\nA form gets a new box.", today)
    _, in_lead = _impact("Notice for sellers\n\nSome VAT rules change.\n\nA form gets a new box.", today)
    _, in_body = _impact("Notice for sellers\n\nSome rules change.\n\nThe VAT form gets a new box.", today)
    confidences = [impact.taxes[0].confidence for impact in (in_title, in_lead, in_body)]
    # 1 - exp(-score / 2) with score 3 (title), 2 (lead paragraph) and 1 (body).
    assert confidences == pytest.approx([0.777, 0.632, 0.393], abs=1e-3)


def test_acronyms_are_case_sensitive_and_keywords_match_plurals():
    _, impact = _impact("The vat of wine is stored in the warehouse. E-books are popular.", date(2027, 1, 1))
    assert "vat" not in _ids(impact.taxes)
    assert _ids(impact.business_lines) == ["digital-content", "logistics"]


def test_prediction_is_deterministic_and_summary_is_optional():
    doc = parse_text(EN_VAT_EBOOKS, format="txt")
    first = predict_impact(doc, today=date(2027, 1, 2)).to_dict()
    again = predict_impact(doc, today=date(2027, 1, 2), summary=summarise_document(doc)).to_dict()
    assert first == again
    assert first["taxes"][0]["evidence"][0]["start"] >= 0


CUSTOM_TAXONOMY = """
version = "test-1"
[severity]
imminent_days = 30
rate_change = []
[[taxes]]
id = "plastic"
label = "Plastic packaging tax"
keywords = ["plastic packaging tax", "taxe sur les emballages plastiques"]
[[business_lines]]
id = "food"
label = "Food retail"
keywords = ["supermarket"]
"""


def test_custom_taxonomy_file(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text(CUSTOM_TAXONOMY, encoding="utf-8")
    taxonomy = load_taxonomy(path)
    assert (taxonomy.imminent_days, taxonomy.consultation_days, taxonomy.version) == (30, 60, "test-1")
    text = "Supermarkets must pay the plastic packaging tax from 1 March 2027; the rate rises to 2%."
    _, impact = _impact(text, date(2027, 1, 1), taxonomy=taxonomy)
    assert _ids(impact.taxes) == ["plastic"] and _ids(impact.business_lines) == ["food"]
    # No rate-change patterns and 59 days > 30: the obligation is not imminent under this taxonomy.
    assert impact.severity_rule == "obligation later than 30 days"
    assert load_taxonomy() is load_taxonomy()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("taxes = [", "not valid TOML"),
        (CUSTOM_TAXONOMY.replace('keywords = ["supermarket"]', "keywords = []"), "food) needs 'keywords'"),
        (
            CUSTOM_TAXONOMY.replace(
                "[[business_lines]]",
                '[[taxes]]\nid = "plastic"\nlabel = "P"\nkeywords = ["p"]\n[[business_lines]]',
            ),
            "duplicate id 'plastic'",
        ),
        (CUSTOM_TAXONOMY.replace('id = "food"', 'id = "Food Retail"'), "needs an 'id'"),
        (CUSTOM_TAXONOMY.replace("rate_change = []", "rate_change = ['(unclosed']"), "severity.rate_change"),
        (CUSTOM_TAXONOMY.replace("imminent_days = 30", "imminent_days = -1"), "severity.imminent_days"),
        (CUSTOM_TAXONOMY.replace("[[business_lines]]", "[[business_line]]"), "unknown top-level key"),
        (CUSTOM_TAXONOMY.split("[[business_lines]]")[0], "'business_lines' must be a non-empty array"),
    ],
)
def test_malformed_taxonomy_raises_clear_input_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_taxonomy(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_taxonomy_file(tmp_path):
    with pytest.raises(InputError, match="cannot read the taxonomy"):
        load_taxonomy(tmp_path / "missing.toml")


def test_record_update_findings_gives_per_field_stats(library):
    added = library.add_text(EN_VAT_EBOOKS, title="Reduced VAT rate for e-books", format="txt")
    document_id = added.document.id
    doc = library.get_document(document_id).parsed
    summary = summarise_document(doc)
    impact = predict_impact(doc, summary=summary, today=date(2027, 1, 2))
    review = ReviewService(library.store, library.settings)
    records = record_update_findings(
        review, document_id=document_id, doc=doc, summary=summary, impact=impact, producer_version="0.1"
    )
    assert tuple(record.kind for record in records) == FINDING_KINDS
    title, summary_finding, impact_finding = records
    assert title.payload == {"title": summary.title}
    assert summary_finding.payload["summary"] == summary.summary
    assert impact_finding.payload == impact.to_dict()
    assert impact_finding.confidence == max(m.confidence for m in (*impact.taxes, *impact.business_lines))
    for record in records:
        assert record.subject_id == str(document_id) and record.document_id == document_id
        assert record.producer.module == "regwatch" and record.producer.model is None
        assert record.evidence and all(doc.text[e.start : e.end] == e.quote for e in record.evidence)

    review.approve(title.id, "alice")
    light_touch = dict(summary_finding.payload, summary=summary.summary.replace("falls", "drops"))
    assert light_touch != summary_finding.payload
    review.edit(summary_finding.id, "bob", light_touch)
    review.reject(impact_finding.id, "carol", "the severity is overstated")
    rows = {row.kind: row.counts for row in review.stats().by_kind}
    assert (rows["regwatch.title"].approved, rows["regwatch.title"].acceptance_rate) == (1, 1.0)
    summary_counts = rows["regwatch.summary"]
    assert (summary_counts.edited, summary_counts.edited_lightly, summary_counts.acceptance_rate) == (
        1,
        1,
        1.0,
    )
    assert (rows["regwatch.impact"].rejected, rows["regwatch.impact"].acceptance_rate) == (1, 0.0)


def test_french_vat_rate_change_for_digital_books():
    text = (
        "Livres numériques : taux de TVA\n\nÀ compter du 1er avril 2027, le taux de TVA applicable aux livres "
        "numériques passe de 20 % à 5,5 %."
    )
    _, impact = _impact(text, date(2027, 1, 1))
    assert (_ids(impact.taxes), _ids(impact.business_lines)) == (["vat"], ["digital-content"])
    assert (impact.severity, impact.severity_rule, impact.effective_date) == (
        "high",
        "rate change",
        "2027-04-01",
    )
