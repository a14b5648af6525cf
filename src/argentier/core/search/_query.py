"""Turning a user's question into keyword-search terms."""

from __future__ import annotations

import math
import re

# Function words that match most chunks, add nothing to BM25 and make full-text queries slow.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves""".split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """Lower-cased distinct words of ``query`` without stopwords (all words if nothing else is left).

    >>> query_terms("What was the change in operating income?")
    ['change', 'operating', 'income']
    """
    words = [word.lower() for word in _WORD.findall(query)]
    kept = [word for word in words if word not in STOPWORDS] or words
    return list(dict.fromkeys(kept))


def bm25_idf(document_frequency: int, total: int) -> float:
    """BM25's inverse document frequency, never negative.

    >>> round(bm25_idf(1, 100), 3), round(bm25_idf(90, 100), 3)
    (4.21, 0.11)
    """
    return math.log(1.0 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def keep_rare_terms(frequencies: dict[str, int], cap: int, *, max_terms: int | None = None) -> list[str]:
    """The query terms worth searching for: those found in at most ``cap`` chunks, at most ``max_terms`` of
    them (the rarest, in query order); if no term is that rare, the single rarest term.

    Common terms carry almost no weight but make a full-text index score most of its rows (rare-term-first,
    as in Lucene's pruning, in its simplest form); long questions are cut to their most telling words, as
    Lucene's MoreLikeThis does. Terms that match nothing are kept: they cost nothing.

    >>> keep_rare_terms({"agreement": 5000, "indemnify": 12}, cap=1000)
    ['indemnify']
    >>> keep_rare_terms({"agreement": 5000, "party": 4000}, cap=1000)
    ['party']
    >>> keep_rare_terms({"a": 5, "b": 1, "c": 3}, cap=10, max_terms=2)
    ['b', 'c']
    """
    if not frequencies:
        return []
    rare = [term for term, count in frequencies.items() if count <= cap]
    if not rare:
        return [min(frequencies, key=frequencies.__getitem__)]
    if max_terms is not None and len(rare) > max_terms:
        keep = set(sorted(rare, key=lambda term: (frequencies[term], rare.index(term)))[:max_terms])
        rare = [term for term in rare if term in keep]
    return rare
