"""Explanations, questions about one contract, and unusual clauses across a portfolio."""

import pytest

from argentier.contracts import ClauseMatch, answer_question, explain_clause, unusual_clauses
from argentier.core.documents import parse_text
from argentier.errors import InputError

NDA = (
    "1. Term. This Agreement lasts two years.\n\n"
    "2. Termination. Either party may terminate this Agreement on sixty (60) days written notice.\n\n"
    "3. Governing Law. This Agreement is governed by the laws of the State of Delaware."
)


def test_answer_cites_the_passage_verbatim():
    doc = parse_text(NDA)
    answer = answer_question(doc, "What is the termination notice period?")
    assert answer.method == "retrieval" and "sixty (60) days" in answer.answer
    [citation] = answer.citations
    assert doc.text[citation.start : citation.end] == citation.quote == answer.answer
    law = answer_question(doc, "Which state's laws govern?")
    assert "Delaware" in law.answer


def test_unanswerable_and_empty_questions():
    doc = parse_text(NDA)
    assert answer_question(doc, "Who audits the warehouse inventory?").citations == ()
    with pytest.raises(InputError):
        answer_question(doc, "what is the")


def test_template_explanation_names_category_confidence_and_quote():
    text = "Supplier shall not assign this Agreement without consent. " * 5
    explanation = explain_clause(ClauseMatch("Anti-Assignment", text, 0, len(text), 0.876))
    assert explanation.startswith("Anti-Assignment (consent or notice is required to assign the contract)")
    assert "88 % confidence" in explanation and explanation.endswith('...".')


def test_unusual_clause_is_the_outlier_and_small_categories_are_not_judged():
    usual = "The Supplier shall maintain commercial general liability insurance with reputable insurers."
    portfolio = [(f"c{i}", [ClauseMatch("Insurance", usual, 0, len(usual), 0.9)]) for i in range(8)]
    odd = "Each shipment travels at the Buyer's sole risk and is uninsured."
    portfolio.append(("odd", [ClauseMatch("Insurance", odd, 0, len(odd), 0.7)]))
    flagged = unusual_clauses(portfolio)
    assert [item.contract for item in flagged] == ["odd"]
    assert flagged[0].distance > flagged[0].threshold
    assert unusual_clauses(portfolio[:3] + portfolio[-1:]) == []  # 4 clauses < min_clauses
