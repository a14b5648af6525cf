"""Contract review: clause extraction with exact quotes, key terms, playbook checks, explanations.

The clause model (trained on CUAD v1, shipped in ``models/``) finds the 41 CUAD clause categories as exact
quotes with calibrated scores; key terms are read from those quotes; a playbook grades them; the reviewer
stores contracts in the library and findings in the review queue.

>>> from argentier.core.documents import parse_text
>>> doc = parse_text("This Agreement is governed by the laws of the State of Delaware.")
>>> review_document(doc).terms["governing_law"].value
'Delaware'
"""

from argentier.contracts._categories import CATEGORIES, CATEGORY_DESCRIPTIONS, validate_category
from argentier.contracts._dates import DateMention, find_dates, find_durations, parse_duration
from argentier.contracts._insights import (
    ContractAnswer,
    UnusualClause,
    answer_question,
    explain_clause,
    unusual_clauses,
)
from argentier.contracts._llm import ClauseQuotes, combine_clauses, llm_clauses, retrieve_passages
from argentier.contracts._metric import CuadScore, cuad_report, cuad_score, jaccard, word_set
from argentier.contracts._model import ClauseMatch, ClauseModel
from argentier.contracts._nli import NliExample, RuleClassifier
from argentier.contracts._playbook import (
    EXAMPLE_PLAYBOOK,
    Playbook,
    PlaybookResult,
    PlaybookRule,
    check_playbook,
    load_playbook,
)
from argentier.contracts._review import (
    PRODUCER_VERSION,
    ContractReview,
    ContractReviewer,
    category_kind,
    contract_files,
    portfolio_rows,
    record_findings,
    review_document,
    write_table,
)
from argentier.contracts._terms import TERM_NAMES, KeyTerm, extract_terms

__all__ = [
    "CATEGORIES",
    "CATEGORY_DESCRIPTIONS",
    "EXAMPLE_PLAYBOOK",
    "PRODUCER_VERSION",
    "TERM_NAMES",
    "ClauseMatch",
    "ClauseModel",
    "ClauseQuotes",
    "ContractAnswer",
    "ContractReview",
    "ContractReviewer",
    "CuadScore",
    "DateMention",
    "KeyTerm",
    "NliExample",
    "Playbook",
    "PlaybookResult",
    "PlaybookRule",
    "RuleClassifier",
    "UnusualClause",
    "answer_question",
    "category_kind",
    "check_playbook",
    "combine_clauses",
    "contract_files",
    "cuad_report",
    "cuad_score",
    "explain_clause",
    "extract_terms",
    "find_dates",
    "find_durations",
    "jaccard",
    "llm_clauses",
    "load_playbook",
    "parse_duration",
    "portfolio_rows",
    "record_findings",
    "retrieve_passages",
    "review_document",
    "unusual_clauses",
    "validate_category",
    "word_set",
    "write_table",
]
