"""The assistant's bridges to its table reader and its module tools, imported only when they are installed.

``argentier.assistant.tables`` reads values (and computes changes) from the cells of the retrieved
documents' tables; ``argentier.assistant.tools`` routes a question to a read-only module tool (account
data, forecasts, ...). Both are optional: without them the assistant answers from passages only.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Mapping

from argentier.assistant._types import Answer, Citation, Highlight
from argentier.assistant.retrieval import Retrieval
from argentier.core.documents import ParsedDocument
from argentier.core.search import DocumentRef
from argentier.errors import ArgentierError

if TYPE_CHECKING:
    from argentier.assistant.answer import Assistant

__all__ = ["load_optional", "table_answer", "tool_answer"]

MAX_TABLE_DOCUMENTS = 3


def load_optional(name: str) -> Any | None:
    """``argentier.assistant.<name>`` if it is there, else ``None``."""
    try:
        return importlib.import_module(f"argentier.assistant.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"argentier.assistant.{name}":
            raise
        return None


def tool_answer(
    assistant: "Assistant", question: str, query: str, *, groups: tuple[str, ...] | None, user: str
) -> Answer | None:
    """The answer of the module tool the question routes to, run with the caller's groups; else ``None``."""
    tools_module = load_optional("tools")
    if tools_module is None:
        return None
    if assistant.tools is None:
        assistant.tools = tools_module.default_tools()
    picked = tools_module.route(query, assistant.tools)
    if picked is None:
        return None
    tool, arguments = picked
    context = tools_module.ToolContext(
        settings=assistant.settings,
        store=assistant.library.store,
        library=assistant.library,
        groups=groups,
        user=user,
    )
    try:
        result = tool.run(arguments, context)
    except ArgentierError:
        return None  # the question only looked like a tool call; the documents may still answer it
    citations = tuple(_tool_citation(item, result.tool) for item in result.citations)
    return Answer(
        question=question,
        answer=result.text,
        citations=citations,
        refused=False,
        method="tool",
        confidence=1.0,
        query=query,
        details={"tool": result.tool, "arguments": dict(arguments), "data": result.data},
    )


def _tool_citation(item: Mapping[str, Any], tool: str) -> Citation:
    document = item.get("document")
    if isinstance(document, Mapping) and "id" in document:
        ref = DocumentRef(int(document["id"]), str(document.get("title", "")), document.get("path"))
        return Citation(
            document=ref,
            page=item.get("page"),
            section=item.get("section"),
            start=item.get("start"),
            end=item.get("end"),
            quote=str(item.get("quote", "")),
            source={"kind": "tool", "tool": tool},
        )
    quote = item.get("quote") or item.get("text") or ""
    return Citation(
        document=None, page=None, section=None, start=None, end=None, quote=str(quote),
        source={"kind": "tool", "tool": tool, **{k: v for k, v in item.items() if k not in ("quote",)}},
    )


def table_answer(
    assistant: "Assistant", question: str, query: str, retrieval: Retrieval, cache: OrderedDict
) -> Answer | None:
    """The best table answer from the top retrieved documents' tables, citing its cells; else ``None``."""
    tables_module = load_optional("tables")
    if tables_module is None:
        return None
    best = None
    seen: list[int] = []
    for hit in retrieval.hits:
        if hit.document.id in seen:
            continue
        seen.append(hit.document.id)
        if len(seen) > MAX_TABLE_DOCUMENTS:
            break
        parsed = retrieval.documents.get(hit.document.id)
        if parsed is None:
            continue
        key = (hit.document.id, parsed.content_hash)
        tables = cache.get(key)
        if tables is None:
            tables = tables_module.find_tables(parsed)
            cache[key] = tables
            while len(cache) > 256:
                cache.popitem(last=False)
        if not tables:
            continue
        found = tables_module.answer_from_tables(query, tables, context=hit.document.title)
        # An answer that cites no cell cannot be checked, so it is not given.
        if found is not None and found.cells and (best is None or found.confidence > best[0].confidence):
            best = (found, hit, parsed)
    if best is None:
        return None
    found, hit, parsed = best
    citations = tuple(_cell_citation(cell, hit.document, hit.section, parsed) for cell in found.cells)
    return Answer(
        question=question,
        answer=found.answer,
        citations=citations,
        refused=False,
        method="table",
        confidence=round(float(found.confidence), 4),
        query=query,
        arithmetic=found.arithmetic,
        value=found.value,
        details={"scale": found.scale},
    )


def _cell_citation(cell: Any, document: DocumentRef, section: str | None, parsed: ParsedDocument) -> Citation:
    """The row holding the cell as the quote, the cell highlighted; row and column labels in ``source``."""
    start, end = cell.start, cell.end
    row_start, row_end = start, end
    for node in parsed.nodes("row"):
        if node.start <= start and end <= node.end:
            row_start, row_end = node.start, node.end
            break
    text = parsed.text
    return Citation(
        document=document,
        page=parsed.page_at(start),
        section=section,
        start=row_start,
        end=row_end,
        quote=text[row_start:row_end],
        highlight=Highlight(start, end, text[start:end]),
        source={"kind": "table_cell", "row": cell.row_label, "column": cell.column_label},
    )
