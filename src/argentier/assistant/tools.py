"""The assistant's tools: read-only calls into account data and the other modules, each answer cited.

A :class:`Tool` has a name, a description, a JSON-schema of its parameters and a ``run(args, context)``;
the :class:`ToolContext` carries the caller (``groups``: ``None`` is an administrator) and every tool applies
the caller's access rules: account rows by their groups, documents by the library's access control. Tools that
read data without per-row groups (forecast versions, fraud alerts, a profitability dataset) are limited to
``allowed_groups`` ("finance", "fraud", ...), see :func:`default_tools`.

:func:`route` picks a tool for a question deterministically (patterns and extracted arguments, no LLM) or
returns ``None``.

>>> from datetime import date
>>> from argentier.core.store import Store
>>> from argentier.assistant.accounts import AccountData
>>> store = Store.open("sqlite://")
>>> _ = AccountData(store).load_demo(seed=7, customers=4, as_of=date(2026, 6, 30))
>>> tool, args = route("Which invoices of C-1004 are overdue as of 2026-06-30?", default_tools())
>>> tool.name, args
('overdue_invoices', {'customer': 'C-1004', 'as_of': '2026-06-30'})
>>> result = tool.run(args, ToolContext(settings=None, store=store, library=None, groups=["finance"], user="ann"))
>>> result.citations[0]["table"]
'invoices'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from argentier.errors import AccessDeniedError, InputError

__all__ = ["Tool", "ToolContext", "ToolResult", "default_tools", "route"]


@dataclass(frozen=True)
class ToolContext:
    """Who calls and with what: the settings, the store, the document library and the caller's groups."""

    settings: Any
    store: Any
    library: Any
    groups: tuple[str, ...] | None
    user: str | None = None


@dataclass(frozen=True)
class ToolResult:
    """A tool's answer: a sentence or short list (``text``), its data, and citations of the rows or spans used."""

    tool: str
    text: str
    data: Any
    citations: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "text": self.text,
            "data": self.data,
            "citations": [dict(c) for c in self.citations],
        }


_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": (list, tuple)}


@dataclass(frozen=True)
class Tool:
    """A read-only tool; ``allowed_groups`` (``None``: any caller) restricts who may run it at all."""

    name: str
    description: str
    parameters: dict[str, Any]
    runner: Callable[[dict[str, Any], ToolContext], ToolResult] = field(repr=False)
    allowed_groups: frozenset[str] | None = None

    def check_arguments(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``args`` validated against :attr:`parameters`: required present, types right, nothing unknown."""
        properties = self.parameters.get("properties", {})
        unknown = sorted(set(args) - set(properties))
        if unknown:
            raise InputError(f"tool {self.name}: unknown argument(s) {', '.join(unknown)}")
        missing = [name for name in self.parameters.get("required", ()) if args.get(name) in (None, "")]
        if missing:
            raise InputError(f"tool {self.name}: missing argument(s) {', '.join(missing)}")
        clean = {}
        for name, value in args.items():
            if value is None:
                continue
            expected = _TYPES.get(properties[name].get("type", "string"), object)
            if isinstance(value, bool) and expected in (int, (int, float)) or not isinstance(value, expected):
                raise InputError(
                    f"tool {self.name}: argument {name} must be a {properties[name].get('type')}"
                )
            clean[name] = value
        return clean

    def run(self, args: Mapping[str, Any], context: ToolContext) -> ToolResult:
        """Run with validated arguments, if the caller may use this tool (:class:`AccessDeniedError` if not)."""
        if self.allowed_groups is not None and context.groups is not None:
            if not self.allowed_groups & set(context.groups):
                raise AccessDeniedError(
                    f"tool {self.name} needs one of the groups {', '.join(sorted(self.allowed_groups))}"
                )
        return self.runner(self.check_arguments(args), context)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


DEFAULT_RESTRICTIONS: dict[str, tuple[str, ...]] = {
    "fraud_alerts": ("fraud", "risk"),
    "forecast_version": ("finance", "fpa"),
    "profitability_whatif": ("finance", "fpa"),
}


def default_tools(*, restrictions: Mapping[str, Sequence[str] | None] | None = None) -> list[Tool]:
    """The account-data tools and the module tools; ``restrictions`` overrides :data:`DEFAULT_RESTRICTIONS`
    (tool name -> groups allowed to run it, ``None`` for anyone)."""
    from argentier.assistant._tools_accounts import account_tools
    from argentier.assistant._tools_modules import module_tools

    limits = {**DEFAULT_RESTRICTIONS, **(restrictions or {})}
    tools = []
    for tool in account_tools() + module_tools():
        allowed = limits.get(tool.name)
        tools.append(
            Tool(
                tool.name,
                tool.description,
                tool.parameters,
                tool.runner,
                frozenset(allowed) if allowed is not None else None,
            )
        )
    return tools


def route(question: str, tools: Sequence[Tool]) -> tuple[Tool, dict[str, Any]] | None:
    """The tool a question asks for and its arguments, or ``None`` when no tool fits (see ``_tools_route``)."""
    from argentier.assistant._tools_route import match_tool

    by_name = {tool.name: tool for tool in tools}
    found = match_tool(question, set(by_name))
    if found is None:
        return None
    name, args = found
    return by_name[name], args
