"""Dates and durations in the forms contracts write them."""

import pytest

from argentier.contracts import find_dates, find_durations, parse_duration


@pytest.mark.parametrize(
    "text, iso",
    [
        ("made on the 1st day of September, 2019 by", "2019-09-01"),
        ("dated 9/1/19", "2019-09-01"),
        ("dated 09/01/2019", "2019-09-01"),
        ("as of September 1, 2019", "2019-09-01"),
        ("as of Sept. 1st, 2019", "2019-09-01"),
        ("as of 1 September 2019", "2019-09-01"),
        ("on 2019-09-01", "2019-09-01"),
        ("on 31/01/2020", "2020-01-31"),
        ("effective 12th day of March 2001", "2001-03-12"),
    ],
)
def test_written_forms_normalise_to_iso(text, iso):
    assert [mention.iso for mention in find_dates(text)] == [iso]


def test_offsets_are_exact_and_yearless_dates_take_the_default_year():
    text = "Starting September 1st the fee applies."
    [mention] = find_dates(text, default_year=2019)
    assert text[mention.start : mention.end] == mention.text == "September 1st"
    assert mention.iso == "2019-09-01"
    assert find_dates(text)[0].iso is None


@pytest.mark.parametrize(
    "text", ["you may 30 days", "section 1.1.10 applies", "13/45/2020", "February 30, 2020"]
)
def test_non_dates_are_not_dates(text):
    assert [m.iso for m in find_dates(text) if m.iso] == []


def test_durations():
    assert parse_duration("thirty (30) days") == (30, "days")
    assert parse_duration("two weeks") == (14, "days")
    assert parse_duration("successive one-year terms") == (12, "months")
    assert parse_duration("unless ninety days' notice") == (90, "days")
    assert parse_duration("no period here") is None
    text = "renews for one year unless either party gives 60 days prior notice"
    assert [(n, u) for n, u, _, _ in find_durations(text)] == [(12, "months"), (60, "days")]
