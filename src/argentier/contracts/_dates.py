"""Dates and durations as contracts write them, found with their offsets and normalised.

Dates: "September 1, 2019", "Sept. 1st, 2019", "1 September 2019", "the 1st day of September, 2019",
"9/1/19", "09-01-2019", "2019-09-01", and year-less "September 1st" (resolved with a default year when
one is known). Numeric dates are read month first, as in US contracts, unless the first number exceeds 12.
Durations: "thirty (30) days", "one year", "6 months", "ninety days" -> a number of days or months.

>>> [(m.iso, m.text) for m in find_dates("Dated as of the 1st day of September, 2019 and amended 9/1/19.")]
[('2019-09-01', '1st day of September, 2019'), ('2019-09-01', '9/1/19')]
>>> parse_duration("sixty (60) days prior to the end of the term")
(60, 'days')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["NUMBER_WORDS", "DateMention", "find_dates", "find_durations", "parse_duration"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    re.compile(rf"\b{_DAY}\s+day\s+of\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)\b"),
    re.compile(r"\b(?P<month>[0-3]?\d)[/-](?P<day>[0-3]?\d)[/-](?P<year>(?:19|20)?\d\d)\b"),
    re.compile(rf"\b{_DAY}\s+day\s+of\s+{_MONTH}\b(?!,?\s+(?:19|20)\d\d)", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+(?:19|20)\d\d|\d)", re.IGNORECASE),
]

NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred eighty": 180,
    "a": 1,
    "an": 1,
}
_NUMBER = (
    r"(?P<number>\d{1,4}|"
    + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
    + ")"
)
_DURATION = re.compile(
    rf"\b{_NUMBER}(?:\s*\((?P<digits>\d{{1,4}})\))?[\s-]+(?:calendar\s+|business\s+|full\s+)?"
    r"(?P<unit>day|week|month|year)s?\b",
    re.IGNORECASE,
)
_UNIT_DAYS = {"week": 7}


@dataclass(frozen=True)
class DateMention:
    """A date in a text: ``text[start:end]`` and its ISO form (``None`` when the year is unknown)."""

    text: str
    start: int
    end: int
    iso: str | None


def _year(value: str) -> int:
    number = int(value)
    if len(value) == 2:
        return 2000 + number if number < 50 else 1900 + number
    return number


def _build(match: re.Match[str], default_year: int | None) -> str | None:
    groups = match.groupdict()
    month_text, day = groups["month"], int(groups["day"])
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower().rstrip(".")]
    if month > 12 and day <= 12:  # a day-first numeric date such as 31/01/2020
        month, day = day, month
    year = _year(groups["year"]) if groups.get("year") else default_year
    if year is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str, *, default_year: int | None = None) -> list[DateMention]:
    """Every date in ``text``, in order, without overlaps (the longest written form wins; example above)."""
    taken: list[tuple[int, int]] = []
    found = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            iso = _build(match, default_year)
            has_year = bool(match.groupdict().get("year"))
            if iso is None and has_year:
                continue  # "13/45/2020" is not a date
            if not has_year and (match.group("month")[0].islower() or not _valid_day(match)):
                continue  # "may 30" is a modal verb far more often than a date
            taken.append((start, end))
            found.append(DateMention(match.group(0), start, end, iso))
    return sorted(found, key=lambda mention: mention.start)


def _valid_day(match: re.Match[str]) -> bool:
    return 1 <= int(match.group("day")) <= 31


def find_durations(text: str) -> list[tuple[int, str, int, int]]:
    """Every duration in ``text`` as ``(number, "days" | "months", start, end)`` (weeks become days, years
    months).

    >>> find_durations("renews for successive one (1) year terms unless notice is given 60 days before")
    [(12, 'months', 22, 34), (60, 'days', 64, 71)]
    """
    found = []
    for match in _DURATION.finditer(text):
        raw = match.group("digits") or match.group("number")
        number = int(raw) if raw.isdigit() else NUMBER_WORDS[raw.lower()]
        unit = match.group("unit").lower()
        if unit == "year":
            number, unit = number * 12, "months"
        elif unit == "month":
            unit = "months"
        else:
            number, unit = number * _UNIT_DAYS.get(unit, 1), "days"
        found.append((number, unit, match.start(), match.end()))
    return found


def parse_duration(text: str, *, near: re.Pattern[str] | None = None) -> tuple[int, str] | None:
    """The first duration in ``text``, preferring one followed by ``near`` within 40 characters (and before
    the next duration).

    >>> parse_duration("renews for successive one (1) year terms"), parse_duration("no period")
    ((12, 'months'), None)
    >>> parse_duration("one year terms unless 60 days' notice", near=re.compile("notice"))
    (60, 'days')
    """
    found = find_durations(text)
    if near is not None:
        stops = [item[2] for item in found[1:]] + [len(text)]
        preferred = [
            item for item, stop in zip(found, stops) if near.search(text, item[3], min(item[3] + 40, stop))
        ]
        found = preferred or found
    return (found[0][0], found[0][1]) if found else None
