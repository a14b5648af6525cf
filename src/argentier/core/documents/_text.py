"""Plain-text and Markdown loading: decoding, paragraphs from lines, ATX/setext headings, pipe tables."""

from __future__ import annotations

import codecs
import re

from argentier.core.documents._builder import DocumentBuilder, normalize_inline
from argentier.core.documents._layout import GroupMode, Line, group_lines, split_lines
from argentier.core.documents._model import ParsedDocument
from argentier.errors import InputError

__all__ = ["decode_text", "parse_txt", "parse_markdown"]

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.02
_WRAPPED_WIDTH = 120

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
_TABLE_DELIMITER = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def decode_text(data: bytes, *, source: str | None = None) -> str:
    """Decode a text file: BOM, else UTF-8, else Windows-1252 when the bytes still look like text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise InputError(f"cannot decode text as {encoding} (invalid byte at offset {error.start})",
                                 source=source) from error
    if b"\x00" in data:
        raise InputError("not a text file (binary content)", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            message = "not a text file (bytes are neither UTF-8 nor Windows-1252)"
            raise InputError(message, source=source) from error
    if len(_BINARY_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        raise InputError("not a text file (binary content)", source=source)
    return text


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")


def _mode(lines: list[Line | None]) -> GroupMode:
    filled = [line for line in lines if line is not None]
    blanks = sum(1 for index in range(1, len(lines)) if lines[index] is None and lines[index - 1] is not None)
    if blanks and len(filled) <= 8 * blanks:
        return "blank"
    widths = sorted(line.width for line in filled)
    if widths and widths[int(0.9 * (len(widths) - 1))] > _WRAPPED_WIDTH:
        return "lines"  # long lines: the text is not hard-wrapped, each line is a paragraph
    return "layout"


def parse_txt(text: str, *, source: str | None = None) -> ParsedDocument:
    """Parse plain text; numbered clauses ("12.3 Termination", "ARTICLE 4") open sections.

    >>> doc = parse_txt("1. Fees\\n\\n1.1 Amount. The fee is 10 EUR.\\n\\n2. Term\\n\\nOne year.")
    >>> [(s.title, s.level) for s in doc.nodes("section")]
    [('1. Fees', 1), ('1.1 Amount', 2), ('2. Term', 1)]
    """
    lines = split_lines(_newlines(text))
    builder = DocumentBuilder("txt", source=source)
    for group in group_lines(lines, mode=_mode(lines)):
        builder.paragraph_lines([(line.text, None) for line in group], clause=True)
    return builder.build()


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.replace("\\|", "|") for cell in _CELL_SPLIT.split(line)]


class _MarkdownReader:
    def __init__(self, text: str, source: str | None) -> None:
        self.lines = _newlines(text).split("\n")
        self.builder = DocumentBuilder("markdown", source=source)
        self.paragraph: list[str] = []
        self.title: str | None = None

    def flush(self) -> None:
        if self.paragraph:
            self.builder.paragraph(" ".join(self.paragraph))
            self.paragraph = []

    def heading(self, text: str, level: int) -> None:
        self.flush()
        if level == 1 and self.title is None and normalize_inline(text):
            self.title = normalize_inline(text)
        self.builder.heading(text, level)

    def fence(self, index: int, marker: str) -> int:
        """Emit a fenced code block as one paragraph; returns the index after its closing fence."""
        self.flush()
        body = []
        index += 1
        while index < len(self.lines) and not self.lines[index].strip().startswith(marker):
            body.append(self.lines[index])
            index += 1
        self.builder.paragraph(" ".join(body))
        return index + 1

    def table(self, index: int) -> int:
        """Emit a pipe table whose header is at ``index``; returns the index after its last row."""
        self.flush()
        rows = [_cells(self.lines[index])]
        index += 2
        while index < len(self.lines) and self.lines[index].strip() and "|" in self.lines[index]:
            rows.append(_cells(self.lines[index]))
            index += 1
        self.builder.table(rows, header=True)
        return index

    def read(self) -> ParsedDocument:
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
            fence = _FENCE.match(line)
            if fence:
                index = self.fence(index, fence.group(1)[:3])
                continue
            index += 1
            if not line.strip():
                self.flush()
            elif (atx := _ATX.fullmatch(line)) is not None:
                self.heading(atx.group(2) or "", len(atx.group(1)))
            elif self.paragraph and (setext := _SETEXT.fullmatch(line)) is not None:
                text = " ".join(self.paragraph)
                self.paragraph = []
                self.heading(text, 1 if setext.group(1)[0] == "=" else 2)
            elif _THEMATIC_BREAK.fullmatch(line):
                self.flush()
            elif "|" in line and _TABLE_DELIMITER.fullmatch(following) and "-" in following:
                index = self.table(index - 1)
            elif _LIST_ITEM.match(line):
                self.flush()
                self.paragraph.append(line.strip())
            else:
                self.paragraph.append(line.strip())
        self.flush()
        return self.builder.build(title=self.title)


def parse_markdown(text: str, *, source: str | None = None) -> ParsedDocument:
    """Parse Markdown: ``#`` headings open sections, pipe tables keep headers, list items are paragraphs.

    >>> doc = parse_markdown("# Fees\\n\\n| Item | Amount |\\n|---|---|\\n| Rent | 1,200 |\\n")
    >>> doc.text
    'Fees\\n\\nItem | Amount\\nItem: Rent | Amount: 1,200'
    """
    return _MarkdownReader(text, source).read()
