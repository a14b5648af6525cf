"""The impact predictor's LLM path: the model's picks are added to the rules' only when their quotes are found.

The model sees the update (as the summariser's LLM path shows it) and the taxonomy's taxes and business lines,
and answers with picks by id, each with a verbatim quote, and a severity with a quote (the ``regwatch_impact``
prompt). Every quote is looked up in the update with :func:`~argentier.core.grounding.find_quote`:

- a pick whose id is not in the taxonomy, or whose quote is not found, is dropped;
- a grounded pick the rules also made keeps the rules' evidence plus the model's quote, with confidence
  ``max(rule confidence, LLM_CONFIDENCE)``; a grounded pick the rules missed is added at ``LLM_CONFIDENCE``
  (a fixed value, not calibrated: review statistics will tell how far to trust it);
- the rules' picks stay even when the model leaves them out (their evidence is already verbatim);
- the model's severity replaces the rule's only when its quote is found; ``severity_rule`` then names the model.

So the LLM can add grounded findings and never removes a grounded one; with no model or a failed call the rules'
prediction is returned as it is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from argentier.core.documents import ParsedDocument
from argentier.core.grounding import Evidence, find_quote
from argentier.core.llm import LLMClient, load_prompt, number_passages
from argentier.errors import ProviderError
from argentier.regwatch.impact import ImpactMatch, ImpactPrediction, Taxonomy, load_taxonomy, predict_impact
from argentier.regwatch.llm_summary import prompt_passages
from argentier.regwatch.summarise import UpdateSummary

__all__ = ["LLM_CONFIDENCE", "ImpactDraft", "predict_impact_with_llm"]

LLM_CONFIDENCE = 0.7


class _Pick(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    quote: str


class ImpactDraft(BaseModel):
    """What the model answers (``regwatch_impact`` prompt)."""

    model_config = ConfigDict(frozen=True)

    taxes: list[_Pick] = []
    business_lines: list[_Pick] = []
    severity: Literal["high", "medium", "low"]
    severity_quote: str | None = None


def _evidence(text: str, quote: str | None) -> Evidence | None:
    span = find_quote(text, quote) if quote and quote.strip() else None
    return Evidence(text[span.start : span.end], span.start, span.end, span.match) if span else None


def _merge(
    text: str, rules: tuple[ImpactMatch, ...], picks: list[_Pick], labels: dict[str, str]
) -> tuple[ImpactMatch, ...]:
    merged = {match.id: match for match in rules}
    for pick in picks:
        evidence = _evidence(text, pick.quote)
        if pick.id not in labels or evidence is None:
            continue
        known = merged.get(pick.id)
        if known is None:
            merged[pick.id] = ImpactMatch(pick.id, labels[pick.id], LLM_CONFIDENCE, (evidence,))
        elif all((e.start, e.end) != (evidence.start, evidence.end) for e in known.evidence):
            items = tuple(sorted((*known.evidence, evidence), key=lambda e: e.start))
            merged[pick.id] = replace(known, confidence=max(known.confidence, LLM_CONFIDENCE), evidence=items)
    return tuple(sorted(merged.values(), key=lambda match: -match.confidence))


def predict_impact_with_llm(
    doc: ParsedDocument,
    client: LLMClient,
    *,
    taxonomy: Taxonomy | None = None,
    summary: UpdateSummary | None = None,
    today: date | None = None,
    jurisdiction: str | None = None,
    max_prompt_chars: int = 12_000,
) -> ImpactPrediction:
    """The rules' :func:`~argentier.regwatch.impact.predict_impact`, improved by the model's grounded picks."""
    taxonomy = taxonomy or load_taxonomy()
    rules = predict_impact(doc, taxonomy=taxonomy, summary=summary, today=today, jurisdiction=jurisdiction)
    if not client.available:
        return rules
    variables = {
        "passages": number_passages(prompt_passages(doc, max_prompt_chars)),
        "taxes": "\n".join(f"{entry.id}: {entry.label}" for entry in taxonomy.taxes),
        "business_lines": "\n".join(f"{entry.id}: {entry.label}" for entry in taxonomy.business_lines),
    }
    try:
        answer = client.complete(load_prompt("regwatch_impact"), variables=variables, schema=ImpactDraft)
    except ProviderError:
        return rules
    draft: ImpactDraft = answer.data
    severity = (rules.severity, rules.severity_rule, rules.severity_evidence)
    quoted = _evidence(doc.text, draft.severity_quote)
    if quoted is not None:
        severity = (draft.severity, f"assessed by {answer.model}", (quoted,))
    return replace(
        rules,
        taxes=_merge(doc.text, rules.taxes, draft.taxes, {e.id: e.label for e in taxonomy.taxes}),
        business_lines=_merge(
            doc.text, rules.business_lines, draft.business_lines, {e.id: e.label for e in taxonomy.business_lines}
        ),
        severity=severity[0],
        severity_rule=severity[1],
        severity_evidence=severity[2],
        model=answer.model,
    )
