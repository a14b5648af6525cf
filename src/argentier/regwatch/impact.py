"""Deterministic impact prediction for regulatory updates: which taxes and business lines, and how severe.

The rules live in a TOML taxonomy the team edits (the default ships as ``argentier/regwatch/taxonomy.toml``;
:func:`load_taxonomy` reads it or a user file). Every tax and business line lists English and French keywords;
each sentence that mentions one becomes evidence, an exact slice of the document text.

Confidence of an entry: ``score`` = 3 if it matches the *title* (the document title, a section heading or a
leading line without final punctuation) + 2 per matching sentence of the *lead* (the first paragraph after
the title) + 1 per other matching sentence; ``confidence = 1 - exp(-score / 2)``, so one body sentence gives
0.39 and the title alone 0.78.

Severity: the first rule that fires decides (``severity_rule`` names it):

- high ``rate change``: a sentence matches a ``rate_change`` pattern ("the VAT rate falls from 20% to 5.5%");
- high ``penalties``: a sentence matches a ``penalty`` pattern ("fines", "amendes");
- high ``obligation within N days``: the update imposes an obligation (a modal such as "must" or "doivent",
  or an ``obligation`` pattern such as "obligatoire") and its effective date (else its first deadline) is at
  most ``imminent_days`` (default 180) after the publication date, else after ``today``;
- medium ``obligation later than N days`` / ``obligation without a date``;
- medium ``consultation closing within N days``: a ``consultation`` pattern and a deadline at most
  ``consultation_days`` (default 60) ahead;
- low ``informational``.

>>> from argentier.core.documents import parse_text
>>> doc = parse_text("Reduced VAT for e-books\\n\\nFrom 1 March 2027 the VAT rate on e-books falls to 5.5%.")
>>> impact = predict_impact(doc, today=date(2027, 1, 1))
>>> [t.id for t in impact.taxes], [b.id for b in impact.business_lines], impact.severity, impact.severity_rule
(['vat'], ['digital-content'], 'high', 'rate change')
>>> impact.effective_date, impact.taxes[0].confidence
('2027-03-01', 0.918)
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from argentier.core.documents import ParsedDocument
from argentier.core.grounding import Evidence
from argentier.errors import InputError
from argentier.regwatch.summarise import UpdateSummary, summarise_document

__all__ = ["ImpactMatch", "ImpactPrediction", "Taxonomy", "TaxonomyEntry", "load_taxonomy", "predict_impact"]

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PATTERN_KEYS = ("rate_change", "penalty", "obligation", "consultation")
_TITLE_WEIGHT, _LEAD_WEIGHT, _BODY_WEIGHT = 3, 2, 1
_CONFIDENCE_SCALE = 2.0
_HEADING_MAX_WORDS = 20


@dataclass(frozen=True)
class TaxonomyEntry:
    """A tax or business line: ``id``, ``label`` and its keywords compiled into one ``pattern``."""

    id: str
    label: str
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Taxonomy:
    """Validated taxonomy: entries, severity thresholds (days) and severity patterns (compiled, per rule)."""

    taxes: tuple[TaxonomyEntry, ...]
    business_lines: tuple[TaxonomyEntry, ...]
    imminent_days: int
    consultation_days: int
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    version: str
    source: str


@dataclass(frozen=True)
class ImpactMatch:
    """One tax or business line the update concerns, with its confidence and the sentences that mention it."""

    id: str
    label: str
    confidence: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "confidence": self.confidence,
            "evidence": [item.to_dict() for item in self.evidence],
        }


@dataclass(frozen=True)
class ImpactPrediction:
    """The predicted impact of one update; ``severity_evidence`` are the sentences that fired the rule."""

    taxes: tuple[ImpactMatch, ...]
    business_lines: tuple[ImpactMatch, ...]
    severity: str
    severity_rule: str
    severity_evidence: tuple[Evidence, ...]
    effective_date: str | None
    jurisdiction: str | None
    taxonomy_version: str
    model: str | None = None  # the LLM that added grounded picks (argentier.regwatch.llm_impact), if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "taxes": [match.to_dict() for match in self.taxes],
            "business_lines": [match.to_dict() for match in self.business_lines],
            "severity": self.severity,
            "severity_rule": self.severity_rule,
            "severity_evidence": [item.to_dict() for item in self.severity_evidence],
            "effective_date": self.effective_date,
            "jurisdiction": self.jurisdiction,
            "taxonomy_version": self.taxonomy_version,
            "model": self.model,
        }


# -- taxonomy -----------------------------------------------------------------------------------------------


def _keyword_regex(keyword: str) -> str:
    body = re.escape(keyword.strip())
    body = re.sub(r"(?:\\ )+|\s+", r"\\s+", body).replace("'", "['’]")
    body = rf"(?<!\w){body}(?:s|x)?(?!\w)"
    # Acronyms ("VAT", "TVA") are case-sensitive so that ordinary words never match them.
    return body if keyword.isupper() else f"(?i:{body})"


def _entries(data: dict[str, Any], key: str, source: str) -> tuple[TaxonomyEntry, ...]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise InputError(f"'{key}' must be a non-empty array of tables ([[{key}]])", source=source)
    entries, seen = [], set()
    for number, item in enumerate(items, 1):
        where = f"{key} entry {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be a table", source=source)
        unknown = set(item) - {"id", "label", "keywords"}
        if unknown:
            raise InputError(f"{where} has unknown field(s) {sorted(unknown)}", source=source)
        entry_id, label, keywords = item.get("id"), item.get("label"), item.get("keywords")
        if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
            raise InputError(
                f"{where} needs an 'id' of lower-case letters, digits, '_' or '-'", source=source
            )
        if entry_id in seen:
            raise InputError(f"{where}: duplicate id {entry_id!r}", source=source)
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{where} ({entry_id}) needs a non-empty 'label'", source=source)
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(word, str) and word.strip() for word in keywords)
        ):
            raise InputError(
                f"{where} ({entry_id}) needs 'keywords', a list of non-empty strings", source=source
            )
        seen.add(entry_id)
        pattern = re.compile("|".join(_keyword_regex(word) for word in keywords))
        entries.append(TaxonomyEntry(entry_id, label.strip(), tuple(keywords), pattern))
    return tuple(entries)


def _days(severity: dict[str, Any], key: str, default: int, source: str) -> int:
    value = severity.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"severity.{key} must be a whole number of days >= 0, got {value!r}", source=source)
    return value


def _parse_taxonomy(data: dict[str, Any], source: str) -> Taxonomy:
    unknown = set(data) - {"version", "severity", "taxes", "business_lines"}
    if unknown:
        raise InputError(f"unknown top-level key(s) {sorted(unknown)}", source=source)
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise InputError("'severity' must be a table", source=source)
    unknown = set(severity) - {"imminent_days", "consultation_days", *_PATTERN_KEYS}
    if unknown:
        raise InputError(f"unknown severity key(s) {sorted(unknown)}", source=source)
    patterns = {}
    for key in _PATTERN_KEYS:
        values = severity.get(key, [])
        if not isinstance(values, list) or not all(isinstance(value, str) and value for value in values):
            raise InputError(f"severity.{key} must be a list of regular expressions", source=source)
        compiled = []
        for value in values:
            try:
                compiled.append(re.compile(value, re.IGNORECASE))
            except re.error as exc:
                raise InputError(f"severity.{key}: invalid pattern {value!r}: {exc}", source=source) from None
        patterns[key] = tuple(compiled)
    return Taxonomy(
        taxes=_entries(data, "taxes", source),
        business_lines=_entries(data, "business_lines", source),
        imminent_days=_days(severity, "imminent_days", 180, source),
        consultation_days=_days(severity, "consultation_days", 60, source),
        patterns=patterns,
        version=str(data.get("version", "")),
        source=source,
    )


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    text = resources.files("argentier.regwatch").joinpath("taxonomy.toml").read_text(encoding="utf-8")
    return _parse_taxonomy(tomllib.loads(text), "argentier/regwatch/taxonomy.toml")


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The shipped taxonomy, or the one in the TOML file ``path``; :class:`InputError` names what is wrong.

    >>> taxonomy = load_taxonomy()
    >>> taxonomy.imminent_days, "vat" in [entry.id for entry in taxonomy.taxes]
    (180, True)
    """
    if path is None:
        return _default_taxonomy()
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the taxonomy: {exc.strerror or exc}", source=source) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from None
    return _parse_taxonomy(data, source)


