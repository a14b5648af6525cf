import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argentier.core.grounding import (
    Claim,
    Evidence,
    GroundingReport,
    find_all_quotes,
    find_quote,
    normalise_text,
    verify_claims,
)
from argentier.errors import InputError

SOURCE = (
    "3. Prices and Payment\n"
    "3.2 The Customer shall pay each undisputed invoice within forty-five days of receipt.\n"
    "3.3 Late payments bear interest at the ECB rate plus 8 percentage points.\n"
)


def _passage(source: str, quote: str) -> str:
    span = find_quote(source, quote)
    assert span is not None, quote
    return source[span.start : span.end]


def test_exact_quote_gives_exact_offsets():
    span = find_quote(SOURCE, "pay each undisputed invoice")
    assert span.match == "exact"
    assert SOURCE[span.start : span.end] == "pay each undisputed invoice"
    assert span.start == SOURCE.index("pay each")


def test_whitespace_and_newlines_are_one_space():
    quote = "within forty-five days of receipt. 3.3 Late payments"
    span = find_quote(SOURCE, quote)
    assert span.match == "normalised"
    assert SOURCE[span.start : span.end] == "within forty-five days of receipt.\n3.3 Late payments"
    assert find_quote("a\t\tnet\u00a0 debt\n\nratio", "net debt ratio").start == 3


def test_curly_and_straight_quotes_and_apostrophes():
    source = "The \u201cEffective Date\u201d is the Supplier\u2019s acceptance date."
    assert _passage(source, '"Effective Date" is the Supplier\'s') == (
        "\u201cEffective Date\u201d is the Supplier\u2019s"
    )
    assert find_quote("the Supplier's acceptance", "Supplier\u2019s acceptance").match == "normalised"


def test_dashes_ligatures_and_invisible_characters():
    assert _passage("net debt \u2013 cash", "net debt - cash") == "net debt \u2013 cash"
    assert _passage("period 2026\u20142027 only", "2026-2027") == "2026\u20142027"
    assert _passage("the \ufb01nal \ufb01gure", "final figure") == "\ufb01nal \ufb01gure"
    assert _passage("reconcil\u00adiation done", "reconciliation done") == "reconcil\u00adiation done"
    # Matching inside a ligature would return a passage that does not read as the quote.
    assert find_quote("\ufb01nance", "inance") is None


def test_case_is_kept():
    assert find_quote(SOURCE, "the customer shall pay") is None


def test_near_miss_hallucination_and_partial_quote_are_rejected():
    assert find_quote(SOURCE, "pay each undisputed invoice within thirty days of receipt") is None
    assert find_quote(SOURCE, "The Supplier may terminate for convenience") is None
    assert find_quote(SOURCE, "within forty-five days of receipt and without set-off") is None


def test_empty_and_too_short_quotes_are_never_grounded():
    for quote in ("", "   \n", "3.", "of", "--"):
        assert find_quote(SOURCE, quote) is None
    assert find_quote(SOURCE, "3.2") is None  # two word characters
    assert find_quote(SOURCE, "ECB") is not None
    assert find_quote(SOURCE, "ECB", min_word_chars=4) is None
    assert find_quote(SOURCE, "of", min_word_chars=1) is not None


def test_first_occurrence_and_all_occurrences():
    source = "net 30 days; later, net\n30 days; net 30 days"
    spans = find_all_quotes(source, "net 30 days")
    assert [(span.start, span.end) for span in spans] == [(0, 11), (33, 44)]  # the exact pass wins
    assert find_quote(source, "net 30 days") == spans[0]
    reflowed = "x net\n30 y"
    assert [reflowed[s.start : s.end] for s in find_all_quotes(reflowed, "net 30")] == ["net\n30"]


def test_unicode_offsets_are_character_offsets():
    source = "R\u00e9sum\u00e9: \u5951\u7d04\u306f2026\u5e74\u306b\u7d42\u4e86\u3002 Caf\u00e9 cr\u00e8me"
    span = find_quote(source, "\u5951\u7d04\u306f2026\u5e74")
    assert source[span.start : span.end] == "\u5951\u7d04\u306f2026\u5e74"
    assert span.start == 8
    decomposed = "Cafe\u0301 cre\u0300me"
    assert _passage(source, decomposed) == "Caf\u00e9 cr\u00e8me"
    assert _passage("Cafe\u0301 cre\u0300me!", "Caf\u00e9 cr\u00e8me") == "Cafe\u0301 cre\u0300me"


