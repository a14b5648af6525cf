"""Read a table question: which operation it asks for, which years or columns, which row labels.

Matching is lexical and deterministic: lower-cased word tokens with a light plural stem, a few finance
synonyms, years compared as years ("2 0 1 8" is 2018), and a row label scored by how much of it (weighted by
how rare each word is among the table's labels) the question covers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Intent", "read_intent", "tokens", "years_in", "label_score"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_SPACED_YEAR = re.compile(r"(?<!\d)([12]) ?(\d) ?(\d) ?(\d)(?!\d)")
_FISCAL = re.compile(r"(?<!\d)(19|20)\d\d\s*/\s*(?:19|20)?(\d\d)(?!\d)")
_SHORT_YEAR = re.compile(r"\b(?:FY|F|fiscal\s+)\s?'?(\d{2})\b", re.I)
_RANGE = re.compile(
    r"(?:from|between)\s+(?:fiscal\s+|fy\s?)?((?:19|20)\d\d)\s*(?:-|–|to|through|and)\s*(?:fiscal\s+|fy\s?)?((?:19|20)\d\d)"
    r"|((?:19|20)\d\d)\s*(?:-|–|through)\s*((?:19|20)\d\d)",
    re.I,
)

STOP = frozenset(
    """a an the of in on at for from to and or by as with between during over its their it is was were are be been
    what which how much many did does do company company's group's firm entity year years fiscal fy value amount
    amounts figure figures there that this those these when who whom whose total's respectively given
    change changes percentage percent % average mean ratio proportion difference sum increase decrease growth
    largest smallest highest lowest greatest least more less larger smaller higher lower than compared
    vs versus rate""".split()
)
_SYNONYMS = {
    "revenue": "revenue",
    "revenues": "revenue",
    "sales": "revenue",
    "turnover": "revenue",
    "profit": "income",
    "earnings": "income",
    "income": "income",
    "expenses": "expense",
    "costs": "cost",
    "expenditure": "expense",
    "sga": "sga",
    "amortisation": "amortization",
    "capex": "capital",
}


def years_in(text: str) -> list[str]:
    """The years a text names, in order, spaced-out digits included.

    >>> years_in("from 2018 to 2019"), years_in("December 31 2 0 1 8"), years_in("EBITDA in F19 and FY18")
    (['2018', '2019'], ['2018'], ['2019', '2018'])
    >>> years_in("2017/2018 € million"), years_in("in FY2018/19")
    (['2018'], ['2019'])
    """
    # A fiscal year written across two calendar years ("2018/2019", "2018/19") is named by the later one.
    text = _FISCAL.sub(lambda m: m.group(1) + m.group(2), text)
    found = [m.group(1) for m in _YEAR.finditer(text)]
    found += ["20" + m.group(1) for m in _SHORT_YEAR.finditer(text)]
    if not found:
        found = [
            "".join(m.groups())
            for m in _SPACED_YEAR.finditer(text)
            if "".join(m.groups())[:2] in ("19", "20")
        ]
    return found


def _stem(word: str) -> str:
    word = _SYNONYMS.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str, *, keep_stop: bool = False) -> list[str]:
    """Content words of a text, stemmed, without years.

    >>> tokens("What was the change in Total sales from 2018 to 2019?")
    ['total', 'revenue']
    """
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [
        _stem(w)
        for w in words
        if (keep_stop or w not in STOP) and not _YEAR.fullmatch(w) and not _SHORT_YEAR.fullmatch(w)
    ]


def label_score(question: list[str], label: list[str], weights: dict[str, float]) -> float:
    """Weighted share of the label's words the question contains (1.0: every word of the label is asked)."""
    if not label:
        return 0.0
    asked = set(question)
    total = sum(weights.get(w, 1.0) for w in label)
    hit = sum(weights.get(w, 1.0) for w in label if w in asked)
    return hit / total if total else 0.0


