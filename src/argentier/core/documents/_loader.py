"""Entry points: load a file by suffix (checked against its content) or parse posted text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from argentier.core.documents._docx import looks_like_docx, parse_docx
from argentier.core.documents._html import decode_html, parse_html
from argentier.core.documents._model import ParsedDocument
from argentier.core.documents._pdf import looks_like_pdf, parse_pdf
from argentier.core.documents._text import decode_text, parse_markdown, parse_txt
from argentier.errors import InputError

__all__ = ["load_document", "parse_text", "SUPPORTED_SUFFIXES"]

_FORMAT_BY_SUFFIX = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".text": "txt",
    ".md": "markdown",
    ".markdown": "markdown",
}
_FORMAT_ALIASES = {"pdf": "pdf", "docx": "docx", "html": "html", "htm": "html", "txt": "txt", "text": "txt",
                   "md": "markdown", "markdown": "markdown"}

_ARTICLES = {"html": "an HTML", "txt": "a text", "markdown": "a Markdown"}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMAT_BY_SUFFIX)


def _format_name(format: str, source: str | None) -> str:
    name = _FORMAT_ALIASES.get(format.lower().lstrip("."))
    if name is None:
        raise InputError(f"unsupported format '{format}'", source=source)
    return name


def _load_html(data: bytes, source: str) -> ParsedDocument:
    return parse_html(decode_html(data, source=source), source=source)


def _load_txt(data: bytes, source: str) -> ParsedDocument:
    return parse_txt(decode_text(data, source=source), source=source)


def _load_markdown(data: bytes, source: str) -> ParsedDocument:
    return parse_markdown(decode_text(data, source=source), source=source)


def _load_pdf(data: bytes, source: str) -> ParsedDocument:
    return parse_pdf(data, source=source)


def _load_docx(data: bytes, source: str) -> ParsedDocument:
    if looks_like_pdf(data):
        raise InputError("not a valid DOCX file (it is a PDF)", source=source)
    return parse_docx(data, source=source)


_LOADERS: dict[str, Callable[[bytes, str], ParsedDocument]] = {
    "pdf": _load_pdf,
    "docx": _load_docx,
    "html": _load_html,
    "txt": _load_txt,
    "markdown": _load_markdown,
}


def _sniff_mismatch(data: bytes, format: str) -> str | None:
    """A text format given a PDF or an Office zip is a mislabelled file, not text to index."""
    if format in ("html", "txt", "markdown"):
        if looks_like_pdf(data[:8]):
            return "it is a PDF"
        if looks_like_docx(data):
            return "it is a zip archive"
    return None


def load_document(path: str | os.PathLike[str], *, format: str | None = None) -> ParsedDocument:
    """Load a PDF, DOCX, HTML, text or Markdown file into a :class:`ParsedDocument`.

    The format comes from ``format`` or else the file suffix (see :data:`SUPPORTED_SUFFIXES`), and the
    content must agree with it. Every problem with the file raises :class:`~argentier.errors.InputError`
    naming the file and the cause.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "terms.md"
    ...     _ = path.write_text("# Terms\\n\\nPayment is due in 30 days.\\n", encoding="utf-8")
    ...     doc = load_document(path)
    >>> doc.title, doc.text
    ('Terms', 'Terms\\n\\nPayment is due in 30 days.')
    """
    file = Path(path)
    source = str(file)
    if not file.exists():
        raise InputError("file not found", source=source)
    if not file.is_file():
        raise InputError("not a regular file (directories are not accepted)", source=source)
    if format is not None:
        name = _format_name(format, source)
    else:
        suffix = file.suffix.lower()
        if suffix not in _FORMAT_BY_SUFFIX:
            shown = f"'{suffix}'" if suffix else "(the file name has no suffix)"
            raise InputError(f"unsupported file type {shown}", source=source)
        name = _FORMAT_BY_SUFFIX[suffix]
    try:
        data = file.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot read the file ({reason})", source=source) from error
    if not data.strip():
        raise InputError("no text could be extracted (the file is empty)", source=source)
    mismatch = _sniff_mismatch(data, name)
    if mismatch:
        raise InputError(f"not {_ARTICLES[name]} file ({mismatch})", source=source)
    return _LOADERS[name](data, source)


def parse_text(text: str, *, format: str = "txt") -> ParsedDocument:
    """Parse text posted through the API; ``format`` is ``"txt"``, ``"markdown"`` or ``"html"``.

    >>> doc = parse_text("ARTICLE 12\\n\\n12.3 Termination. Either party may terminate on notice.")
    >>> [(s.title, s.level) for s in doc.nodes("section")]
    [('ARTICLE 12', 1), ('12.3 Termination', 2)]
    """
    name = _format_name(format, None)
    if name not in ("txt", "markdown", "html"):
        raise InputError(f"unsupported format '{format}' for posted text (use txt, markdown or html)")
    if not text.strip():
        raise InputError("no text could be extracted (the text is empty)")
    if "\x00" in text:
        raise InputError("posted text contains NUL characters (binary content)")
    parser = {"txt": parse_txt, "markdown": parse_markdown, "html": parse_html}[name]
    return parser(text)
