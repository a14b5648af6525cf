"""The summariser's LLM path: abstractive statements, each kept only if its quotes are found in the update.

The model sees the update as numbered passages (all of it when it fits ``max_prompt_chars``, else the
sentences the extractive summariser ranks highest, in document order) and answers with a title and statements
that cite verbatim quotes (the ``regwatch_summary`` prompt). :meth:`LLMClient.complete` checks every quote
against the update's own text, so each kept statement carries evidence with offsets into it; statements with
a quote that is not found are dropped. The title is kept only when its distinctive words, and every number
in it, occur in the update.

The LLM never makes a summary less grounded than the extractive one: with no LLM configured, a failed call,
or no statement grounded, the extractive summary is returned (``note`` says why). Dates and obligations always
come from the deterministic extractors, which quote the text.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from argentier.core.documents import ParsedDocument
from argentier.core.llm import GroundedClaim, LLMClient, load_prompt, number_passages
from argentier.errors import ProviderError
from argentier.regwatch.grouping import distinctive_terms
from argentier.regwatch.summarise import UpdateSummary, _mmr_order, _spans, summarise_document

__all__ = ["SummaryDraft", "prompt_passages", "summarise_with_llm", "title_is_supported"]

_LANGUAGES = {"en": "English", "fr": "French"}


class SummaryDraft(BaseModel):
    """What the model answers: a title and statements with their quotes (``regwatch_summary`` prompt)."""

    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1)
    claims: list[GroundedClaim]


def prompt_passages(doc: ParsedDocument, budget: int) -> list[str]:
    """The update as passages for the prompt: its paragraphs if it fits ``budget`` characters, else its best
    sentences (extractive order) up to the budget, in document order."""
    text = doc.text
    if len(text) <= budget:
        return [part.strip() for part in text.split("\n\n") if part.strip()]
    spans = _spans(doc)
    chosen, used = [], 0
    for index in _mmr_order([text[start:end] for start, end in spans]):
        start, end = spans[index]
        if used + (end - start) > budget:
            continue
        chosen.append(index)
        used += end - start
    return [text[slice(*spans[index])].strip() for index in sorted(chosen)]


def title_is_supported(title: str, text: str) -> bool:
    """Whether a generated title says nothing the text does not: every number in it and at least half its
    distinctive words occur in ``text``.

    >>> title_is_supported("VAT on e-books falls to 5.5%", "From 2027 VAT on e-books falls to 5.5%.")
    True
    >>> title_is_supported("VAT on e-books falls to 5%", "From 2027 VAT on e-books falls to 5.5%.")
    False
    """
    words, known = distinctive_terms(title), distinctive_terms(text)
    numbers = {word for word in words if any(ch.isdigit() for ch in word)}
    return bool(words) and numbers <= known and 2 * len(words & known) >= len(words)


def summarise_with_llm(
    doc: ParsedDocument,
    client: LLMClient,
    *,
    max_words: int = 250,
    title_words: int = 15,
    language: str | None = None,
    max_statements: int = 8,
    max_prompt_chars: int = 12_000,
) -> UpdateSummary:
    """Summarise ``doc`` with the model behind ``client``; every statement is grounded in ``doc.text``.

    Falls back to :func:`~argentier.regwatch.summarise.summarise_document` (same limits) when the client has no
    model, the call fails or no statement is grounded.
    """
    extractive = summarise_document(doc, max_words=max_words, title_words=title_words, language=language)
    if not client.available:
        return extractive
    variables = {
        "passages": number_passages(prompt_passages(doc, max_prompt_chars)),
        "title_words": title_words,
        "max_statements": max_statements,
        "max_words": max_words,
        "language": _LANGUAGES.get(extractive.language, "the language of the passages"),
    }
    try:
        completion = client.complete(
            load_prompt("regwatch_summary"),
            variables=variables,
            schema=SummaryDraft,
            grounding_passages=[doc.text],
            # Statements plus their quotes, as JSON: a bound keeps a rambling model from running for minutes.
            max_tokens=min(client.max_tokens, 200 + 4 * max_words),
        )
    except ProviderError as error:
        return _fallback(extractive, f"LLM call failed, extractive summary used: {error}")
    statements, words = [], 0
    for claim in completion.grounding.verified:
        size = len(claim.text.split())
        if words + size > max_words:
            break
        statements.append(claim)
        words += size
    if not statements:
        return _fallback(extractive, "no generated statement was grounded in the text; extractive summary used")
    evidence = {(e.start, e.end): e for claim in statements for e in claim.evidence}
    title = " ".join(completion.data.title.split())
    if len(title.split()) > title_words or not title_is_supported(title, doc.text):
        title = extractive.title
    return UpdateSummary(
        title=title,
        summary=" ".join(" ".join(claim.text.split()) for claim in statements),
        sentences=tuple(evidence[key] for key in sorted(evidence)),
        dates=extractive.dates,
        obligations=extractive.obligations,
        language=extractive.language,
        method="llm",
        statements=tuple(statements),
        model=completion.model,
        note=None,
    )


def _fallback(extractive: UpdateSummary, note: str) -> UpdateSummary:
    return replace(extractive, note=note)
