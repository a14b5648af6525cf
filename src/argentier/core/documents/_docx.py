"""DOCX loading with python-docx: the body in reading order, paragraphs and tables interleaved."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import Iterator

import docx
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from lxml import etree

from argentier.core.documents._builder import DocumentBuilder, normalize_inline
from argentier.core.documents._model import ParsedDocument
from argentier.errors import InputError

__all__ = ["parse_docx", "looks_like_docx"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_CUSTOM_XML = qn("w:customXml")
_TR, _TC, _T, _TAB, _BR, _CR = qn("w:tr"), qn("w:tc"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
# Properties, deleted or moved-away revisions, drawings (their text boxes duplicate in fallbacks) and
# field instructions hold no reading text.
_SKIPPED = {
    qn("w:pPr"), qn("w:rPr"), qn("w:del"), qn("w:moveFrom"), qn("w:drawing"), qn("w:pict"), _MC_FALLBACK
}


def looks_like_docx(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive, the container of every DOCX."""
    return data[:4] == b"PK\x03\x04"


def _text(element: etree._Element) -> str:
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("-")
            elif tag in (_P, _TBL):
                parts.append(" ")  # paragraphs inside a table cell
                visit(child)
            else:
                visit(child)

    visit(element)
    return "".join(parts)


def _heading_levels(document: docx.document.Document) -> dict[str, int]:
    """Style id -> heading level, following ``based on`` chains so custom heading styles count too."""
    levels: dict[str, int] = {}
    for style in document.styles:
        current, hops = style, 0
        while current is not None and hops < 10:
            name = current.name or ""
            match = _HEADING_STYLE.fullmatch(name)
            if match or name.lower() == "title":
                levels[style.style_id] = int(match.group(1)) if match else 1
                break
            current, hops = getattr(current, "base_style", None), hops + 1
    return levels


def _outline_level(paragraph: etree._Element) -> int | None:
    values = paragraph.xpath("./w:pPr/w:outlineLvl/@w:val")
    if values and str(values[0]).isdigit() and int(values[0]) < 9:
        return int(values[0]) + 1
    return None


def _rows(table: etree._Element) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.iter(_TR):
        if next(row.iterancestors(_TBL), None) is not table:
            continue  # a row of a table nested in a cell; its text is part of that cell
        cells: list[str] = [""] * _int_attr(row, "./w:trPr/w:gridBefore/@w:val")
        for cell in row.iter(_TC):
            if next(cell.iterancestors(_TR), None) is not row:
                continue
            # A cell spanning columns keeps later cells under the right header.
            cells.append(normalize_inline(_text(cell)))
            cells.extend([""] * (max(_int_attr(cell, "./w:tcPr/w:gridSpan/@w:val"), 1) - 1))
        rows.append(cells)
    return rows


def _int_attr(element: etree._Element, path: str) -> int:
    values = element.xpath(path)
    return int(values[0]) if values and str(values[0]).isdigit() else 0


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    for child in container:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            yield from _blocks(child)


def _open(data: bytes, source: str | None) -> docx.document.Document:
    if data[:8] == _OLE_MAGIC:
        raise InputError("not a valid DOCX file (it is encrypted or a legacy .doc file)", source=source)
    if not looks_like_docx(data):
        raise InputError("not a valid DOCX file (not a zip archive)", source=source)
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError("not a valid DOCX file (zip is corrupt)", source=source) from error
    except (OpcError, KeyError) as error:
        raise InputError("not a valid DOCX file (no Word document part in the zip)", source=source) from error
    except etree.XMLSyntaxError as error:
        raise InputError("not a valid DOCX file (malformed XML)", source=source) from error
    except ValueError as error:
        # python-docx raises ValueError when the main part is not a Word document (an .xlsx renamed).
        raise InputError("not a valid DOCX file (the zip holds no Word document)", source=source) from error


def parse_docx(data: bytes, *, source: str | None = None) -> ParsedDocument:
    """Parse DOCX bytes: heading styles and numbered paragraphs open sections, tables keep their headers."""
    document = _open(data, source)
    levels = _heading_levels(document)
    builder = DocumentBuilder("docx", source=source)
    try:
        for block in _blocks(document.element.body):
            if block.tag == _TBL:
                rows = _rows(block)
                builder.table(rows, header=len(rows) > 1)
                continue
            text = _text(block)
            style = block.xpath("./w:pPr/w:pStyle/@w:val")
            level = levels.get(str(style[0])) if style else None
            level = level or _outline_level(block)
            if level is not None:
                builder.heading(text, level)
            else:
                builder.paragraph(text, clause=True)
        title = normalize_inline(document.core_properties.title or "") or None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        # Parts are read lazily, so a damaged member can surface only here.
        raise InputError("not a valid DOCX file (zip is corrupt)", source=source) from error
    return builder.build(title=title)
