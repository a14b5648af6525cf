"""``argentier demo``: generate a small finance corpus, index it and run cited searches on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argentier.core.library import AddOutcome, Library, ProgressCallback
from argentier.core.search import SearchHit
from argentier.demo.corpus import DemoFile, write_demo_corpus

__all__ = ["DEMO_COLLECTION", "DEMO_SEARCHES", "DemoFile", "DemoReport", "DemoSearch", "run_demo", "write_demo_corpus"]

DEMO_COLLECTION = "demo"

# (question, caller's groups): None = local owner; () = a caller with no groups beyond the public one.
DEMO_SEARCHES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("When must invoices be paid, and what interest is charged on late payment?", None),
    ("How can either party terminate the agreement?", None),
    ("Which VAT rate applies to e-books from 2027?", None),
    ("What receipts do I need for an expense claim?", None),
    ("Who reconciles the bank accounts during the month-end close?", None),
    ("net debt to EBITDA covenant", ()),
    ("net debt to EBITDA covenant", ("treasury",)),
)


@dataclass(frozen=True)
class DemoSearch:
    """One demo question, the groups it was asked with, and its hits."""

    query: str
    groups: tuple[str, ...] | None
    hits: list[SearchHit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "groups": list(self.groups) if self.groups is not None else None,
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True)
class DemoReport:
    """What the demo indexed and found."""

    corpus_dir: Path
    added: list[AddOutcome]
    searches: list[DemoSearch]

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus_dir": str(self.corpus_dir),
            "added": [outcome.to_dict() for outcome in self.added],
            "searches": [search.to_dict() for search in self.searches],
        }


def run_demo(
    library: Library, directory: str | Path, *, k: int = 3, on_progress: ProgressCallback | None = None
) -> DemoReport:
    """Write the demo corpus to ``directory``, add it to the ``demo`` collection and run the demo searches."""
    files = write_demo_corpus(directory)
    added: list[AddOutcome] = []
    for index, demo_file in enumerate(files):
        added.extend(
            library.add_paths([demo_file.path], collection=DEMO_COLLECTION, groups=demo_file.groups or None)
        )
        if on_progress is not None:
            on_progress(index + 1, len(files), str(demo_file.path))
    searches = [
        DemoSearch(query, groups, library.search(query, k=k, collection=DEMO_COLLECTION, groups=groups))
        for query, groups in DEMO_SEARCHES
    ]
    return DemoReport(Path(directory), added, searches)