def idf_weights(labels: list[list[str]]) -> dict[str, float]:
    """Words found in many labels ("total", "net") weigh less than rare ones."""
    counts: dict[str, int] = {}
    for label in labels:
        for word in set(label):
            counts[word] = counts.get(word, 0) + 1
    n = max(len(labels), 1)
    return {word: 0.5 + math.log(1 + n / count) for word, count in counts.items()}


@dataclass(frozen=True)
class Intent:
    """What a question asks of a table: ``operation`` and the years it names, in question order."""

    # lookup, change, percent_change, average, average_change, sum, ratio, argmax, argmin, count_years,
    # years_filter, years_list
    operation: str
    years: tuple[str, ...]
    percent: bool  # a ratio asked "as a percentage"
    parts: tuple[str, str] | None = None  # two row phrases: "ratio of A to B", "difference between A and B"
    threshold: float | None = None  # "years ... exceed 8,200": the bound of a years filter
    above: bool = True  # the filter keeps values above (True) or below the threshold


_THRESHOLD = re.compile(
    r"\b(exceed(?:ed|s)?|greater than|more than|above|higher than|larger than|at least|over|"
    r"less than|below|lower than|smaller than|under|at most)\s*[$€£]?\s*(-?\d[\d,]*(?:\.\d+)?)",
    re.I,
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("count_years", re.compile(r"\bhow many (?:fiscal |financial )?years\b", re.I)),
    ("years_filter", re.compile(r"\b(?:which|what|in which|for which)\b.*\b(?:years?|periods?)\b", re.I)),
    (
        "years_list",
        re.compile(
            r"^\s*(?:which|what|in which|for which)\s+(?:financial |fiscal )?(?:years|periods)\b", re.I
        ),
    ),
    (
        "percent_change",
        re.compile(
            r"percentage (?:change|increase|decrease|growth|decline)|percent(?:age)? change|% change|"
            r"growth rate|rate of (?:change|growth|increase)|by what percent|what percent(?:age)? (?:did|was|has)|"
            r"percentage (?:point )?(?:increase|decrease|change)|change \(%\)|\(%\) change",
            re.I,
        ),
    ),
    ("average", re.compile(r"\baverage\b|\bmean\b", re.I)),
    (
        "ratio",
        re.compile(
            r"\bratio\b|\bproportion\b|as a percentage of|what percentage of|percentage of|"
            r"\bportion of\b|\bshare of\b",
            re.I,
        ),
    ),
    (
        "argmax",
        re.compile(
            r"\b(?:which|what) (?:year|period)\b.*\b(?:largest|highest|greatest|most|more|"
            r"larger|higher|greater|maximum|biggest|bigger)\b",
            re.I,
        ),
    ),
    (
        "argmin",
        re.compile(
            r"\b(?:which|what) (?:year|period)\b.*\b(?:smallest|lowest|least|less|fewer|smaller|"
            r"lower|minimum)\b",
            re.I,
        ),
    ),
    (
        "change",
        re.compile(
            r"\bchange\b|\bdifference\b|\bincrease\b|\bdecrease\b|\bdecline\b|\bvariance\b|"
            r"\bgrowth\b|\bgrew\b|\bmovement\b",
            re.I,
        ),
    ),
    ("sum", re.compile(r"\bsum\b|\bcombined\b|\btotal (?:of|amount of)\b|\bin total\b|\baltogether\b", re.I)),
)


