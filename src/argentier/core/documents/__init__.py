"""Document loading: PDF, DOCX, HTML, text and Markdown into one normalised text with a structure tree.

Every node of the tree (sections, paragraphs, sentences, tables, rows) is a span of
``ParsedDocument.text`` with exact character offsets, and PDF pages are spans of the same text, so any
excerpt can be cited back to its section and page.
"""

from argentier.core.documents._loader import SUPPORTED_SUFFIXES, load_document, parse_text
from argentier.core.documents._model import Node, Page, ParsedDocument

__all__ = ["Node", "Page", "ParsedDocument", "load_document", "parse_text", "SUPPORTED_SUFFIXES"]
