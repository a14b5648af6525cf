"""Key terms of a contract as normalised values with their quotes: parties, name, dates, renewal, notice, law.

Each term starts from the best clause the clause model found for its CUAD category, then a deterministic
reader turns the quote into a value: dates into ISO (``_dates``), durations into days or months, the governing
law into a jurisdiction name. A term whose quote holds no readable value keeps the quote with ``value=None``.

>>> from argentier.core.documents import parse_text
>>> doc = parse_text("This Agreement shall be governed by the laws of the State of Delaware.")
>>> governing_law(doc, [ClauseMatch("Governing Law", doc.text, 0, len(doc.text), 0.9)]).value
'Delaware'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argentier.contracts._dates import find_dates, parse_duration
from argentier.contracts._model import ClauseMatch
from argentier.core.documents import ParsedDocument

__all__ = ["TERM_NAMES", "KeyTerm", "extract_terms", "governing_law"]

TERM_NAMES = (
    "document_name",
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "renewal_term",
    "notice_period_to_terminate_renewal",
    "governing_law",
)

_US_STATES = [
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New_Hampshire",
    "New_Jersey",
    "New_Mexico",
    "New_York",
    "North_Carolina",
    "North_Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode_Island",
    "South_Carolina",
    "South_Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West_Virginia",
    "Wisconsin",
    "Wyoming",
    "District_of_Columbia",
]
_OTHERS = [
    "England_and_Wales",
    "England",
    "Scotland",
    "Ireland",
    "France",
    "Germany",
    "Switzerland",
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Spain",
    "Italy",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "Austria",
    "Israel",
    "India",
    "Singapore",
    "Hong_Kong",
    "Japan",
    "China",
    "Korea",
    "Australia",
    "New_Zealand",
    "Canada",
    "Ontario",
    "Quebec",
    "British_Columbia",
    "Alberta",
    "Bermuda",
    "Cayman_Islands",
    "Mexico",
    "Brazil",
    "Taiwan",
    "United_Kingdom",
]
_JURISDICTIONS = sorted((name.replace("_", " ") for name in _US_STATES + _OTHERS), key=len, reverse=True)
_JURISDICTION = re.compile(r"\b(" + "|".join(re.escape(name) for name in _JURISDICTIONS) + r")\b")
_LAWS_OF = re.compile(
    r"laws?\s+of\s+(?:the\s+)?(?:State\s+of\s+|Commonwealth\s+of\s+|Province\s+of\s+)?", re.IGNORECASE
)
_PERPETUAL = re.compile(r"\b(perpetual|perpetuity|indefinite(?:ly)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class KeyTerm:
    """A normalised term: ``value`` (ISO date, number, name or ``None``), ``unit`` for durations, and the
    quote ``text`` = ``doc.text[start:end]`` it was read from, with the clause score."""

    name: str
    value: Any
    text: str
    start: int
    end: int
    score: float
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "value": self.value,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }
        if self.unit:
            data["unit"] = self.unit
        return data


def _best(clauses: Sequence[ClauseMatch], category: str) -> ClauseMatch | None:
    return max((c for c in clauses if c.category == category), key=lambda c: c.score, default=None)


def _date_term(name: str, clause: ClauseMatch | None, default_year: int | None) -> KeyTerm | None:
    if clause is None:
        return None
    mentions = [m for m in find_dates(clause.text, default_year=default_year) if m.iso]
    if mentions:
        mention = mentions[0]
        start = clause.start + mention.start
        return KeyTerm(name, mention.iso, mention.text, start, start + len(mention.text), clause.score)
    if name == "expiration_date" and _PERPETUAL.search(clause.text):
        return KeyTerm(name, "perpetual", clause.text, clause.start, clause.end, clause.score)
    return KeyTerm(name, None, clause.text, clause.start, clause.end, clause.score)


_NOTICE = re.compile(r"prior|before|notice|in advance|preceding", re.IGNORECASE)
_RENEWAL = re.compile(r"renew|successive|additional|extend|period|term", re.IGNORECASE)


def _duration_term(name: str, clause: ClauseMatch | None) -> KeyTerm | None:
    if clause is None:
        return None
    duration = parse_duration(clause.text, near=_NOTICE if name.startswith("notice") else _RENEWAL)
    if duration is None:
        value = "perpetual" if _PERPETUAL.search(clause.text) else None
        return KeyTerm(name, value, clause.text, clause.start, clause.end, clause.score)
    return KeyTerm(name, duration[0], clause.text, clause.start, clause.end, clause.score, unit=duration[1])


def governing_law(doc: ParsedDocument, clauses: Sequence[ClauseMatch]) -> KeyTerm | None:
    """The jurisdiction named after "laws of" in the best Governing Law clause (example in the module doc)."""
    clause = _best(clauses, "Governing Law")
    if clause is None:
        return None
    for law in _LAWS_OF.finditer(clause.text):
        match = _JURISDICTION.match(clause.text, law.end())
        if match:
            start = clause.start + match.start()
            return KeyTerm(
                "governing_law",
                match.group(1),
                match.group(1),
                start,
                start + len(match.group(1)),
                clause.score,
            )
    match = _JURISDICTION.search(clause.text)
    if match:
        start = clause.start + match.start()
        return KeyTerm(
            "governing_law", match.group(1), match.group(1), start, start + len(match.group(1)), clause.score
        )
    return KeyTerm("governing_law", None, clause.text, clause.start, clause.end, clause.score)


def _parties(clauses: Sequence[ClauseMatch], min_score: float) -> list[KeyTerm]:
    """Party names and defined aliases, once each (case-insensitively), in document order."""
    seen: set[str] = set()
    parties = []
    for clause in sorted(
        (c for c in clauses if c.category == "Parties" and c.score >= min_score), key=lambda c: c.start
    ):
        key = clause.text.lower().strip(' ."')
        if len(clause.text) <= 120 and key not in seen:
            seen.add(key)
            parties.append(
                KeyTerm("parties", clause.text.strip(), clause.text, clause.start, clause.end, clause.score)
            )
    return parties


def extract_terms(
    doc: ParsedDocument, clauses: Sequence[ClauseMatch], *, min_score: float = 0.2
) -> dict[str, Any]:
    """The key terms of ``doc`` from its clause matches (use ``min_score=0`` predictions for best recall).

    Returns ``{term name: KeyTerm | None}``, with ``parties`` a list. Each term is read from the best clause
    of its category scoring at least ``min_score``; parties, short names easily confused with other names,
    need 0.5. Year-less dates take the agreement date's year.
    """
    confident = [c for c in clauses if c.score >= min_score]
    name_clause = _best(confident, "Document Name")
    document_name = None
    if name_clause is not None:
        document_name = KeyTerm(
            "document_name",
            " ".join(name_clause.text.split()),
            name_clause.text,
            name_clause.start,
            name_clause.end,
            name_clause.score,
        )
    agreement = _date_term("agreement_date", _best(confident, "Agreement Date"), None)
    year = int(agreement.value[:4]) if agreement and agreement.value else None
    effective = _date_term("effective_date", _best(confident, "Effective Date"), year)
    if (
        effective is not None
        and effective.value is None
        and agreement is not None
        and re.search(
            r"date (?:first )?(?:written|set forth) above|date of this agreement",
            effective.text,
            re.IGNORECASE,
        )
    ):
        effective = KeyTerm(
            "effective_date", agreement.value, effective.text, effective.start, effective.end, effective.score
        )
    return {
        "document_name": document_name,
        "parties": _parties(clauses, max(min_score, 0.5)),
        "agreement_date": agreement,
        "effective_date": effective,
        "expiration_date": _date_term("expiration_date", _best(confident, "Expiration Date"), year),
        "renewal_term": _duration_term("renewal_term", _best(confident, "Renewal Term")),
        "notice_period_to_terminate_renewal": _duration_term(
            "notice_period_to_terminate_renewal", _best(confident, "Notice Period To Terminate Renewal")
        ),
        "governing_law": governing_law(doc, confident),
    }