_END = r"(?=\s+(?:in|for|as of|at|during|on|of fiscal|of fy)\s+(?:fiscal\s+|fy\s?)?'?\d|\s*\?|\s*$|,)"
_TWO_ROWS: dict[str, tuple[re.Pattern[str], ...]] = {
    "ratio": (
        re.compile(
            r"ratio of (?:the )?(?P<a>.+?) (?:to|over|against|versus|vs\.?) (?:the )?(?P<b>.+?)" + _END, re.I
        ),
        re.compile(
            r"(?P<a>.+?) as an? (?:percentage|proportion|ratio|share|%|fraction) of (?:the )?(?P<b>.+?)"
            + _END,
            re.I,
        ),
        re.compile(
            r"(?:percentage|proportion|share|portion|fraction) of (?:the )?(?P<b>.+?),? (?:is |was |are |were )?"
            r"(?:made up of|represented by|comprised of|attributable to|accounted for by|consist(?:ing|s)? of"
            r"|contributed by) (?:the )?(?P<a>.+?)" + _END,
            re.I,
        ),
        re.compile(
            r"(?:percentage|proportion|share|portion|fraction) of (?:the )?(?P<a>.+?) (?:in|over|to|out of|of|"
            r"among|relative to|within|against|from) (?:the )?(?P<b>.+?)" + _END,
            re.I,
        ),
    ),
    "change": (
        re.compile(r"difference between (?:the )?(?P<a>.+?) and (?:the )?(?P<b>.+?)" + _END, re.I),
        re.compile(
            r"how much (?:more|less|higher|lower|greater)\b.*?\b(?:for |from |in |of )?(?:the )?(?P<a>[^,]+?) "
            r"(?:as )?(?:compared (?:to|with)|than|versus|vs\.?) (?:the |that of )?(?P<b>.+?)" + _END,
            re.I,
        ),
    ),
    "sum": (
        re.compile(
            r"(?:sum|total|combined) (?:amount )?of (?:the )?(?P<a>.+?) and (?:the )?(?P<b>.+?)" + _END, re.I
        ),
    ),
}


def _parts(operation: str, question: str) -> tuple[str, str] | None:
    for pattern in _TWO_ROWS.get(operation, ()):
        match = pattern.search(question)
        if match and tokens(match["a"]) and tokens(match["b"]):
            return match["a"], match["b"]
    return None


def _expand_range(question: str, years: tuple[str, ...]) -> tuple[str, ...]:
    match = _RANGE.search(question)
    if not match:
        return years
    first, last = sorted(int(y) for y in (match.group(1) or match.group(3), match.group(2) or match.group(4)))
    return tuple(str(y) for y in range(last, first - 1, -1)) if last - first <= 10 else years


def read_intent(question: str) -> Intent:
    """The operation and years a question names.

    >>> intent = read_intent("What is the percentage change in Other in 2019 from 2018?")
    >>> intent.operation, intent.years, intent.percent
    ('percent_change', ('2019', '2018'), True)
    >>> read_intent("What is the ratio of total assets to total liabilities in 2019?").parts
    ('total assets', 'total liabilities')
    >>> read_intent("What was the average cost between fiscal years 2017-2019?").years
    ('2019', '2018', '2017')
    >>> read_intent("In which year is the amount of total sales the largest?").operation
    'argmax'
    >>> intent = read_intent("How many years did net sales from Americas exceed $200,000 thousand?")
    >>> intent.operation, intent.threshold, intent.above
    ('count_years', 200000.0, True)
    """
    years = tuple(years_in(question))
    bound = _THRESHOLD.search(question)
    if bound and re.fullmatch(r"(?:19|20)\d\d", bound.group(2)):
        bound = None  # "2019 over 2018" names years, not a bound
    for operation, pattern in _PATTERNS:
        if pattern.search(question):
            if operation in ("count_years", "years_filter"):
                if bound is None:
                    continue
                above = not re.match(r"less|below|lower|smaller|under|at most", bound.group(1), re.I)
                return Intent(operation, years, False, None, float(bound.group(2).replace(",", "")), above)
            if operation == "average" and _PATTERNS[-2][1].search(question) and len(set(years)) >= 2:
                operation = "average_change"  # "the change in the average X between 2017-2018 and 2018-2019"
            if operation in ("average", "sum"):
                years = _expand_range(question, years)
            percent = operation == "percent_change" or bool(re.search(r"percent|%", question, re.I))
            return Intent(operation, years, percent, _parts(operation, question))
    if re.search(r"\btotal\b", question, re.I):
        years = _expand_range(question, years)  # "the total X from 2017 to 2019"
    return Intent("lookup", years, False, _parts("sum", question))
