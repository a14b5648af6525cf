"""Does a predicted answer give the gold answer? Exact, numeric (with scale words and percentages) or contains.

>>> match_answer("The payroll is released by two people.", "two people")
'contains'
>>> match_answer("Revenue rose to 1.2 billion", "1,200 million")
'numeric'
>>> match_answer("-0.56", "-0.56")
'exact'
>>> match_answer("12.5%", "12.50 %")
'numeric'
>>> match_answer("Refunds are paid on Thursday.", "Friday") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, Sequence

__all__ = ["MatchKind", "match_answer", "normalise_answer", "numbers_in"]

MatchKind = Literal["exact", "numeric", "contains"]

_SCALES = {
    "thousand": 1e3, "thousands": 1e3, "k": 1e3,
    "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,
}
_NUMBER = re.compile(
    r"(?P<neg>[-\u2212(])?\s*(?:[$€£]|eur|usd|gbp)?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\)?\s*(?P<pct>%|percent\b)?"
    r"\s*(?P<scale>thousands?|millions?|billions?|bn|mn|m|k|b)?\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+)*|%", re.UNICODE)
_ARTICLES = frozenset({"a", "an", "the"})


def normalise_answer(text: str) -> list[str]:
    """Lower-cased word and number tokens without articles; thousands separators removed, ``%`` kept.

    >>> normalise_answer("The EUR 1,500 threshold (12.5 %)")
    ['eur', '1500', 'threshold', '12.5', '%']
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2212", "-")
    tokens = []
    for token in _TOKEN.findall(text):
        if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", token):
            token = token.replace(",", "")
        if token not in _ARTICLES:
            tokens.append(token)
    return tokens


def numbers_in(text: str) -> list[tuple[float, float, int]]:
    """Every number in ``text`` as ``(as written, times its scale word, decimals)``; ``(1,234)`` is negative.

    >>> numbers_in("$1,496.5 million and (3.2)%")
    [(1496.5, 1496500000.0, 1), (-3.2, -3.2, 1)]
    """
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        if match.group("neg"):
            value = -value
        scale = _SCALES.get((match.group("scale") or "").lower(), 1.0)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        found.append((value, value * scale, decimals))
    return found


def _close(predicted: float, gold: float, decimals: int | None) -> bool:
    """Equal up to float noise, or equal once the prediction is rounded to the gold's decimals."""
    if abs(predicted - gold) <= max(1e-9, 1e-6 * abs(gold)):
        return True
    return decimals is not None and round(predicted, decimals) == gold


def _mostly_number(gold: str) -> bool:
    rest = _NUMBER.sub(" ", gold.lower())
    return len(normalise_answer(rest)) <= 1


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    width = len(needle)
    return any(list(haystack[index : index + width]) == list(needle) for index in range(len(haystack) - width + 1))


def match_answer(predicted: str, gold: str) -> MatchKind | None:
    """How ``predicted`` gives ``gold``: ``exact`` (same tokens), ``numeric`` (a number equal to the gold's once
    rounded to the gold's decimals, or equal with both scale words applied), ``contains`` (the gold's tokens
    appear in order), or ``None``."""
    predicted_tokens, gold_tokens = normalise_answer(predicted), normalise_answer(gold)
    if not gold_tokens:
        return None
    if predicted_tokens == gold_tokens:
        return "exact"
    gold_numbers = numbers_in(gold)
    if gold_numbers and _mostly_number(gold):
        gold_raw, gold_scaled, decimals = gold_numbers[0]
        for raw, scaled, _ in numbers_in(predicted):
            if _close(raw, gold_raw, decimals) or _close(scaled, gold_scaled, None):
                return "numeric"
    if _contains(predicted_tokens, gold_tokens):
        return "contains"
    return None
