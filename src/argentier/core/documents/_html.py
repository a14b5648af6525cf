"""HTML loading with lxml: the main content only, headings as sections, tables with their headers."""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from argentier.core.documents._builder import DocumentBuilder, normalize_inline
from argentier.core.documents._model import ParsedDocument
from argentier.errors import InputError

__all__ = ["parse_html", "decode_html"]

_BOILERPLATE_TAGS = frozenset(
    "script style noscript nav header footer aside form template svg iframe button select textarea "
    "input object embed canvas dialog menu head".split()
)
# Parts of class/id tokens ("main-nav", "cookie_banner", "site-footer") that mark page chrome.
_BOILERPLATE_WORDS = frozenset(
    "nav navbar navigation menu menubar cookie cookies consent gdpr sidebar breadcrumb breadcrumbs "
    "footer skiplink skip".split()
)
_BOILERPLATE_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar dialog alertdialog".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCK_TAGS = frozenset(
    "address article blockquote body center dd details div dl dt fieldset figcaption figure hr html li main "
    "ol p pre section summary ul caption legend".split()
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# As browsers do (WHATWG encoding standard): pages labelled Latin-1 are decoded as windows-1252.
_ALIASES = dict.fromkeys(("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"), "cp1252")


def decode_html(data: bytes, *, source: str | None = None) -> str:
    """Decode HTML bytes using the BOM, else the ``<meta>`` charset, else UTF-8; failures are InputErrors."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        if b"\x00" in data:
            raise InputError("not an HTML file (binary content)", source=source)
        declared = _META_CHARSET.search(data[:4096])
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        encoding = _ALIASES.get(encoding, encoding)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise InputError(f"unknown character set '{encoding}'", source=source) from error
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        message = f"cannot decode HTML as {encoding} (invalid byte at offset {error.start})"
        raise InputError(message, source=source) from error


def _drop(element: etree._Element, separator: str = " ") -> None:
    """Remove ``element`` but keep its tail text, which belongs to the parent.

    The removed element separated the text around it ("Terms<nav>..</nav>Fees"), so ``separator`` keeps
    the words apart; comments inside a word are removed with no separator.
    """
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + separator + element.tail
        else:
            parent.text = (parent.text or "") + separator + element.tail
    parent.remove(element)


def _is_chrome(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden", "").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(element.get("style", "")):
        return True
    if element.get("role", "").lower() in _BOILERPLATE_ROLES:
        return True
    tokens = f"{element.get('class', '')} {element.get('id', '')}".lower().split()
    return any(part in _BOILERPLATE_WORDS for token in tokens for part in re.split(r"[-_]", token))


def _holds_main_content(element: etree._Element) -> bool:
    # A wrapper such as <div class="page has-sidebar"> around <main> must survive the chrome filter.
    return element.tag in ("html", "body", "main", "article") or bool(
        element.xpath(".//main | .//article | .//*[@role='main']")
    )


def _strip_chrome(root: etree._Element) -> None:
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(node, separator="")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("header", "footer") and element.xpath("ancestor::article | ancestor::main"):
            continue  # an article's own header holds its headline, unlike the page banner
        if element.tag in _BOILERPLATE_TAGS or (_is_chrome(element) and not _holds_main_content(element)):
            _drop(element)


def _text_length(element: etree._Element) -> int:
    return len(normalize_inline(element.text_content()))


def _main_element(root: etree._Element) -> etree._Element:
    for query in ("//main", "//article", "//*[@role='main']"):
        found = root.xpath(query)
        if found:
            return max(found, key=_text_length)
    scores: dict[etree._Element, float] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        length = _text_length(paragraph)
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + length
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0) + length / 2
    if scores:
        return max(scores, key=lambda element: scores[element])
    body = root.find("body")
    return body if body is not None else root


class _Walker:
    def __init__(self, builder: DocumentBuilder) -> None:
        self.builder = builder
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            self.builder.paragraph("".join(self.buffer))
            self.buffer.clear()

    def table(self, table: etree._Element) -> None:
        rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
        cells_by_row: list[list[str]] = []
        for row in rows:
            cells: list[str] = []
            for cell in row.xpath("./th | ./td"):
                cells.append(cell.text_content())
                span = cell.get("colspan", "1")
                cells.extend([""] * (int(span) - 1 if span.isdigit() and 1 < int(span) < 100 else 0))
            cells_by_row.append(cells)
        first = rows[0] if rows else None
        header = first is not None and (
            first.getparent().tag == "thead" or all(cell.tag == "th" for cell in first.xpath("./th | ./td"))
        )
        caption = table.find("caption")
        caption_text = caption.text_content() if caption is not None else None
        self.builder.table(cells_by_row, header=header, caption=caption_text)

    def walk(self, element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _HEADINGS:
            self.flush()
            self.builder.heading(element.text_content(), _HEADINGS[tag])
        elif tag == "table":
            self.flush()
            self.table(element)
        elif tag == "br":
            self.buffer.append(" ")
        else:
            block = tag in _BLOCK_TAGS
            if block:
                self.flush()
            self.buffer.append(element.text or "")
            for child in element:
                self.walk(child)
                self.buffer.append(child.tail or "")
            if block:
                self.flush()


def parse_html(text: str, *, source: str | None = None) -> ParsedDocument:
    """Parse an HTML string (see :func:`decode_html` for bytes): main content, headings as sections."""
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError) as error:
        raise InputError("no text could be extracted (empty HTML document)", source=source) from error
    title_element = root.find(".//title")
    title = normalize_inline(title_element.text_content()) if title_element is not None else ""
    _strip_chrome(root)
    if not title:
        first_h1 = root.find(".//h1")
        title = normalize_inline(first_h1.text_content()) if first_h1 is not None else ""
    builder = DocumentBuilder("html", source=source)
    walker = _Walker(builder)
    walker.walk(_main_element(root))
    walker.flush()
    return builder.build(title=title or None)