# -- prediction ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    weight: int


def _sentences(doc: ParsedDocument) -> list[_Sentence]:
    """Sentence spans (trimmed) weighted by position: title 3, lead paragraph 2, the rest 1."""
    text = doc.text
    headings = {node.title.strip() for node in doc.nodes("section") if node.title}
    paragraphs = [node for node in doc.nodes("paragraph") if text[node.start : node.end].strip()]
    first = paragraphs[0] if paragraphs else None
    lead = None
    if first is not None:
        line = text[first.start : first.end].strip()
        # Plain-text notices carry their title as a leading line without final punctuation.
        if (
            "\n" not in line
            and not line.endswith((".", "!", "?", ";", ":"))
            and len(line.split()) <= _HEADING_MAX_WORDS
        ):
            headings.add(line)
            lead = paragraphs[1] if len(paragraphs) > 1 else None
        else:
            lead = first
    spans = []
    for node in doc.nodes("sentence"):
        raw = text[node.start : node.end]
        stripped = raw.strip()
        if not stripped:
            continue
        start = node.start + len(raw) - len(raw.lstrip())
        if stripped in headings:
            weight = _TITLE_WEIGHT
        elif lead is not None and lead.start <= start < lead.end:
            weight = _LEAD_WEIGHT
        else:
            weight = _BODY_WEIGHT
        spans.append(_Sentence(start, start + len(stripped), weight))
    if not spans and text.strip():
        start = len(text) - len(text.lstrip())
        spans.append(_Sentence(start, len(text.rstrip()), _BODY_WEIGHT))
    return spans


