"""The evaluation harness: run the assistant over a question-answer set and measure it.

A QA file is JSON lines (lines starting with ``#`` are comments)::

    {"question": "...", "answer": "...", "evidence": [{"document": "expense-policy.md", "page": null}]}

- ``answer``: the gold answer as text (numbers may carry a scale word, ``"1,496.5 million"``, or ``%``).
  ``answers`` (a list) instead asks for every part (multi-span answers).
- ``evidence`` (optional): where the answer is; ``document`` is matched against a retrieved document's id,
  title, path, file name or file stem; ``page`` ``null`` matches any page.
- ``"unanswerable": true`` (or an empty ``answer``): the documents do not answer it; a refusal is correct.
- ``filter`` (optional): ``{"key": "value"}`` pairs of document metadata that retrieval is kept to (one
  filing per question, as in a "store per filing" setting).
- Any other field (``answer_type``, ``answer_from``...) is kept and can break the results down.

Measures: **accuracy** (answerable questions answered with the gold answer, :func:`match_answer`: exact,
numeric: equal at the gold's decimals, scale words and percentages understood, or contains; unanswerable questions refused),
**exact accuracy** (exact or numeric matches only), **recall@k** and **MRR** over the distinct (document,
page) pairs retrieved, for questions with evidence, **refusal rate** (all questions), **correct refusals**
(unanswerable questions refused), **false refusals** (answerable questions refused), **grounded share**
(answers whose every citation is verbatim at its offsets in a document the caller may read), and time per
question.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from argentier.assistant._matching import match_answer
from argentier.assistant._types import Answer, RetrievedPage
from argentier.errors import ArgentierError, InputError

if TYPE_CHECKING:
    from argentier.assistant.answer import Assistant

__all__ = ["EvalReport", "ItemResult", "QAItem", "evaluate", "load_qa", "score_answer"]

_KNOWN = {"question", "answer", "answers", "evidence", "unanswerable", "filter"}


@dataclass(frozen=True)
class EvidenceRef:
    """Where a gold answer is: a document (id, title, path, file name or stem) and optionally a page."""

    document: str
    page: int | None = None


@dataclass(frozen=True)
class QAItem:
    """One line of a QA file."""

    question: str
    answers: tuple[str, ...]
    evidence: tuple[EvidenceRef, ...] = ()
    unanswerable: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)
    filter: Mapping[str, str] | None = None

    @property
    def answer(self) -> str:
        return "; ".join(self.answers)


def load_qa(path: str | os.PathLike[str]) -> list[QAItem]:
    """Read a QA file; :class:`InputError` names the file and line of the first bad line."""
    source = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise InputError("file not found", source=source) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", source=source) from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{source}, line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", source=where) from exc
        items.append(_item(data, where))
    if not items:
        raise InputError("no questions in the file", source=source)
    return items


def _item(data: Any, where: str) -> QAItem:
    if not isinstance(data, dict):
        raise InputError("each line must be a JSON object", source=where)
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        raise InputError("'question' must be a non-empty string", source=where)
    if "answers" in data:
        answers = data["answers"]
        if not isinstance(answers, list) or not all(isinstance(a, (str, int, float)) for a in answers):
            raise InputError("'answers' must be a list of strings", source=where)
    else:
        answer = data.get("answer", "")
        if not isinstance(answer, (str, int, float)):
            raise InputError("'answer' must be a string", source=where)
        answers = [answer] if str(answer).strip() else []
    answers = tuple(str(answer).strip() for answer in answers if str(answer).strip())
    unanswerable = bool(data.get("unanswerable", False)) or not answers
    evidence = []
    for entry in data.get("evidence") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("document"), (str, int)):
            raise InputError("each evidence entry needs a 'document' (id, title or path)", source=where)
        page = entry.get("page")
        if page is not None and not isinstance(page, int):
            raise InputError("an evidence 'page' must be an integer or null", source=where)
        evidence.append(EvidenceRef(str(entry["document"]), page))
    search_filter = data.get("filter")
    if search_filter is not None and (
        not isinstance(search_filter, dict) or not all(isinstance(v, (str, int)) for v in search_filter.values())
    ):
        raise InputError("'filter' must map metadata keys to values", source=where)
    meta = {key: value for key, value in data.items() if key not in _KNOWN}
    search_filter = {str(k): str(v) for k, v in search_filter.items()} if search_filter else None
    return QAItem(question.strip(), answers, tuple(evidence), unanswerable, meta, search_filter)


def _document_matches(name: str, page: RetrievedPage) -> bool:
    document = page.document
    wanted = name.strip().lower()
    names = {str(document.id), document.title.strip().lower()}
    if document.path:
        path = PurePath(document.path)
        names |= {document.path.lower(), path.name.lower(), path.stem.lower()}
    return wanted in names or PurePath(wanted).name in names


def _relevant(evidence: EvidenceRef, page: RetrievedPage) -> bool:
    return _document_matches(evidence.document, page) and (evidence.page is None or evidence.page == page.page)


def retrieval_ranks(evidence: Sequence[EvidenceRef], retrieved: Sequence[RetrievedPage], k: int) -> tuple[float, float]:
    """``(recall@k, reciprocal rank)`` over the distinct (document, page) pairs retrieved, in order."""
    pages = list(dict.fromkeys((page.document, page.page) for page in retrieved))
    ranked = [RetrievedPage(document, number) for document, number in pages]
    top = ranked[:k]
    found = sum(1 for item in evidence if any(_relevant(item, page) for page in top))
    first = next((rank for rank, page in enumerate(ranked, 1) if any(_relevant(e, page) for e in evidence)), None)
    return found / len(evidence), (1.0 / first if first else 0.0)


@dataclass(frozen=True)
class ItemResult:
    """One question's outcome."""

    question: str
    gold: str
    predicted: str
    unanswerable: bool
    refused: bool
    correct: bool
    match: str | None
    method: str
    grounded: bool | None
    recall: float | None
    reciprocal_rank: float | None
    seconds: float
    meta: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "gold": self.gold,
            "predicted": self.predicted,
            "unanswerable": self.unanswerable,
            "refused": self.refused,
            "correct": self.correct,
            "match": self.match,
            "method": self.method,
            "grounded": self.grounded,
            "recall": self.recall,
            "reciprocal_rank": self.reciprocal_rank,
            "seconds": round(self.seconds, 4),
            "meta": dict(self.meta),
            "error": self.error,
        }


