import json

import pytest
from click.testing import CliRunner

from argentier.cli._common import AppContext
from argentier.cli._regwatch_summarise import summarise_command
from argentier.core.documents import load_document, parse_text
from argentier.errors import InputError
from argentier.regwatch import detect_language, summarise_document, summarise_text
from argentier.regwatch._dates import find_dates

VAT_NOTICE = """# Reduced VAT rate for energy renovation works

Published on 3 November 2026 by the tax administration.

From 1 January 2027 the reduced rate of 5.5% applies to energy renovation works in homes older than two years.
The reduced rate covers insulation, heat pumps and the labour needed to install them.
Businesses must register the new rate in their invoicing systems by 31 March 2027.
Invoices issued before that date at the former rate of 10% remain valid for works ordered in 2026.
Contractors are required to keep the customer's certificate for six years after the works.
The administration will publish a list of frequently asked questions on its website.
"""

FRENCH_NOTICE = """# Taux réduit de TVA pour les travaux de rénovation énergétique

Le décret a été publié le 2 mars 2026 au Journal officiel.

À compter du 1er juillet 2026, le taux réduit de 5,5 % s'applique aux travaux de rénovation énergétique.
Les entreprises doivent déposer leur déclaration rectificative au plus tard le 15 septembre 2026.
Les prestataires sont tenus de conserver l'attestation du client pendant six ans.
Les factures émises avant cette date restent valables pour les travaux commandés en 2025.
"""


def _assert_exact(text, result):
    for sentence in result.sentences:
        assert text[sentence.start : sentence.end] == sentence.quote
    for obligation in result.obligations:
        assert text[obligation.start : obligation.end] == obligation.text
    for mention in result.dates["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]


@pytest.mark.parametrize("source", [VAT_NOTICE, FRENCH_NOTICE])
def test_every_sentence_obligation_and_date_is_an_exact_slice(source):
    doc = parse_text(source, format="md")
    result = summarise_document(doc, max_words=60)
    assert result.sentences and result.obligations and result.dates["mentions"]
    _assert_exact(doc.text, result)
    # Fully grounded by construction: every summary sentence is a sentence of the document.
    sentence_spans = {(n.start, n.end) for n in doc.nodes("sentence")}
    assert all((s.start, s.end) in sentence_spans for s in result.sentences)


def test_english_dates_are_parsed_and_classified():
    result = summarise_text(VAT_NOTICE, format="md")
    assert result.dates["published"] == "2026-11-03"
    assert result.dates["effective"] == "2027-01-01"
    assert result.dates["deadlines"] == ["2027-03-31"]
    assert result.language == "en"


def test_french_dates_are_parsed_and_classified():
    result = summarise_text(FRENCH_NOTICE, format="md")
    assert result.dates["published"] == "2026-03-02"
    assert result.dates["effective"] == "2026-07-01"
    assert result.dates["deadlines"] == ["2026-09-15"]
    assert result.language == "fr"


@pytest.mark.parametrize(
    ("sentence", "iso", "role"),
    [
        ("From 1 January 2027 the reduced rate of 5.5% applies.", "2027-01-01", "effective"),
        ("Businesses must register by 31 March 2027.", "2027-03-31", "deadline"),
        ("The rule applies from January 1, 2027 to all firms.", "2027-01-01", "effective"),
        ("With effect from 2027-04-01 the threshold rises.", "2027-04-01", "effective"),
        ("Reports are due no later than 30/06/2027.", "2027-06-30", "deadline"),
        ("Le taux s'applique à compter du 1er juillet 2026.", "2026-07-01", "effective"),
        ("La déclaration est déposée au plus tard le 15 septembre 2026.", "2026-09-15", "deadline"),
        ("Le texte entre en vigueur le 01/02/2027.", "2027-02-01", "effective"),
        ("Le formulaire doit être envoyé avant le 3 août 2026.", "2026-08-03", "deadline"),
        ("The guidance was published on 12 May 2026.", "2026-05-12", "published"),
        ("Arrêté publié le 4 février 2026.", "2026-02-04", "published"),
        ("The committee met on 5 May 2026.", "2026-05-05", None),
        ("The guidance was published by the Authority on 12 May 2026.", "2026-05-12", "published"),
        ("A letter from the Commission dated 2 June 2026 explains the change.", "2026-06-02", None),
        ("Firms have until 30 June 2027 to comply.", "2027-06-30", "deadline"),
        ("The rules apply as of the 1 March 2027.", "2027-03-01", "effective"),
    ],
)
def test_date_forms_and_cues(sentence, iso, role):
    (mention,) = find_dates(sentence)
    assert (mention.date, mention.role) == (iso, role)
    assert sentence[mention.start : mention.end] == mention.text


def test_numeric_dates_are_day_first_unless_impossible():
    assert [m.date for m in find_dates("03/04/2027 and 04/13/2027")] == ["2027-04-03", "2027-04-13"]
    assert find_dates("31/02/2027") == []


def test_obligations_are_found_in_english_and_french():
    assert [o.cue for o in summarise_text(VAT_NOTICE, format="md").obligations] == ["must", "are required to"]
    assert [o.cue for o in summarise_text(FRENCH_NOTICE, format="md").obligations] == [
        "doivent",
        "sont tenus de",
    ]


@pytest.mark.parametrize("max_words", [5, 12, 30, 60, 250])
def test_word_limit_is_respected(max_words):
    result = summarise_text(VAT_NOTICE * 3, format="md", max_words=max_words)
    assert 0 < len(result.summary.split()) <= max_words
    assert sum(len(s.quote.split()) for s in result.sentences) <= max_words


def test_title_is_short_and_comes_from_the_heading():
    result = summarise_text(VAT_NOTICE, format="md")
    assert result.title == "Reduced VAT rate for energy renovation works"
    long_heading = "# " + " ".join(f"word{i}" for i in range(40)) + "\n\n" + VAT_NOTICE
    assert len(summarise_text(long_heading, format="md").title.split()) <= 15


def test_title_without_heading_is_built_from_the_best_sentence():
    body = VAT_NOTICE.split("\n", 2)[2]
    result = summarise_text(body, title_words=6)
    assert 0 < len(result.title.split()) <= 6
    assert result.title.split()[0] in body


def test_numbered_clause_heading_is_not_a_title():
    text = "2. Delivery of reports\n\nFirms must deliver the quarterly liquidity report within fifteen days."
    doc = parse_text(text)
    assert any(node.number for node in doc.nodes("section"))
    assert (
        summarise_document(doc).title
        == "Firms must deliver the quarterly liquidity report within fifteen days"
    )


def test_deterministic():
    first = summarise_text(VAT_NOTICE * 2, format="md", max_words=80).to_dict()
    assert all(summarise_text(VAT_NOTICE * 2, format="md", max_words=80).to_dict() == first for _ in range(3))


def test_duplicated_paragraph_is_not_quoted_twice():
    paragraph = (
        "Banks must report large exposures to the supervisor every quarter. "
        "The report covers every counterparty above ten percent of eligible capital."
    )
    text = f"{paragraph}\n\nSmall firms keep the simplified annual template for now.\n\n{paragraph}"
    result = summarise_text(text, max_words=250)
    quotes = [s.quote for s in result.sentences]
    assert len(quotes) == len(set(quotes))
    assert len(quotes) == 3


def test_summary_sentences_are_in_document_order():
    result = summarise_text(VAT_NOTICE, format="md", max_words=60)
    starts = [s.start for s in result.sentences]
    assert starts == sorted(starts)


def test_one_sentence_and_trivial_documents():
    result = summarise_text("The reduced rate of 5.5% applies from 1 January 2027.")
    assert result.summary == "The reduced rate of 5.5% applies from 1 January 2027."
    assert result.title == "The reduced rate of 5.5% applies from 1 January 2027"
    tiny = summarise_text("Yes.")
    assert (tiny.summary, tiny.sentences, tiny.obligations) == ("", (), ())
    assert tiny.dates["deadlines"] == []


def test_a_sentence_longer_than_the_budget_is_cut_at_a_word_boundary():
    text = "Every authorised payment institution must notify the authority of any change of its qualifying holders."
    result = summarise_text(text, max_words=4)
    (sentence,) = result.sentences
    assert sentence.quote == "Every authorised payment institution"
    assert text[sentence.start : sentence.end] == sentence.quote


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError):
        summarise_text(VAT_NOTICE, max_words=0)
    with pytest.raises(InputError):
        summarise_text(VAT_NOTICE, language="de")


