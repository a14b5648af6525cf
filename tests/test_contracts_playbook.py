"""Playbooks: loading YAML and TOML with clear errors, and the four outcomes with quotes and explanations."""

import pytest

from argentier.contracts import EXAMPLE_PLAYBOOK, ClauseMatch, check_playbook, extract_terms, load_playbook
from argentier.core.documents import parse_text
from argentier.errors import InputError

TOML = """
name = "t"
[[rules]]
id = "law"
term = "governing_law"
check = "one_of"
preferred = ["Delaware"]
fallback = ["Texas"]
approver = "GC"
[[rules]]
id = "cap"
category = "Cap On Liability"
check = "min_months_of_fees"
preferred = 12
fallback = 6
[[rules]]
id = "notice"
term = "notice_period_to_terminate_renewal"
check = "max_days"
preferred = 60
fallback = 90
[[rules]]
id = "tfc"
category = "Termination For Convenience"
check = "present"
[[rules]]
id = "excl"
category = "Exclusivity"
check = "absent"
severity = "high"
approver = "Head of Sales"
"""


def _review(tmp_path, text, categories):
    doc = parse_text(text)
    clauses = []
    for category, quote in categories:
        start = doc.text.index(quote)
        clauses.append(ClauseMatch(category, quote, start, start + len(quote), 0.9))
    path = tmp_path / "p.toml"
    path.write_text(TOML)
    results = check_playbook(load_playbook(path), clauses, extract_terms(doc, clauses))
    return {result.rule: result for result in results}, doc


def test_outcomes_on_a_contract(tmp_path):
    law = "This Agreement is governed by the laws of the State of Texas."
    cap = "Liability shall not exceed the fees paid in the six (6) months before the claim."
    notice = "Either party may stop renewal on one hundred twenty days notice, or 120 days prior notice."
    excl = "Distributor shall be the exclusive distributor in France."
    results, doc = _review(
        tmp_path,
        f"{law} {cap} {notice} {excl}",
        [
            ("Governing Law", law),
            ("Cap On Liability", cap),
            ("Notice Period To Terminate Renewal", notice),
            ("Exclusivity", excl),
        ],
    )
    assert results["law"].outcome == "fallback" and "Texas" in results["law"].explanation
    assert results["cap"].outcome == "fallback" and "6 months" in results["cap"].explanation
    assert results["notice"].outcome == "deviation"
    assert results["tfc"].outcome == "missing" and results["tfc"].text is None
    assert results["excl"].outcome == "deviation" and "Head of Sales" in results["excl"].explanation
    assert doc.text[results["excl"].start : results["excl"].end] == excl


def test_compliant_outcomes(tmp_path):
    law = "This Agreement is governed by the laws of the State of Delaware."
    cap = "Liability is limited to the fees payable in the twelve (12) months preceding the claim."
    tfc = "Customer may terminate this Agreement for convenience on thirty days notice."
    results, _ = _review(
        tmp_path,
        f"{law} {cap} {tfc}",
        [("Governing Law", law), ("Cap On Liability", cap), ("Termination For Convenience", tfc)],
    )
    assert [results[r].outcome for r in ("law", "cap", "tfc", "excl")] == ["compliant"] * 4
    assert results["notice"].outcome == "missing"


def test_example_playbook_loads():
    playbook = load_playbook(EXAMPLE_PLAYBOOK)
    assert len(playbook.rules) >= 5
    assert {rule.check for rule in playbook.rules} >= {"one_of", "absent", "present", "max_days"}


@pytest.mark.parametrize(
    "body, message",
    [
        ("rules: []", "non-empty list 'rules'"),
        ("rules:\n  - {id: a, check: present}", "exactly one of 'category' or 'term'"),
        ("rules:\n  - {id: a, check: nope, category: Exclusivity}", "check must be one of"),
        ("rules:\n  - {id: a, check: present, category: Exclusive}", "unknown clause category"),
        ("rules:\n  - {id: a, check: max_days, term: renewal_term, preferred: soon}", "must be a number"),
        ("rules:\n  - {id: a, check: present, category: Insurance, colour: red}", "unknown field"),
        ("rules: [unclosed", "not valid YAML"),
    ],
)
def test_bad_playbooks_are_input_errors_naming_the_file(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(InputError, match=message) as info:
        load_playbook(path)
    assert "bad.yaml" in str(info.value)
    with pytest.raises(InputError, match="yaml, .yml or .toml"):
        load_playbook(tmp_path / "x.json")
