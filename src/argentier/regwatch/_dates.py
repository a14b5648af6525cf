"""Dates in English and French regulatory text, with their offsets and their role (published, effective, deadline).

Recognised forms: ``1 January 2027``, ``January 1, 2027``, ``1st January 2027``, ``1er janvier 2027``,
``2027-01-01`` and numeric ``01/01/2027`` (also with ``.`` or ``-``). Numeric dates are read **day first**
(``03/04/2027`` is 3 April 2027), the convention of French and EU sources; the month-first reading is used only
when the day-first one is impossible (``04/13/2027``).

A date's role comes from the nearest cue in the words just before it, within its sentence: "with effect from",
"applies from", "from", "effective", "à compter du", "entre en vigueur" make it *effective*; "by", "no later
than", "deadline", "avant le", "au plus tard" make it a *deadline*; "published", "publié" make it *published*.
Dates with no cue have the role ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

DateRole = Literal["published", "effective", "deadline"]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_DATE_PATTERN = re.compile(
    r"\b(?:"
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?P<num>(?P<na>\d{1,2})[/.\-](?P<nb>\d{1,2})[/.\-](?P<ny>\d{4}))"
    rf"|(?P<dmy>(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|re)?\s+{_MONTH}\s*,?\s+(?P<year>\d{{4}}))"
    rf"|(?P<mdy>{_MONTH.replace('month', 'month2')}\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year2>\d{{4}}))"
    r")\b",
    re.IGNORECASE,
)
# Cues are matched in the lower-cased text before the date; the nearest one (the last to end) wins. Short,
# common words ("by", "from", "until") count only right before the date ("by 31 March", "from the 1st"),
# so "published by the Authority on 3 May" stays a publication date.
_CUES: tuple[tuple[str, DateRole, bool], ...] = (
    (r"with effect from", "effective", False),
    (r"appl(?:y|ies|icable) from", "effective", False),
    (r"effective(?: date| from| as of| on)?", "effective", False),
    (r"(?:come|comes|enter|enters) into (?:force|effect)", "effective", False),
    (r"à compter du", "effective", False),
    (r"à partir du", "effective", False),
    (r"entre(?:nt)? en vigueur", "effective", False),
    (r"applicables? (?:au|dès le)", "effective", False),
    (r"dès le", "effective", False),
    (r"from", "effective", True),
    (r"as of", "effective", True),
    (r"starting", "effective", True),
    (r"no later than", "deadline", False),
    (r"not later than", "deadline", False),
    (r"deadline", "deadline", False),
    (r"avant le", "deadline", False),
    (r"au plus tard", "deadline", False),
    (r"date limite", "deadline", False),
    (r"jusqu'au", "deadline", False),
    (r"by", "deadline", True),
    (r"before", "deadline", True),
    (r"until", "deadline", True),
    (r"due", "deadline", True),
    (r"published", "published", False),
    (r"publication", "published", False),
    (r"publiée?s?", "published", False),
    (r"paru(?:e|s)?", "published", False),
)
_CUE_PATTERN = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<c{index}>{cue})" for index, (cue, _, _) in enumerate(_CUES)) + r")(?!\w)"
)
_ADJACENT = re.compile(r"\s*(?:(?:on|the|le|du)\s+)?")  # what may stand between a short cue and its date
_CUE_WINDOW = 60  # characters before a date searched for a cue
_SENTENCE_BREAK = re.compile(r"[.;:!?\n](?=\s)|\n")


@dataclass(frozen=True)
class DateMention:
    """A date found in the text: ISO ``date``, its ``role`` (or ``None``) and ``text[start:end]`` as written."""

    date: str
    role: DateRole | None
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"date": self.date, "role": self.role, "text": self.text, "start": self.start, "end": self.end}


def _to_iso(match: re.Match[str]) -> str | None:
    if match["iso"]:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
    elif match["num"]:
        first, second, year = int(match["na"]), int(match["nb"]), int(match["ny"])
        day, month = (first, second) if second <= 12 else (second, first)
    elif match["dmy"]:
        year, month, day = int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"])
    else:
        year, month, day = int(match["year2"]), _MONTHS[match["month2"].lower()], int(match["day2"])
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _role_before(text: str, start: int) -> DateRole | None:
    window = text[max(0, start - _CUE_WINDOW) : start].lower()
    breaks = list(_SENTENCE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    role = None
    for cue in _CUE_PATTERN.finditer(window):
        _, cue_role, adjacent_only = _CUES[int(cue.lastgroup[1:])]  # type: ignore[index]
        if not adjacent_only or _ADJACENT.fullmatch(window, cue.end()):
            role = cue_role
    return role


def find_dates(text: str) -> list[DateMention]:
    """Every date of ``text`` with its ISO form, role and offsets, in order.

    >>> [(m.date, m.role) for m in find_dates("Publié le 2 mars 2026. Applicable à compter du 1er juillet 2026.")]
    [('2026-03-02', 'published'), ('2026-07-01', 'effective')]
    >>> [(m.date, m.role) for m in find_dates("Returns are due no later than March 31, 2027; see 05/04/2027.")]
    [('2027-03-31', 'deadline'), ('2027-04-05', None)]
    """
    mentions = []
    for match in _DATE_PATTERN.finditer(text):
        iso = _to_iso(match)
        if iso is not None:
            start, end = match.span()
            mentions.append(DateMention(iso, _role_before(text, start), text[start:end], start, end))
    return mentions


def classify_dates(mentions: list[DateMention]) -> dict[str, object]:
    """Group mentions: the first ``published`` and ``effective`` dates, all distinct ``deadlines``, every mention.

    >>> classify_dates(find_dates("From 1 January 2027 the rate applies; file by 31 March 2027."))["deadlines"]
    ['2027-03-31']
    """
    published = next((m.date for m in mentions if m.role == "published"), None)
    effective = next((m.date for m in mentions if m.role == "effective"), None)
    deadlines = list(dict.fromkeys(m.date for m in mentions if m.role == "deadline"))
    return {
        "published": published,
        "effective": effective,
        "deadlines": deadlines,
        "mentions": [mention.to_dict() for mention in mentions],
    }