def score_answer(item: QAItem, answer: Answer) -> tuple[bool, str | None]:
    """Whether ``answer`` is right for ``item`` and how it matched (``"refusal"`` for a correct refusal)."""
    if item.unanswerable:
        return answer.refused, "refusal" if answer.refused else None
    if answer.refused:
        return False, None
    kinds = [match_answer(answer.answer, gold) for gold in item.answers]
    if all(kinds):
        return True, "exact" if all(kind == "exact" for kind in kinds) else min(kinds, key=_STRENGTH.index)
    return False, None


_STRENGTH = ["contains", "numeric", "exact"]


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [value for value in values if value is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


@dataclass(frozen=True)
class EvalReport:
    """The measures over a QA set (see the module docstring) and every question's outcome."""

    n: int
    k: int
    accuracy: float | None
    exact_accuracy: float | None
    recall_at_k: float | None
    mrr: float | None
    refusal_rate: float | None
    correct_refusal_rate: float | None
    false_refusal_rate: float | None
    grounded_share: float | None
    seconds_per_question: float | None
    n_answerable: int
    n_unanswerable: int
    n_errors: int
    by_method: Mapping[str, int]
    results: tuple[ItemResult, ...] = ()

    @classmethod
    def from_results(cls, results: Sequence[ItemResult], k: int) -> "EvalReport":
        answerable = [r for r in results if not r.unanswerable]
        unanswerable = [r for r in results if r.unanswerable]
        answered = [r for r in results if not r.refused and r.grounded is not None]
        methods: dict[str, int] = defaultdict(int)
        for result in results:
            methods[result.method] += 1
        return cls(
            n=len(results),
            k=k,
            accuracy=_mean(float(r.correct) for r in results),
            exact_accuracy=_mean(float(r.correct and r.match in ("exact", "numeric", "refusal")) for r in results),
            recall_at_k=_mean(r.recall for r in results),
            mrr=_mean(r.reciprocal_rank for r in results),
            refusal_rate=_mean(float(r.refused) for r in results),
            correct_refusal_rate=_mean(float(r.refused) for r in unanswerable),
            false_refusal_rate=_mean(float(r.refused) for r in answerable),
            grounded_share=_mean(float(bool(r.grounded)) for r in answered),
            seconds_per_question=_mean(r.seconds for r in results),
            n_answerable=len(answerable),
            n_unanswerable=len(unanswerable),
            n_errors=sum(1 for r in results if r.error),
            by_method=dict(sorted(methods.items())),
            results=tuple(results),
        )

    def breakdown(self, key: str) -> dict[str, dict[str, Any]]:
        """Accuracy (and count) per value of a kept field of the QA lines, e.g. ``answer_type``."""
        groups: dict[str, list[ItemResult]] = defaultdict(list)
        for result in self.results:
            groups[str(result.meta.get(key, "-"))].append(result)
        return {
            value: {"n": len(items), "accuracy": _mean(float(r.correct) for r in items),
                    "exact_accuracy": _mean(float(r.correct and r.match != "contains") for r in items)}
            for value, items in sorted(groups.items())
        }

    def to_dict(self, *, results: bool = False) -> dict[str, Any]:
        data = {
            "n": self.n,
            "k": self.k,
            "accuracy": self.accuracy,
            "exact_accuracy": self.exact_accuracy,
            f"recall_at_{self.k}": self.recall_at_k,
            "mrr": self.mrr,
            "refusal_rate": self.refusal_rate,
            "correct_refusal_rate": self.correct_refusal_rate,
            "false_refusal_rate": self.false_refusal_rate,
            "grounded_share": self.grounded_share,
            "seconds_per_question": self.seconds_per_question,
            "n_answerable": self.n_answerable,
            "n_unanswerable": self.n_unanswerable,
            "n_errors": self.n_errors,
            "by_method": dict(self.by_method),
        }
        if results:
            data["results"] = [result.to_dict() for result in self.results]
        return data


def _grounded(assistant: "Assistant", answer: Answer, groups: Iterable[str] | None) -> bool:
    """Every citation's quote is the document's text at its offsets, and the highlight lies inside it."""
    if not answer.citations:
        return False
    texts: dict[int, str] = {}
    for citation in answer.citations:
        if citation.document is None:
            if not citation.source:
                return False
            continue
        if citation.document.id not in texts:
            try:
                texts[citation.document.id] = assistant.library.get_document(
                    citation.document.id, groups=groups
                ).parsed.text
            except ArgentierError:
                return False
        text = texts[citation.document.id]
        if citation.start is None or citation.end is None or text[citation.start : citation.end] != citation.quote:
            return False
        highlight = citation.highlight
        if highlight is not None and (
            not citation.start <= highlight.start < highlight.end <= citation.end
            or text[highlight.start : highlight.end] != highlight.text
        ):
            return False
    return True


def evaluate(
    assistant: "Assistant",
    items: Sequence[QAItem],
    *,
    collection: str | None = None,
    k: int = 5,
    groups: Iterable[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every question (not logged), score it and measure retrieval; one failing question is recorded as
    an error and the run goes on."""
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    assistant.k = max(assistant.k, k)
    groups = None if groups is None else tuple(groups)
    results = []
    for index, item in enumerate(items, start=1):
        started = time.perf_counter()
        try:
            answer = assistant.ask(
                item.question, groups=groups, collection=collection, meta=item.filter, log=False
            )
        except ArgentierError as error:
            results.append(
                ItemResult(item.question, item.answer, "", item.unanswerable, False, False, None, "error",
                           None, None, None, time.perf_counter() - started, item.meta, str(error))
            )
        else:
            seconds = time.perf_counter() - started
            correct, match = score_answer(item, answer)
            recall = reciprocal = None
            if item.evidence:
                recall, reciprocal = retrieval_ranks(item.evidence, answer.retrieved, k)
            grounded = None if answer.refused else _grounded(assistant, answer, groups)
            results.append(
                ItemResult(item.question, item.answer, answer.answer, item.unanswerable, answer.refused,
                           correct, match, answer.method, grounded, recall, reciprocal, seconds, item.meta)
            )
        if on_progress is not None:
            on_progress(index, len(items))
    return EvalReport.from_results(results, k)
