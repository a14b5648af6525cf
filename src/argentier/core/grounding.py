"""Grounding: check that every quote a generated claim cites really is in the source text, and where.

A model that summarises or extracts must cite verbatim quotes; :func:`verify_claims` keeps a claim only when
*every* one of its quotes is found in the source. A quote is looked for in three passes, the first hit wins:

1. exactly as given;
2. whitespace-normalised: a run of whitespace (spaces, tabs, newlines, non-breaking spaces) equals one space;
3. typography-normalised: also curly and straight quotes and apostrophes, dashes and hyphens, ligatures
   (``ﬁ`` = ``fi``), full-width forms, composed and decomposed accents, soft hyphens and zero-width spaces.
   Case is kept: "Net debt" does not match "net debt".

Offsets always point into the *original* source, so ``source[start:end]`` is the matched passage; it differs
from the quote only by those normalisations. Quotes with fewer than ``min_word_chars`` letters and digits
are never grounded, because such a short string is found by chance.

>>> source = "The Customer shall pay each invoice\\nwithin forty\u2011five days."
>>> span = find_quote(source, "pay each invoice within forty-five days")
>>> source[span.start:span.end], span.match
('pay each invoice\\nwithin forty\u2011five days', 'normalised')
>>> report = verify_claims(source, [Claim("Invoices are due in 45 days.", ("within forty-five days",)),
...                                 Claim("Invoices are due in 30 days.", ("within thirty days",))])
>>> [claim.text for claim in report.verified], report.grounded_share
(['Invoices are due in 45 days.'], 0.5)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Mapping, Sequence

from argentier.errors import InputError

__all__ = [
    "DEFAULT_MIN_WORD_CHARS",
    "Claim",
    "Evidence",
    "GroundingReport",
    "MatchKind",
    "Span",
    "VerifiedClaim",
    "find_all_quotes",
    "find_quote",
    "normalise_text",
    "verify_claims",
]

MatchKind = Literal["exact", "normalised"]
DEFAULT_MIN_WORD_CHARS = 3

_QUOTES = dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'") | dict.fromkeys(
    "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'
)
_DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Compatibility mappings that only change typography; <super>, <sub>, <fraction> and <circle> are left
# alone because they change meaning ("m²" is not "m2", a footnote mark "¹" is not a digit).
_COMPAT_TAGS = frozenset({"<compat>", "<noBreak>", "<wide>", "<narrow>", "<font>"})


@dataclass(frozen=True)
class Span:
    """Where a quote was found: ``source[start:end]``, and whether it matched exactly or after normalising."""

    start: int
    end: int
    match: MatchKind = "exact"


def _typographic(unit: str) -> str:
    """The normalised form of one base character with its combining marks."""
    unit = unicodedata.normalize("NFC", unit)
    pieces = []
    for char in unit:
        if char in _INVISIBLE:
            continue
        if char in _QUOTES:
            char = _QUOTES[char]
        elif char in _DASHES:
            char = _DASHES[char]
        elif char.isspace():
            char = " "
        else:
            tag = unicodedata.decomposition(char).split(" ", 1)[0]
            if tag in _COMPAT_TAGS:
                mapped = unicodedata.normalize("NFKC", char)
                # A mapping that yields spaces or bare combining marks would blur unit boundaries.
                if mapped.strip() == mapped and not unicodedata.combining(mapped[0]):
                    char = _DASHES.get(mapped, _QUOTES.get(mapped, mapped))
        pieces.append(char)
    return "".join(pieces)


def _units(text: str, *, typographic: bool) -> list[tuple[int, int]]:
    """Split ``text`` into the units that are normalised as a whole: ``(start, end)`` offsets."""
    if not typographic:
        return [(index, index + 1) for index in range(len(text))]
    units: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if units and unicodedata.combining(char) and not text[index - 1].isspace():
            units[-1] = (units[-1][0], index + 1)
        else:
            units.append((index, index + 1))
    return units


class _NormalisedText:
    """A normalised copy of a text, with each of its characters mapped back to the original offsets."""

    def __init__(self, text: str, *, typographic: bool) -> None:
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        first: list[bool] = []  # the character opens its unit, so a match may start here
        last: list[bool] = []  # the character closes its unit, so a match may end here
        for start, end in _units(text, typographic=typographic):
            piece = text[start:end]
            if typographic:
                piece = _typographic(piece)
            elif piece.isspace():
                piece = " "
            for position, char in enumerate(piece):
                if char == " " and chars and chars[-1] == " ":
                    ends[-1] = end  # runs of whitespace collapse into the space already emitted
                    continue
                chars.append(char)
                starts.append(start)
                ends.append(end)
                first.append(position == 0)
                last.append(position == len(piece) - 1)
        self.text = "".join(chars)
        self._starts, self._ends, self._first, self._last = starts, ends, first, last

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """Original ``(start, end)`` of each non-overlapping occurrence starting and ending on unit bounds."""
        spans = []
        position = self.text.find(needle)
        while position >= 0:
            stop = position + len(needle)
            if self._first[position] and self._last[stop - 1]:
                spans.append((self._starts[position], self._ends[stop - 1]))
                position = self.text.find(needle, stop)
            else:
                position = self.text.find(needle, position + 1)
        return spans


def normalise_text(text: str, *, typographic: bool = True) -> str:
    """The form quotes are compared in: whitespace collapsed and, by default, typography unified.

    >>> normalise_text("\u201cNet\u00a0debt\u201d \u2014\\n\ufb01nal")
    '"Net debt" - final'
    """
    return _NormalisedText(text, typographic=typographic).text.strip()


def _word_chars(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


class _SourceIndex:
    """A source text with its normalised views, built only when a quote is not found exactly."""

    def __init__(self, source: str) -> None:
        self.source = source

    @cached_property
    def _spaces(self) -> _NormalisedText:
        return _NormalisedText(self.source, typographic=False)

    @cached_property
    def _typography(self) -> _NormalisedText:
        return _NormalisedText(self.source, typographic=True)

    def find_all(self, quote: str, *, min_word_chars: int) -> tuple[Span, ...]:
        if not isinstance(quote, str):
            raise InputError(f"a quote must be a string, got {type(quote).__name__}")
        stripped = quote.strip()
        if _word_chars(normalise_text(stripped)) < max(min_word_chars, 1):
            return ()
        exact, position = [], self.source.find(stripped)
        while position >= 0:
            exact.append(Span(position, position + len(stripped), "exact"))
            position = self.source.find(stripped, position + len(stripped))
        if exact:
            return tuple(exact)
        for view, typographic in ((self._spaces, False), (self._typography, True)):
            needle = normalise_text(stripped, typographic=typographic)
            spans = view.find_all(needle)
            if spans:
                return tuple(Span(start, end, "normalised") for start, end in spans)
        return ()


def find_all_quotes(
    source: str, quote: str, *, min_word_chars: int = DEFAULT_MIN_WORD_CHARS
) -> tuple[Span, ...]:
    """Every non-overlapping occurrence of ``quote`` in ``source``, in order, from the first pass finding one.

    >>> [(span.start, span.end) for span in find_all_quotes("net 30; net 30 days", "net 30")]
    [(0, 6), (8, 14)]
    """
    return _SourceIndex(source).find_all(quote, min_word_chars=min_word_chars)


def find_quote(source: str, quote: str, *, min_word_chars: int = DEFAULT_MIN_WORD_CHARS) -> Span | None:
    """The first occurrence of ``quote`` in ``source``, or ``None`` (also for quotes that are too short).

    >>> find_quote("Payment is due within 45 days.", "due within 45 days")
    Span(start=11, end=29, match='exact')
    >>> find_quote("Payment is due within 45 days.", "due within 30 days") is None
    True
    """
    spans = find_all_quotes(source, quote, min_word_chars=min_word_chars)
    return spans[0] if spans else None


@dataclass(frozen=True)
class Evidence:
    """A verbatim passage of the source, ``source[start:end] == quote``, and how the cited quote matched."""

    quote: str
    start: int
    end: int
    match: MatchKind = "exact"

    def __post_init__(self) -> None:
        if self.match not in ("exact", "normalised"):
            raise InputError(f"evidence match must be 'exact' or 'normalised', got {self.match!r}")
        if not _is_int(self.start) or not _is_int(self.end) or not 0 <= self.start < self.end:
            raise InputError(
                f"evidence offsets must be integers with 0 <= start < end, got {self.start}, {self.end}"
            )
        if len(self.quote) != self.end - self.start:
            raise InputError(
                f"evidence quote has {len(self.quote)} characters but spans {self.start}..{self.end}"
            )

    @classmethod
    def from_span(cls, source: str, start: int, end: int) -> "Evidence":
        """Evidence for offsets from a deterministic (extractive) producer; the quote is read from ``source``.

        >>> Evidence.from_span("Net debt / EBITDA below 3.0x", 0, 8)
        Evidence(quote='Net debt', start=0, end=8, match='exact')
        """
        if not _is_int(start) or not _is_int(end) or not 0 <= start < end <= len(source):
            raise InputError(f"evidence offsets {start}..{end} are outside the source (0..{len(source)})")
        return cls(source[start:end], start, end, "exact")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Evidence":
        try:
            return cls(str(data["quote"]), data["start"], data["end"], data.get("match", "exact"))
        except KeyError as exc:
            raise InputError(f"evidence is missing the field {exc.args[0]!r}") from exc

    def matches(self, source: str) -> bool:
        """Whether this evidence still points at its quote in ``source`` (e.g. after the document changed)."""
        return self.end <= len(source) and source[self.start : self.end] == self.quote

    def to_dict(self) -> dict[str, Any]:
        return {"quote": self.quote, "start": self.start, "end": self.end, "match": self.match}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Claim:
    """A generated statement and the verbatim quotes from the source that it cites as support."""

    text: str
    quotes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if isinstance(self.quotes, str):
            raise InputError("a claim's quotes must be a sequence of strings, not one string")
        object.__setattr__(self, "quotes", tuple(self.quotes))


@dataclass(frozen=True)
class VerifiedClaim:
    """A claim after checking: the evidence found for its quotes, the quotes not found, and the verdict."""

    text: str
    quotes: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]
    grounded: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "quotes": list(self.quotes),
            "evidence": [evidence.to_dict() for evidence in self.evidence],
            "missing": list(self.missing),
            "grounded": self.grounded,
        }


@dataclass(frozen=True)
class GroundingReport:
    """Every claim checked against one source; :attr:`verified` holds only those fully grounded."""

    claims: tuple[VerifiedClaim, ...]

    @property
    def verified(self) -> tuple[VerifiedClaim, ...]:
        return tuple(claim for claim in self.claims if claim.grounded)

    @property
    def grounded_share(self) -> float | None:
        """Grounded claims / all claims; ``None`` when there are no claims (no evidence either way)."""
        if not self.claims:
            return None
        return len(self.verified) / len(self.claims)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": [claim.to_dict() for claim in self.claims],
            "n_claims": len(self.claims),
            "n_grounded": len(self.verified),
            "grounded_share": self.grounded_share,
        }


def verify_claims(
    source: str, claims: Sequence[Claim], *, min_word_chars: int = DEFAULT_MIN_WORD_CHARS
) -> GroundingReport:
    """Check each claim's quotes against ``source``; a claim is grounded only if it cites at least one quote
    and every quote is found (the first occurrence becomes its evidence).

    >>> claim = Claim("Fees rise yearly.", ("rise by 2%", "in May"))
    >>> report = verify_claims("Fees rise by 2% each January.", [claim])
    >>> report.claims[0].grounded, report.claims[0].missing
    (False, ('in May',))
    """
    index = _SourceIndex(source)
    checked = []
    for claim in claims:
        if not isinstance(claim, Claim):
            raise InputError(f"expected a Claim, got {type(claim).__name__}")
        evidence, missing = [], []
        for quote in claim.quotes:
            spans = index.find_all(quote, min_word_chars=min_word_chars)
            if spans:
                span = spans[0]
                evidence.append(Evidence(source[span.start : span.end], span.start, span.end, span.match))
            else:
                missing.append(quote)
        grounded = bool(claim.quotes) and not missing
        checked.append(VerifiedClaim(claim.text, claim.quotes, tuple(evidence), tuple(missing), grounded))
    return GroundingReport(tuple(checked))