def test_language_detection():
    assert detect_language(FRENCH_NOTICE) == "fr"
    assert detect_language(VAT_NOTICE) == "en"
    assert summarise_text(VAT_NOTICE, language="fr").language == "fr"


def test_cli_json(tmp_path):
    path = tmp_path / "notice.md"
    path.write_text(VAT_NOTICE, encoding="utf-8")
    outcome = CliRunner().invoke(summarise_command, [str(path), "--words", "40", "--json"], obj=AppContext())
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert set(data) >= {"title", "summary", "sentences", "dates", "impact", "obligations"}
    assert data["dates"]["effective"] == "2027-01-01"
    assert data["impact"]["severity"] in ("high", "medium", "low")
    assert "vat" in [tax["id"] for tax in data["impact"]["taxes"]]
    assert data["impact"]["effective_date"] == "2027-01-01"
    assert len(data["summary"].split()) <= 40
    text = load_document(path).text  # offsets point into the loader's normalised text
    assert all(text[s["start"] : s["end"]] == s["text"] for s in data["sentences"])


def test_cli_rich_rendering(tmp_path):
    path = tmp_path / "avis.md"
    path.write_text(FRENCH_NOTICE, encoding="utf-8")
    outcome = CliRunner().invoke(summarise_command, [str(path)], obj=AppContext())
    assert outcome.exit_code == 0, outcome.output
    assert "Taux réduit de TVA" in outcome.output
    assert "2026-09-15" in outcome.output
    assert "Obligations" in outcome.output


def test_cli_missing_file_fails_cleanly(tmp_path):
    outcome = CliRunner().invoke(summarise_command, [str(tmp_path / "absent.md")], obj=AppContext())
    assert outcome.exit_code != 0
    assert "does not exist" in outcome.output
