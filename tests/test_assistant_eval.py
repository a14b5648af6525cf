"""The evaluation harness: QA files, answer matching, retrieval ranks, and a run over the shipped procedure set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argentier.assistant import Assistant
from argentier.assistant._matching import match_answer, numbers_in
from argentier.assistant._types import RetrievedPage
from argentier.assistant.eval import EvidenceRef, evaluate, load_qa, retrieval_ranks
from argentier.config import Settings
from argentier.core.library import Library
from argentier.core.search import DocumentRef
from argentier.errors import InputError

DATA = Path(__file__).parents[1] / "src" / "argentier" / "assistant" / "data"


@pytest.mark.parametrize(
    ("predicted", "gold", "kind"),
    [
        ("EUR 1,496.5 million", "$1,496.5 million", "numeric"),
        ("1.4965 billion", "1,496.5 million", "numeric"),
        ("The change was -12.35%", "-12.35%", "numeric"),
        ("-12.3", "-12.35", None),
        ("(3.2)", "-3.2", "exact"),
        ("Refunds are paid on Thursday.", "Thursday", "contains"),
        ("every 12 months", "Every 12 Months", "exact"),
        ("It takes 3 years", "13", None),
        ("anything", "", None),
    ],
)
def test_answers_match_exactly_numerically_or_by_containment(predicted, gold, kind):
    assert match_answer(predicted, gold) == kind


def test_numbers_carry_their_scale_and_sign():
    assert numbers_in("a loss of (1,200) thousand") == [(-1200.0, -1200000.0, 0)]


def test_qa_files_are_validated_line_by_line(tmp_path):
    good = tmp_path / "qa.jsonl"
    good.write_text(
        "# comment\n"
        + json.dumps({"question": "Q1?", "answer": "A", "evidence": [{"document": "x.md", "page": 2}],
                      "answer_type": "span"}) + "\n"
        + json.dumps({"question": "Q2?", "answer": ""}) + "\n"
        + json.dumps({"question": "Q3?", "answers": ["a", "b"]}) + "\n"
    )
    items = load_qa(good)
    assert [item.unanswerable for item in items] == [False, True, False]
    assert items[0].evidence == (EvidenceRef("x.md", 2),) and items[0].meta == {"answer_type": "span"}
    assert items[2].answers == ("a", "b")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "ok", "answer": "A"}) + "\n{not json\n")
    with pytest.raises(InputError, match="line 2"):
        load_qa(bad)
    bad.write_text(json.dumps({"answer": "A"}) + "\n")
    with pytest.raises(InputError, match="question"):
        load_qa(bad)
    with pytest.raises(InputError, match="not found"):
        load_qa(tmp_path / "missing.jsonl")


def test_recall_and_reciprocal_rank_are_at_page_level():
    a, b = DocumentRef(1, "Annual report", "/x/report.pdf"), DocumentRef(2, "Policy", None)
    retrieved = [RetrievedPage(b, None), RetrievedPage(a, 3), RetrievedPage(a, 3), RetrievedPage(a, 7)]
    assert retrieval_ranks([EvidenceRef("report.pdf", 7)], retrieved, k=2) == (0.0, 1 / 3)
    assert retrieval_ranks([EvidenceRef("Annual report", 3)], retrieved, k=2) == (1.0, 0.5)
    assert retrieval_ranks([EvidenceRef("1", None), EvidenceRef("Policy", None)], retrieved, k=1) == (0.5, 1.0)


def test_the_shipped_procedure_set_is_answered_and_refused_as_measured(tmp_path, embedder):
    # One database is enough here: the access paths of both are covered by the other assistant tests.
    library = Library.open(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'qa.db'}"), embedder=embedder)
    library.add_paths([DATA / "procedures"], collection="procedures")
    items = load_qa(DATA / "procedures-qa.jsonl")
    assert len(items) >= 60 and sum(item.unanswerable for item in items) >= 10
    seen = []
    report = evaluate(Assistant(library, tools=[]), items, collection="procedures", k=5,
                      on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(items), len(items))
    assert report.n == len(items) and report.n_errors == 0
    # Floors well under the measured figures (BENCHMARKS.md): a regression fails, noise does not.
    assert report.accuracy >= 0.85 and report.recall_at_k >= 0.95 and report.mrr >= 0.9
    assert report.correct_refusal_rate >= 0.8 and report.false_refusal_rate <= 0.1
    assert report.grounded_share == 1.0
    data = report.to_dict(results=True)
    assert data["recall_at_5"] == report.recall_at_k and len(data["results"]) == len(items)
    library.close()
