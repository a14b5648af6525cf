"""Review contracts end to end: clauses, key terms and playbook per contract; findings; the portfolio table.

:func:`review_document` is the pure core (a parsed document in, a :class:`ContractReview` out);
:class:`ContractReviewer` adds files and folders, the library (so every quote is citable) and the review
queue. Each clause is a finding of kind ``contracts.clause.<category>`` (so ``argentier review stats`` gives
the acceptance rate per category), each key term ``contracts.term`` and each playbook outcome
``contracts.playbook``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argentier.contracts._categories import CATEGORIES
from argentier.contracts._insights import explain_clause
from argentier.contracts._model import ClauseMatch, ClauseModel
from argentier.contracts._playbook import Playbook, PlaybookResult, check_playbook
from argentier.contracts._terms import TERM_NAMES, KeyTerm, extract_terms
from argentier.core.documents import ParsedDocument
from argentier.core.grounding import Evidence

if TYPE_CHECKING:
    from argentier.core.library import Library
    from argentier.core.llm import LLMClient
    from argentier.core.review import FindingRecord, ReviewService

__all__ = [
    "PRODUCER_VERSION",
    "ContractReview",
    "ContractReviewer",
    "category_kind",
    "contract_files",
    "portfolio_rows",
    "record_findings",
    "review_document",
    "write_table",
]

PRODUCER_VERSION = "1.0"


def category_kind(category: str) -> str:
    """The finding kind of a clause category.

    >>> category_kind("Rofr/Rofo/Rofn"), category_kind("Non-Compete")
    ('contracts.clause.rofr_rofo_rofn', 'contracts.clause.non_compete')
    """
    return "contracts.clause." + re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


@dataclass(frozen=True)
class ContractReview:
    """One contract's review. ``to_dict`` is the ``--json`` shape: document, clauses, terms, playbook."""

    document_id: int | str
    title: str
    path: str | None
    clauses: tuple[ClauseMatch, ...]
    terms: dict[str, Any]
    playbook: tuple[PlaybookResult, ...] = ()
    method: str = "model"
    finding_ids: tuple[int, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        terms: dict[str, Any] = {}
        for name in TERM_NAMES:
            value = self.terms.get(name)
            terms[name] = (
                [t.to_dict() for t in value]
                if isinstance(value, list)
                else (value.to_dict() if value is not None else None)
            )
        return {
            "document": {"id": self.document_id, "title": self.title, "path": self.path},
            "clauses": [clause.to_dict() for clause in self.clauses],
            "terms": terms,
            "playbook": [result.to_dict() for result in self.playbook],
        }


def review_document(
    doc: ParsedDocument,
    *,
    document_id: int | str | None = None,
    title: str | None = None,
    path: str | None = None,
    model: ClauseModel | None = None,
    playbook: Playbook | None = None,
    min_score: float = 0.5,
    llm: LLMClient | None = None,
) -> ContractReview:
    """Clauses at or above ``min_score``, key terms and playbook outcomes of one parsed contract.

    >>> from argentier.core.documents import parse_text
    >>> doc = parse_text("This Agreement shall be governed by the laws of the State of New York.")
    >>> review = review_document(doc, title="NDA")
    >>> [c["category"] for c in review.to_dict()["clauses"]], review.terms["governing_law"].value
    (['Governing Law'], 'New York')
    """
    from argentier.contracts._llm import combine_clauses, llm_clauses

    model = model or ClauseModel.load_default()
    everything = model.predict(doc, min_score=min(0.05, min_score))
    method = "model"
    if llm is not None and llm.available:
        everything = combine_clauses(everything, llm_clauses(doc, llm))
        method = "model+llm"
    terms = extract_terms(doc, everything)
    clauses = tuple(
        sorted((c for c in everything if c.score >= min_score), key=lambda c: (c.start, c.category))
    )
    results = tuple(check_playbook(playbook, everything, terms)) if playbook else ()
    return ContractReview(
        document_id if document_id is not None else doc.content_hash[:12],
        title or doc.title or "",
        path,
        clauses,
        terms,
        results,
        method,
    )


def record_findings(
    service: ReviewService, review: ContractReview, doc: ParsedDocument, *, llm: LLMClient | None = None
) -> list[FindingRecord]:
    """Store the review's clauses, terms and playbook outcomes as pending findings on its document.

    ``review`` must come from the stored document ``doc`` (``review.document_id`` is its library id), so that
    every evidence span is verbatim text of that document; :class:`ContractReviewer` does this for files.
    With ``llm``, clause explanations are generated and grounded (:func:`explain_clause`).
    """
    from argentier.core.review import Producer

    if not isinstance(review.document_id, int):
        raise TypeError("findings need a stored document: review it through ContractReviewer")
    producer = Producer("contracts", PRODUCER_VERSION, model=f"clause-model/{review.method}")
    common = {
        "subject_type": "document",
        "subject_id": str(review.document_id),
        "document_id": review.document_id,
        "producer": producer,
    }
    records = []
    for clause in review.clauses:
        records.append(
            service.create_finding(
                kind=category_kind(clause.category),
                payload={**clause.to_dict(), "explanation": explain_clause(clause, llm=llm)},
                evidence=[Evidence.from_span(doc.text, clause.start, clause.end)],
                confidence=clause.score,
                **common,
            )
        )
    for name in TERM_NAMES:
        value = review.terms.get(name)
        for term in value if isinstance(value, list) else [value] if value else []:
            records.append(
                service.create_finding(
                    kind="contracts.term",
                    payload={"term": name, **term.to_dict()},
                    evidence=[Evidence.from_span(doc.text, term.start, term.end)],
                    confidence=term.score,
                    **common,
                )
            )
    for result in review.playbook:
        evidence = (
            [Evidence.from_span(doc.text, result.start, result.end)] if result.start is not None else []
        )
        records.append(
            service.create_finding(
                kind="contracts.playbook", payload=result.to_dict(), evidence=evidence, **common
            )
        )
    return records


def _term_cell(value: KeyTerm | list[KeyTerm] | None) -> Any:
    if isinstance(value, list):
        return "; ".join(str(t.value) for t in value)
    if value is None or value.value is None:
        return ""
    return f"{value.value} {value.unit}" if value.unit else value.value


def portfolio_rows(reviews: Iterable[ContractReview]) -> list[dict[str, Any]]:
    """One row per contract: its title and path, each key term's value, and per category the best score.

    >>> row = portfolio_rows([ContractReview(1, "NDA", None, (ClauseMatch("Insurance", "x", 0, 1, 0.8),), {})])[0]
    >>> row["title"], row["Insurance"], row["Governing Law"]
    ('NDA', 0.8, None)
    """
    rows = []
    for review in reviews:
        row: dict[str, Any] = {"document_id": review.document_id, "title": review.title, "path": review.path}
        row |= {name: _term_cell(review.terms.get(name)) for name in TERM_NAMES}
        for category in CATEGORIES:
            scores = [c.score for c in review.clauses if c.category == category]
            row[category] = round(max(scores), 4) if scores else None
        for result in review.playbook:
            row[f"playbook:{result.rule}"] = result.outcome
        rows.append(row)
    return rows


class ContractReviewer:
    """Review files through the library (stored, citable) and record findings in the review queue.

    Usage, with the configured store::

        with Library.open(settings) as library:
            reviewer = ContractReviewer(library, playbook=load_playbook(EXAMPLE_PLAYBOOK))
            review = reviewer.review_file("contracts/msa.pdf")
        review.terms["governing_law"].value   # 'New York'
        len(review.finding_ids)                # clauses + terms + playbook outcomes, all pending
    """

    def __init__(
        self,
        library: Library,
        *,
        model: ClauseModel | None = None,
        playbook: Playbook | None = None,
        min_score: float = 0.5,
        llm: LLMClient | None = None,
        record: bool = True,
        collection: str = "contracts",
    ) -> None:
        self.library = library
        self.model = model
        self.playbook = playbook
        self.min_score = min_score
        self.llm = llm
        self.record = record
        self.collection = collection

    def review_file(self, path: str | Path) -> ContractReview:
        """Add ``path`` to the library (unchanged files are not re-read), review it, record its findings."""
        from argentier.core.review import ReviewService

        outcome = self.library.add_file(path, collection=self.collection)
        stored = self.library.get_document(outcome.document.id)
        review = review_document(
            stored.parsed,
            document_id=stored.info.id,
            title=stored.info.title,
            path=str(path),
            model=self.model,
            playbook=self.playbook,
            min_score=self.min_score,
            llm=self.llm,
        )
        if self.record:
            service = ReviewService(self.library.store, self.library.settings)
            records = record_findings(service, review, stored.parsed, llm=self.llm)
            review = ContractReview(
                review.document_id,
                review.title,
                review.path,
                review.clauses,
                review.terms,
                review.playbook,
                review.method,
                tuple(r.id for r in records),
            )
        return review


def contract_files(paths: Sequence[str | Path]) -> list[Path]:
    """Every supported file under ``paths`` (folders recursively, hidden files skipped), in a stable order."""
    from argentier.core.library import iter_files

    return [file for file, _ in iter_files([Path(p) for p in paths])]


def write_table(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write portfolio rows to ``.csv`` or ``.xlsx`` atomically (a temporary file renamed into place).

    >>> write_table([{"title": "NDA", "Insurance": 0.8}], "portfolio.csv").read_text().splitlines()
    ['title,Insurance', 'NDA,0.8']
    """
    import csv

    from argentier.core.files import atomic_path
    from argentier.errors import InputError

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("the export must be a .csv or .xlsx file", source=str(path))
    if not path.parent.exists():
        raise InputError("the folder does not exist", source=str(path))
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with atomic_path(path, make_parents=False) as tmp:
        if suffix == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as stream:
                writer = csv.DictWriter(stream, fieldnames=columns)
                writer.writeheader()
                writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "contracts"
            sheet.append(columns)
            for row in rows:
                sheet.append([row.get(column) for column in columns])
            sheet.freeze_panes = "B2"
            book.save(tmp)
    return path
