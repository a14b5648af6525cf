"""Deterministic routing of a question to a tool: keyword patterns, then arguments read from the question.

A tool is chosen only when the question both names its subject ("overdue", "balance", "fraud alert") and
carries what the tool needs (an invoice number, a customer id or a capitalised name, a document reference);
otherwise :func:`match_tool` returns ``None`` and the assistant answers from documents.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["match_tool", "customer_in", "invoice_in"]

_INVOICE = re.compile(r"\b(INV[-/]?[A-Z0-9][A-Z0-9/-]*\d)\b", re.I)
_INVOICE_NO = re.compile(r"\binvoice\s+(?:number|no\.?|#)\s*([A-Z0-9][A-Z0-9-/]*)", re.I)
_CUSTOMER_ID = re.compile(r"\b([A-Z]{1,4}-\d{3,})\b")
_QUOTED = re.compile(r"[\"“']([^\"”']{2,80})[\"”']")
_DATE = re.compile(r"\b(?:as of|on|at)\s+(\d{4}-\d{2}-\d{2})\b", re.I)
_DAYS = re.compile(r"\b(?:more than|over|at least|by more than)\s+(\d{1,4})\s+days\b", re.I)
_LAST_DAYS = re.compile(r"\b(?:last|past)\s+(\d{1,4})\s+days\b", re.I)
_NAME_STOP = frozenset(
    """what which who whom how when where why is are was were does do did show list give tell me please the a an
    of for by from to in on at and or as our my customer customers client clients account accounts invoice invoices
    payment payments balance open overdue unpaid outstanding any all i we can could would should there""".split()
)
_NAME_TOKEN = re.compile(r"[A-Z][\w&.'’-]*|&|\d[\w-]*")
_AMOUNT_WORD = re.compile(r"[A-Z]{3}|\d[\d.,]*[kKmM]?")  # a currency code or a number: "EUR 800" is no name


def invoice_in(question: str) -> str | None:
    """An invoice number in the question: "INV-2026-00042", "invoice number 8812".

    >>> invoice_in("Was INV-2026-00042 paid?"), invoice_in("payments of invoice no. 8812")
    ('INV-2026-00042', '8812')
    """
    match = _INVOICE.search(question) or _INVOICE_NO.search(question)
    return match.group(1).upper() if match else None


def customer_in(question: str) -> str | None:
    """A customer id (C-1001), a quoted name, or the longest run of capitalised words that is not a question word.

    >>> customer_in("How much does Northwind Traders GmbH owe us?"), customer_in("open invoices of C-1004")
    ('Northwind Traders GmbH', 'C-1004')
    >>> customer_in("Who approves a customer refund of EUR 800?") is None
    True
    """
    for pattern in (_QUOTED, _CUSTOMER_ID):
        match = pattern.search(question)
        if match and not _INVOICE.fullmatch(match.group(1)):
            return match.group(1).strip()
    question = _DATE.sub(" ", question)
    runs: list[list[str]] = [[]]
    for word in question.replace("?", " ").replace(",", " ").split():
        word = word.rstrip("'’s") if word.endswith(("'s", "’s")) else word
        if _NAME_TOKEN.fullmatch(word) and word.lower() not in _NAME_STOP and not _INVOICE.fullmatch(word):
            runs[-1].append(word)
        else:
            runs.append([])
    runs = [
        run
        for run in runs
        if any(word[0].isupper() for word in run) and not all(_AMOUNT_WORD.fullmatch(word) for word in run)
    ]
    if not runs:
        return None
    best = max(runs, key=len)
    name = " ".join(best).strip()
    if name.endswith(".") and not re.search(r"\b(?:Inc|Corp|Co|Ltd|B\.V|S\.A|N\.V|K\.K|Pte\. Ltd)\.$", name):
        name = name.rstrip(".")
    return name


def _with(args: dict[str, Any], question: str) -> dict[str, Any]:
    date = _DATE.search(question)
    if date:
        args["as_of"] = date.group(1)
    return args


_OVERDUE = re.compile(r"\boverdue\b|\bpast due\b|\blate (?:invoices|payers?)\b|\bnot paid on time\b", re.I)
_OPEN = re.compile(
    r"\b(?:open|unpaid|outstanding)\s+invoices?\b|\binvoices?\b.*\b(?:open|unpaid|outstanding)\b", re.I
)
_BALANCE = re.compile(r"\bbalance\b|\bhow much does\b.*\bowe\b|\bowes?\b|\bamount due\b|\bexposure\b", re.I)
_PAYMENTS = re.compile(r"\bpaid\b|\bpayments?\b|\bsettled\b|\bstatus\b|\binvoice\b", re.I)
_CUSTOMER = re.compile(r"\bcustomer\b|\bclient\b|\bcontact\b|\bcredit limit\b|\bsegment\b", re.I)
_REGWATCH = re.compile(
    r"\bregulatory (?:digest|updates?|changes?|news)\b|\bnew regulations?\b|\bregwatch\b", re.I
)
_CONTRACT = re.compile(r"\bclauses?\b|\bcontract\b.*\b(?:terms?|provisions?)\b", re.I)
_DOCUMENT_REF = re.compile(r"\b(?:document|contract|agreement)\s+#?(\d+)\b", re.I)
_FRAUD = re.compile(r"\bfraud (?:alerts?|cases?)\b|\bsuspicious transactions?\b", re.I)
_FRAUD_REF = re.compile(r"\b(?:alert|case|transaction)\s+#?([A-Za-z0-9][\w-]*\d[\w-]*)\b", re.I)
_FORECAST = re.compile(r"\bforecast\b", re.I)
_VERSION = re.compile(r"\bversion\s+[\"“']?([\w.-]+)[\"”']?(?:\s+#?(\d+))?", re.I)
_WHATIF = re.compile(
    r"\bwhat[- ]if\b|\bwhat happens if\b|\bif\b.*\b(?:rises?|falls?|increases?|decreases?)\b", re.I
)
_CHANGE = re.compile(r"\b([a-z_]+)\s+(?:rises?|increases?|goes up|up)\s+(?:by\s+)?(\d+(?:\.\d+)?)\s*%", re.I)
_CHANGE_DOWN = re.compile(
    r"\b([a-z_]+)\s+(?:falls?|decreases?|goes down|drops?|down)\s+(?:by\s+)?(\d+(?:\.\d+)?)\s*%", re.I
)
_PATH = re.compile(r"(?:\s|^)((?:~|\.{1,2})?/[\w./-]+|[\w.-]+/[\w./-]*)")


def _route_accounts(question: str, names: set[str]) -> tuple[str, dict[str, Any]] | None:
    invoice = invoice_in(question)
    if invoice and "invoice_payments" in names and _PAYMENTS.search(question):
        return "invoice_payments", _with({"invoice": invoice}, question)
    customer = customer_in(question)
    if _OVERDUE.search(question) and "overdue_invoices" in names:
        args: dict[str, Any] = {"customer": customer} if customer else {}
        days = _DAYS.search(question)
        if days:
            args["min_days"] = int(days.group(1)) + (0 if "at least" in days.group(0).lower() else 1)
        return "overdue_invoices", _with(args, question)
    if not customer:
        return None
    if _OPEN.search(question) and "open_invoices" in names:
        return "open_invoices", _with({"customer": customer}, question)
    if _BALANCE.search(question) and "customer_balance" in names:
        return "customer_balance", _with({"customer": customer}, question)
    if _CUSTOMER.search(question) and "customer_lookup" in names:
        return "customer_lookup", {"customer": customer}
    return None


def _route_modules(question: str, names: set[str]) -> tuple[str, dict[str, Any]] | None:
    if _REGWATCH.search(question) and "regwatch_digest" in names:
        days = _LAST_DAYS.search(question)
        return "regwatch_digest", {"days": int(days.group(1))} if days else {}
    if _FRAUD.search(question) and "fraud_alerts" in names:
        ref = _FRAUD_REF.search(question)
        return "fraud_alerts", {"alert": ref.group(1)} if ref else {}
    if _CONTRACT.search(question) and "contract_clauses" in names:
        ref = _DOCUMENT_REF.search(question) or _QUOTED.search(question)
        if ref:
            return "contract_clauses", {"document": ref.group(1)}
    if _FORECAST.search(question) and "forecast_version" in names:
        ref = _VERSION.search(question) or _QUOTED.search(question)
        if ref:
            args: dict[str, Any] = {"version": ref.group(1)}
            if ref.re is _VERSION and ref.group(2):
                args["number"] = int(ref.group(2))
            return "forecast_version", args
    if _WHATIF.search(question) and "profitability_whatif" in names:
        changes = [f"{m.group(1)}:+{m.group(2)}%" for m in _CHANGE.finditer(question)]
        changes += [f"{m.group(1)}:-{m.group(2)}%" for m in _CHANGE_DOWN.finditer(question)]
        path = _PATH.search(question)
        if changes and path:
            return "profitability_whatif", {"data": path.group(1).rstrip("."), "change": ";".join(changes)}
    return None


def match_tool(question: str, names: set[str]) -> tuple[str, dict[str, Any]] | None:
    """``(tool name, arguments)`` for the question among the tools ``names``, or ``None``."""
    question = " ".join(question.split())
    if not question:
        return None
    return _route_modules(question, names) or _route_accounts(question, names)