def _match_entries(
    doc: ParsedDocument, sentences: list[_Sentence], entries: tuple[TaxonomyEntry, ...]
) -> tuple[ImpactMatch, ...]:
    matches = []
    for order, entry in enumerate(entries):
        hits = [s for s in sentences if entry.pattern.search(doc.text, s.start, s.end)]
        title_hit = any(s.weight == _TITLE_WEIGHT for s in hits) or bool(
            doc.title and entry.pattern.search(doc.title)
        )
        score = _TITLE_WEIGHT * title_hit + sum(s.weight for s in hits if s.weight != _TITLE_WEIGHT)
        if score:
            confidence = round(1.0 - math.exp(-score / _CONFIDENCE_SCALE), 3)
            evidence = tuple(Evidence.from_span(doc.text, s.start, s.end) for s in hits)
            matches.append((-confidence, order, ImpactMatch(entry.id, entry.label, confidence, evidence)))
    return tuple(match for *_, match in sorted(matches, key=lambda item: item[:2]))


def _firing(
    doc: ParsedDocument, sentences: list[_Sentence], patterns: tuple[re.Pattern[str], ...]
) -> list[_Sentence]:
    return [s for s in sentences if any(p.search(doc.text, s.start, s.end) for p in patterns)]


def _severity(
    doc: ParsedDocument,
    sentences: list[_Sentence],
    summary: UpdateSummary,
    taxonomy: Taxonomy,
    today: date | None,
) -> tuple[str, str, list[_Sentence]]:
    patterns = taxonomy.patterns
    rate = _firing(doc, sentences, patterns["rate_change"])
    if rate:
        return "high", "rate change", rate
    penalties = _firing(doc, sentences, patterns["penalty"])
    if penalties:
        return "high", "penalties", penalties
    dates = summary.dates
    published = dates.get("published")
    reference = date.fromisoformat(published) if published else (today or date.today())
    deadlines = sorted(dates.get("deadlines") or [])
    duty_spans = {(o.start, o.end) for o in summary.obligations}
    mandates = set(_firing(doc, sentences, patterns["obligation"]))
    duties = [s for s in sentences if (s.start, s.end) in duty_spans or s in mandates]
    when = dates.get("effective") or (deadlines[0] if deadlines else None)
    if duties:
        days = taxonomy.imminent_days
        if when is None:
            return "medium", "obligation without a date", duties
        if (date.fromisoformat(when) - reference).days <= days:
            return "high", f"obligation within {days} days", duties
        return "medium", f"obligation later than {days} days", duties
    consultation = _firing(doc, sentences, patterns["consultation"])
    if consultation and any(
        0 <= (date.fromisoformat(deadline) - reference).days <= taxonomy.consultation_days
        for deadline in deadlines
    ):
        return "medium", f"consultation closing within {taxonomy.consultation_days} days", consultation
    return "low", "informational", []


def predict_impact(
    doc: ParsedDocument,
    *,
    taxonomy: Taxonomy | None = None,
    summary: UpdateSummary | None = None,
    today: date | None = None,
    jurisdiction: str | None = None,
) -> ImpactPrediction:
    """Predict which taxes and business lines ``doc`` affects and how severely (rules in the module docstring).

    ``summary`` supplies the dates and obligations (the summariser runs when it is not given); ``today`` is
    the reference date when the update states no publication date (default: the current date).

    >>> from argentier.core.documents import parse_text
    >>> doc = parse_text("La facturation électronique est obligatoire à compter du 1er septembre 2026.")
    >>> impact = predict_impact(doc, today=date(2026, 6, 1), jurisdiction="FR")
    >>> [t.id for t in impact.taxes], impact.severity, impact.severity_rule, impact.jurisdiction
    (['e-invoicing'], 'high', 'obligation within 180 days', 'FR')
    """
    taxonomy = taxonomy or load_taxonomy()
    summary = summary or summarise_document(doc)
    sentences = _sentences(doc)
    severity, rule, fired = _severity(doc, sentences, summary, taxonomy, today)
    return ImpactPrediction(
        taxes=_match_entries(doc, sentences, taxonomy.taxes),
        business_lines=_match_entries(doc, sentences, taxonomy.business_lines),
        severity=severity,
        severity_rule=rule,
        severity_evidence=tuple(Evidence.from_span(doc.text, s.start, s.end) for s in fired),
        effective_date=summary.dates.get("effective"),
        jurisdiction=jurisdiction,
        taxonomy_version=taxonomy.version,
    )