def test_claim_with_one_bad_quote_is_not_grounded():
    claims = [
        Claim("Invoices are due in 45 days.", ("within forty-five days",)),
        Claim(
            "Late interest is ECB + 8 points, capped.", ("ECB rate plus 8 percentage points", "capped at 10%")
        ),
        Claim("The buyer pays promptly.", ()),
    ]
    report = verify_claims(SOURCE, claims)
    assert [claim.grounded for claim in report.claims] == [True, False, False]
    assert [claim.text for claim in report.verified] == ["Invoices are due in 45 days."]
    assert report.claims[1].missing == ("capped at 10%",)
    assert len(report.claims[1].evidence) == 1
    assert report.grounded_share == pytest.approx(1 / 3)
    evidence = report.verified[0].evidence[0]
    assert SOURCE[evidence.start : evidence.end] == evidence.quote == "within forty-five days"
    data = report.to_dict()
    assert data["n_claims"] == 3 and data["n_grounded"] == 1
    assert data["claims"][0]["evidence"][0] == {
        "quote": "within forty-five days",
        "start": evidence.start,
        "end": evidence.end,
        "match": "exact",
    }


def test_no_claims_has_no_grounded_share():
    report = verify_claims(SOURCE, [])
    assert report == GroundingReport(())
    assert report.grounded_share is None and report.verified == ()


def test_claims_reject_a_single_string_as_quotes():
    with pytest.raises(InputError):
        Claim("x", "a quote")
    assert Claim("x", ["a", "b"]).quotes == ("a", "b")


def test_extractive_evidence_is_grounded_by_construction():
    offsets = [(0, 21), (22, 40), (SOURCE.index("Late"), SOURCE.index("ECB") + 3)]
    evidence = [Evidence.from_span(SOURCE, start, end) for start, end in offsets]
    assert all(item.matches(SOURCE) for item in evidence)
    claims = [Claim(f"claim {n}", (item.quote,)) for n, item in enumerate(evidence)]
    report = verify_claims(SOURCE, claims)
    assert report.grounded_share == 1.0
    assert [(e.evidence[0].start, e.evidence[0].end) for e in report.claims] == offsets
    assert Evidence.from_dict(evidence[0].to_dict()) == evidence[0]


@pytest.mark.parametrize("start, end", [(-1, 3), (3, 3), (5, 2), (0, len(SOURCE) + 1), (True, 3), (0.0, 3)])
def test_evidence_offsets_are_validated(start, end):
    with pytest.raises(InputError):
        Evidence.from_span(SOURCE, start, end)


def test_evidence_must_span_its_quote():
    with pytest.raises(InputError):
        Evidence("abc", 0, 4)
    with pytest.raises(InputError):
        Evidence("abc", 0, 3, "fuzzy")
    assert not Evidence("abc", 0, 3).matches("abd")


def test_normalise_text():
    assert normalise_text("  \u201cA\u201d\u00a0\u2014\n\ufb01  ") == '"A" - fi'
    assert normalise_text("  \u201cA\u201d \n x", typographic=False) == "\u201cA\u201d x"


_ALPHABET = st.sampled_from(
    list("abcdefgh XYZ019.,;'\"-")
    + ["\n", "\t", "\u00a0", "\u2019", "\u201c", "\u2013", "\ufb01", "\u00e9", "e\u0301", "\u5951", "\u00ad"]
)
_TEXT = st.lists(_ALPHABET, min_size=1, max_size=80).map("".join)
_SPACES = st.sampled_from([" ", "  ", "\n", "\t ", "\u00a0", " \n "])


@settings(max_examples=150, deadline=None)
@given(source=_TEXT, data=st.data())
def test_found_passages_read_as_the_quote(source, data):
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    words = source[start:end].split()
    # Perturb the whitespace between the words, as a model quoting a reflowed PDF would.
    quote = "".join(word + data.draw(_SPACES) for word in words[:-1]) + (words[-1] if words else "")
    span = find_quote(source, quote)
    if span is None:
        assert sum(char.isalnum() for char in normalise_text(quote)) < 3 or not words
        return
    passage = source[span.start : span.end]
    assert 0 <= span.start < span.end <= len(source)
    assert normalise_text(passage) == normalise_text(quote)
    if span.match == "exact":
        assert passage == quote.strip()
    for other in find_all_quotes(source, quote):
        assert normalise_text(source[other.start : other.end]) == normalise_text(quote)


_SWAPS = {
    "'": "\u2019",
    "\u2019": "'",
    '"': "\u201d",
    "\u201c": '"',
    "-": "\u2013",
    "\u2013": "-",
    "\ufb01": "fi",
}
_PLAIN_TEXT = st.lists(_ALPHABET.filter(lambda char: char != "e\u0301"), min_size=1, max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(source=_PLAIN_TEXT, data=st.data())
def test_typographic_variants_of_a_substring_are_always_found(source, data):
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    quote = "".join(
        _SWAPS.get(char, char) if data.draw(st.booleans()) else char for char in source[start:end]
    )
    span = find_quote(source, quote)
    if sum(char.isalnum() for char in normalise_text(quote)) < 3:
        assert span is None
        return
    assert span is not None
    assert normalise_text(source[span.start : span.end]) == normalise_text(quote)


def test_docstring_examples_run():
    import doctest

    from argentier.core import grounding

    result = doctest.testmod(grounding)
    assert result.attempted > 5 and result.failed == 0
