"""Playbooks: a legal team's positions per clause type, checked against a contract's clauses and key terms.

A playbook is a YAML or TOML file with a ``name`` and a list of ``rules``. Each rule names a CUAD
``category`` (or a key ``term``), a ``check``, the ``preferred`` position and an optional ``fallback``, plus
who approves a deviation (``approver``) and a ``severity`` (low, medium, high, critical). Checks:

- ``present``: the clause must be there (missing otherwise); ``absent``: it must not be (a red line);
- ``one_of``: the term's value (e.g. governing law) is in ``preferred`` (compliant) or ``fallback``;
- ``max_days`` / ``min_days``: a duration term or the first duration in the clause, compared with
  ``preferred`` then ``fallback`` (a number of days; months count as 30 days);
- ``min_months_of_fees``: a liability cap expressed as N months of fees, at least ``preferred`` / ``fallback``.

Each rule gives one outcome: compliant / fallback / deviation / missing, with the quote and a plain-language
explanation. ``argentier/contracts/models/example_playbook.yaml`` is a worked example.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argentier.contracts._categories import validate_category
from argentier.contracts._dates import find_durations
from argentier.contracts._model import ClauseMatch
from argentier.contracts._terms import TERM_NAMES, KeyTerm
from argentier.errors import InputError

__all__ = [
    "EXAMPLE_PLAYBOOK",
    "Playbook",
    "PlaybookResult",
    "PlaybookRule",
    "check_playbook",
    "load_playbook",
]

EXAMPLE_PLAYBOOK = Path(__file__).with_name("models") / "example_playbook.yaml"
_CHECKS = ("present", "absent", "one_of", "max_days", "min_days", "min_months_of_fees")
_SEVERITIES = ("low", "medium", "high", "critical")
_FEES = re.compile(r"fees|amounts? (?:paid|payable)|payments?|charges|compensation", re.IGNORECASE)


@dataclass(frozen=True)
class PlaybookRule:
    """One position of the playbook (see the module docstring for the fields)."""

    id: str
    check: str
    category: str | None = None
    term: str | None = None
    title: str = ""
    preferred: Any = None
    fallback: Any = None
    severity: str = "medium"
    approver: str | None = None
    min_score: float = 0.5


@dataclass(frozen=True)
class Playbook:
    name: str
    rules: tuple[PlaybookRule, ...]


@dataclass(frozen=True)
class PlaybookResult:
    """The outcome of one rule on one contract, with the quote it rests on (``None`` when missing)."""

    rule: str
    title: str
    outcome: str
    explanation: str
    severity: str
    approver: str | None
    text: str | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "outcome": self.outcome,
            "explanation": self.explanation,
            "severity": self.severity,
            "approver": self.approver,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


def _rule(data: Any, number: int, source: str) -> PlaybookRule:
    where = f"rule {number}"
    if not isinstance(data, Mapping):
        raise InputError(f"{where} must be a table/mapping", source=source)
    unknown = set(data) - set(PlaybookRule.__dataclass_fields__)
    if unknown:
        raise InputError(f"{where} has unknown field(s) {sorted(unknown)}", source=source)
    rule_id = str(data.get("id") or f"rule-{number}")
    check = data.get("check")
    if check not in _CHECKS:
        raise InputError(
            f"{where} ({rule_id}): check must be one of {list(_CHECKS)}, got {check!r}", source=source
        )
    category, term = data.get("category"), data.get("term")
    if (category is None) == (term is None):
        raise InputError(f"{where} ({rule_id}): give exactly one of 'category' or 'term'", source=source)
    if category is not None:
        try:
            validate_category(str(category))
        except InputError as exc:
            raise InputError(f"{where} ({rule_id}): {exc}", source=source) from None
    if term is not None and term not in TERM_NAMES:
        raise InputError(f"{where} ({rule_id}): term must be one of {list(TERM_NAMES)}", source=source)
    severity = data.get("severity", "medium")
    if severity not in _SEVERITIES:
        raise InputError(f"{where} ({rule_id}): severity must be one of {list(_SEVERITIES)}", source=source)
    preferred, fallback = data.get("preferred"), data.get("fallback")
    if check == "one_of" and not isinstance(preferred, list):
        raise InputError(f"{where} ({rule_id}): one_of needs a list 'preferred'", source=source)
    if check in ("max_days", "min_days", "min_months_of_fees"):
        for label, value in (("preferred", preferred), ("fallback", fallback)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise InputError(f"{where} ({rule_id}): {label} must be a number", source=source)
        if preferred is None:
            raise InputError(f"{where} ({rule_id}): {check} needs a number 'preferred'", source=source)
    return PlaybookRule(
        rule_id,
        check,
        category,
        term,
        str(data.get("title", rule_id)),
        preferred,
        fallback,
        severity,
        data.get("approver"),
        float(data.get("min_score", 0.5)),
    )


def load_playbook(path: str | Path) -> Playbook:
    """Read a YAML (``.yaml``/``.yml``) or TOML playbook; any problem is an :class:`InputError` naming it.

    >>> playbook = load_playbook(EXAMPLE_PLAYBOOK)
    >>> playbook.rules[0].id, playbook.rules[0].check
    ('governing-law', 'one_of')
    """
    path = Path(path)
    source = str(path)
    if path.suffix.lower() not in (".toml", ".yaml", ".yml"):
        raise InputError("a playbook must be a .yaml, .yml or .toml file", source=source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the playbook: {exc.strerror}", source=source) from exc
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            import yaml

            data = yaml.safe_load(raw)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from exc
    except Exception as exc:  # yaml.YAMLError and friends: report in one line
        if isinstance(exc, InputError):
            raise
        raise InputError(f"not valid YAML: {str(exc).splitlines()[0]}", source=source) from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise InputError("a playbook needs a non-empty list 'rules'", source=source)
    rules = tuple(_rule(item, number, source) for number, item in enumerate(data["rules"], start=1))
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise InputError("rule ids must be unique", source=source)
    return Playbook(str(data.get("name", path.stem)), rules)


def _days(number: int, unit: str) -> int:
    return number * 30 if unit == "months" else number


def _grade(value: float, rule: PlaybookRule, higher_is_better: bool) -> str:
    def ok(limit: float) -> bool:
        return value >= limit if higher_is_better else value <= limit

    if ok(rule.preferred):
        return "compliant"
    if rule.fallback is not None and ok(rule.fallback):
        return "fallback"
    return "deviation"


def _evidence(
    rule: PlaybookRule, clauses: Sequence[ClauseMatch], terms: Mapping[str, Any]
) -> ClauseMatch | KeyTerm | None:
    if rule.term is not None:
        term = terms.get(rule.term)
        return term[0] if isinstance(term, list) and term else (term or None)
    return max(
        (c for c in clauses if c.category == rule.category and c.score >= rule.min_score),
        key=lambda c: c.score,
        default=None,
    )


def _check(rule: PlaybookRule, found: ClauseMatch | KeyTerm | None) -> tuple[str, str]:
    subject = rule.category or rule.term.replace("_", " ")
    if rule.check == "absent":
        if found is None:
            return "compliant", f"No {subject} clause was found, as the playbook requires."
        return "deviation", f"The contract has a {subject} clause, which the playbook does not allow."
    if found is None:
        return "missing", f"No {subject} clause was found; the playbook expects one."
    if rule.check == "present":
        return "compliant", f"The contract has the required {subject} clause."
    if rule.check == "one_of":
        value = found.value if isinstance(found, KeyTerm) else None
        if value is None:
            return "deviation", f"The {subject} could not be read from the quoted clause; check it by hand."
        allowed = [str(v).lower() for v in rule.preferred]
        if str(value).lower() in allowed:
            return "compliant", f"{subject.capitalize()} is {value}, a preferred choice."
        if rule.fallback and str(value).lower() in [str(v).lower() for v in rule.fallback]:
            return (
                "fallback",
                (
                    f"{subject.capitalize()} is {value}: an acceptable fallback, not the preferred "
                    f"{', '.join(map(str, rule.preferred))}."
                ),
            )
        return (
            "deviation",
            (
                f"{subject.capitalize()} is {value}, outside the allowed list "
                f"({', '.join(map(str, [*rule.preferred, *(rule.fallback or [])]))})."
            ),
        )
    if rule.check in ("max_days", "min_days"):
        if isinstance(found, KeyTerm) and isinstance(found.value, int) and found.unit:
            days = _days(found.value, found.unit)
        else:
            durations = find_durations(found.text)
            if not durations:
                return (
                    "deviation",
                    f"The {subject} clause states no period the playbook can compare; check it.",
                )
            days = _days(durations[0][0], durations[0][1])
        higher = rule.check == "min_days"
        outcome = _grade(days, rule, higher)
        bound = "at least" if higher else "at most"
        return (
            outcome,
            f"The {subject} is {days} days; the playbook prefers {bound} {rule.preferred} days"
            + (f" and accepts {bound} {rule.fallback}." if rule.fallback is not None else "."),
        )
    months = [
        n
        for n, unit, start, end in find_durations(found.text)
        if unit == "months" and _FEES.search(found.text, max(start - 80, 0), end + 80)
    ]
    if not months:
        return (
            "deviation",
            "The liability cap is not expressed as months of fees; compare the amount by hand.",
        )
    outcome = _grade(max(months), rule, higher_is_better=True)
    return (
        outcome,
        f"Liability is capped at {max(months)} months of fees; the playbook prefers at least "
        f"{rule.preferred}" + (f" and accepts {rule.fallback}." if rule.fallback is not None else "."),
    )


def check_playbook(
    playbook: Playbook, clauses: Sequence[ClauseMatch], terms: Mapping[str, Any]
) -> list[PlaybookResult]:
    """One :class:`PlaybookResult` per rule, in playbook order.

    >>> rule = PlaybookRule("no-excl", "absent", category="Exclusivity", severity="high")
    >>> clause = ClauseMatch("Exclusivity", "Distributor shall be the exclusive seller.", 0, 42, 0.9)
    >>> check_playbook(Playbook("p", (rule,)), [clause], {})[0].outcome
    'deviation'
    """
    results = []
    for rule in playbook.rules:
        found = _evidence(rule, clauses, terms)
        outcome, explanation = _check(rule, found)
        if outcome == "deviation" and rule.approver:
            explanation += f" Approval needed from {rule.approver}."
        results.append(
            PlaybookResult(
                rule.id,
                rule.title,
                outcome,
                explanation,
                rule.severity,
                rule.approver,
                found.text if found else None,
                found.start if found else None,
                found.end if found else None,
            )
        )
    return results
