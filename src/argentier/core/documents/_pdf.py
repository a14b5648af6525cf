"""PDF loading with pypdf: per-page text, page furniture removed, paragraphs rebuilt from wrapped lines."""

from __future__ import annotations

import io
import re

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from argentier.core.documents._builder import DocumentBuilder, normalize_inline
from argentier.core.documents._layout import Line, group_lines, split_lines, strip_page_furniture
from argentier.core.documents._model import ParsedDocument
from argentier.errors import InputError

__all__ = ["parse_pdf", "looks_like_pdf"]

_HEADER_WINDOW = 1024
_PLACEHOLDER_TITLES = re.compile(
    r"(?:untitled|document\d*|microsoft word - .*\.docx?|.*\.(?:docx?|pdf))", re.IGNORECASE
)


def looks_like_pdf(data: bytes) -> bool:
    """Whether ``data`` carries a PDF header; readers accept it anywhere in the first kilobyte."""
    return b"%PDF-" in data[:_HEADER_WINDOW]


def _one_line(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message[:200]


def _open(data: bytes, source: str | None) -> PdfReader:
    if not looks_like_pdf(data):
        raise InputError("not a valid PDF (no %PDF header)", source=source)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as error:  # noqa: BLE001 - pypdf fails on damaged files with assorted built-in errors
        raise InputError(f"not a valid PDF ({_one_line(error)})", source=source) from error
    if reader.is_encrypted:
        # Owner-password-only PDFs open for reading with an empty user password.
        try:
            decrypted = reader.decrypt("")
        except DependencyError as error:
            message = "PDF is encrypted (AES decryption needs the 'cryptography' package)"
            raise InputError(message, source=source) from error
        # pypdf raises RuntimeError subclasses for encryption schemes it does not implement.
        except (PyPdfError, ValueError, KeyError, TypeError, RuntimeError) as error:
            raise InputError(f"PDF is encrypted ({_one_line(error)})", source=source) from error
        if decrypted == PasswordType.NOT_DECRYPTED:
            raise InputError("PDF is encrypted", source=source)
    return reader


def _page_texts(reader: PdfReader, source: str | None) -> list[str]:
    # pypdf raises a zoo of built-in exceptions on damaged page trees and content streams; all of them
    # mean the same thing to the user, so they become one InputError.
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as error:
        raise InputError("PDF is encrypted", source=source) from error
    except Exception as error:  # noqa: BLE001 - see comment above
        raise InputError(f"not a valid PDF ({_one_line(error)})", source=source) from error
    if not pages:
        raise InputError("not a valid PDF (it has no pages)", source=source)
    texts = []
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except FileNotDecryptedError as error:
            raise InputError("PDF is encrypted", source=source) from error
        except Exception as error:  # noqa: BLE001 - see comment above
            raise InputError(f"not a valid PDF ({_one_line(error)})", source=source) from error
    return texts


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = normalize_inline(str(metadata.title)) if metadata is not None and metadata.title else ""
    except Exception:  # noqa: BLE001 - a broken info dictionary must not stop the text from loading
        return None
    if not title or _PLACEHOLDER_TITLES.fullmatch(title):
        return None
    return title


def parse_pdf(data: bytes, *, source: str | None = None) -> ParsedDocument:
    """Parse PDF bytes; pages are recorded as spans of the text and every node knows its start page."""
    reader = _open(data, source)
    texts = _page_texts(reader, source)
    title = _metadata_title(reader)
    pages = strip_page_furniture([split_lines(text, number) for number, text in enumerate(texts, start=1)])
    lines: list[Line | None] = [line for page in pages for line in page]
    builder = DocumentBuilder("pdf", source=source)
    for group in group_lines(lines, mode="layout"):
        builder.paragraph_lines([(line.text, line.page) for line in group], clause=True)
    if builder.is_empty:
        raise InputError("no text could be extracted (the PDF may be scanned images)", source=source)
    return builder.build(title=title)
