"""The normalised document: one text, a structure tree with character offsets into it, and pages."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal

NodeKind = Literal["document", "section", "paragraph", "sentence", "table", "row"]


@dataclass(frozen=True)
class Node:
    """A span of the document text with a role in its structure.

    ``text[start:end]`` of the owning :class:`ParsedDocument` is exactly the node's text. Sections carry their
    heading (``title``, e.g. ``"12.3 Termination"``), their clause number when there is one (``"12.3"``) and their
    depth (``level``, 1 = top). ``page`` is the 1-based page where the node starts, for paged formats.
    """

    kind: NodeKind
    start: int
    end: int
    page: int | None = None
    title: str | None = None
    number: str | None = None
    level: int = 0
    children: tuple["Node", ...] = ()

    def walk(self) -> Iterator["Node"]:
        """Yield this node and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "start": self.start, "end": self.end}
        for name in ("page", "title", "number"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.level:
            data["level"] = self.level
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Node":
        children = tuple(cls.from_dict(child) for child in data.get("children", ()))
        return cls(
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            page=data.get("page"),
            title=data.get("title"),
            number=data.get("number"),
            level=data.get("level", 0),
            children=children,
        )


@dataclass(frozen=True)
class Page:
    """A page of a paged source (PDF): 1-based ``number`` and its span of the document text."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class ParsedDocument:
    """A loaded document: normalised ``text``, its structure ``root`` and, for PDFs, its ``pages``."""

    text: str
    root: Node
    format: str
    title: str | None = None
    pages: tuple[Page, ...] = ()
    _page_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_page_starts", tuple(page.start for page in self.pages))

    @property
    def content_hash(self) -> str:
        """SHA-256 of the normalised text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character ``offset``, or ``None`` for unpaged documents."""
        if not self.pages:
            return None
        index = bisect.bisect_right(self._page_starts, offset) - 1
        return self.pages[max(index, 0)].number

    def nodes(self, kind: NodeKind | None = None) -> Iterator[Node]:
        """Every node of the tree (or only those of one ``kind``), in document order."""
        return (node for node in self.root.walk() if kind is None or node.kind == kind)

    def structure_to_dict(self) -> dict[str, Any]:
        """The tree and pages as JSON-ready data (the text is stored beside it)."""
        return {
            "format": self.format,
            "title": self.title,
            "root": self.root.to_dict(),
            "pages": [[page.number, page.start, page.end] for page in self.pages],
        }

    @classmethod
    def from_structure(cls, text: str, data: dict[str, Any]) -> "ParsedDocument":
        """Rebuild a document from its text and :meth:`structure_to_dict` output."""
        return cls(
            text=text,
            root=Node.from_dict(data["root"]),
            format=data["format"],
            title=data.get("title"),
            pages=tuple(Page(*page) for page in data.get("pages", ())),
        )
