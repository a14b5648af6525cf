"""The document library: add files and texts, list and remove them, and search them.

Adding is all-or-nothing per document: the file is parsed, chunked and embedded first, then written in one
transaction, so a failure leaves nothing half-indexed.

>>> from argentier.config import Settings
>>> library = Library.open(Settings(database_url="sqlite://"))
>>> outcome = library.add_text("Invoices are due within 30 days.", title="Payment terms")
>>> outcome.status, library.search("when are invoices due", k=1)[0].text
('added', 'Invoices are due within 30 days.')
>>> library.close()
"""

from argentier.core.library._library import DEFAULT_COLLECTION, Library, iter_files
from argentier.core.library._types import (
    AddOutcome,
    AddStatus,
    DocumentInfo,
    ProgressCallback,
    StoredDocument,
)

__all__ = [
    "DEFAULT_COLLECTION",
    "AddOutcome",
    "AddStatus",
    "DocumentInfo",
    "Library",
    "ProgressCallback",
    "StoredDocument",
    "iter_files",
]
