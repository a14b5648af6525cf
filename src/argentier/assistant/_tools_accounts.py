"""Account-data tools: thin, typed wrappers over :class:`argentier.assistant.accounts.AccountData` queries."""

from __future__ import annotations

from datetime import date
from typing import Any

from argentier.assistant.accounts import AccountData
from argentier.assistant.tools import Tool, ToolContext, ToolResult
from argentier.errors import InputError

__all__ = ["account_tools"]

_CUSTOMER = {"type": "string", "description": "customer id (C-1001) or name"}
_AS_OF = {"type": "string", "description": "date YYYY-MM-DD (default: today)"}


def _as_of(args: dict[str, Any]) -> date:
    text = args.get("as_of")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"as_of {text!r} is not a date (YYYY-MM-DD)") from None


def _data(context: ToolContext) -> AccountData:
    return AccountData(context.store)


def _money(currency: str, amount: Any) -> str:
    return f"{currency} {float(amount):,.2f}"


def _customer_lookup(args: dict[str, Any], context: ToolContext) -> ToolResult:
    found = _data(context).find_customers(args["customer"], groups=context.groups, limit=5)
    if not found:
        return ToolResult(
            "customer_lookup", f"No customer matching {args['customer']!r} that you may see.", [], ()
        )
    lines = [
        f"{c.name} ({c.customer_id}), {c.segment or 'no segment'}, {c.country or '?'}, {c.currency}"
        + (f", credit limit {_money(c.currency, c.credit_limit)}" if c.credit_limit is not None else "")
        + (f", {c.email}" if c.email else "")
        for c in found
    ]
    return ToolResult(
        "customer_lookup", "\n".join(lines), [c.to_dict() for c in found], tuple(c.citation() for c in found)
    )


def _invoice_lines(records) -> str:  # noqa: ANN001 - list[InvoiceRecord]
    return "\n".join(
        f"{r.invoice_number} ({r.customer_name}): {_money(r.currency, r.outstanding)} outstanding of "
        f"{_money(r.currency, r.amount)}, due {r.due_date.isoformat()}"
        + (f", {r.days_overdue} days overdue" if r.days_overdue else "")
        for r in records
    )


def _open_invoices(args: dict[str, Any], context: ToolContext) -> ToolResult:
    records = _data(context).open_invoices(args["customer"], groups=context.groups, as_of=_as_of(args))
    if not records:
        return ToolResult("open_invoices", f"{args['customer']} has no open invoices.", [], ())
    return ToolResult(
        "open_invoices",
        _invoice_lines(records),
        [r.to_dict() for r in records],
        tuple(r.citation() for r in records),
    )


def _overdue_invoices(args: dict[str, Any], context: ToolContext) -> ToolResult:
    as_of = _as_of(args)
    records = _data(context).overdue_invoices(
        groups=context.groups,
        as_of=as_of,
        customer=args.get("customer"),
        min_days=int(args.get("min_days", 1)),
        limit=int(args.get("limit", 20)),
    )
    who = f" for {args['customer']}" if args.get("customer") else ""
    if not records:
        return ToolResult("overdue_invoices", f"No overdue invoices{who} on {as_of.isoformat()}.", [], ())
    records = sorted(records, key=lambda r: (-r.days_overdue, r.invoice_number))
    head = f"{len(records)} overdue invoice(s){who} on {as_of.isoformat()}:\n"
    return ToolResult(
        "overdue_invoices",
        head + _invoice_lines(records),
        [r.to_dict() for r in records],
        tuple(r.citation() for r in records),
    )


def _invoice_payments(args: dict[str, Any], context: ToolContext) -> ToolResult:
    data = _data(context)
    invoice = data.invoice(args["invoice"], groups=context.groups, as_of=_as_of(args))
    payments = data.payments_of_invoice(args["invoice"], groups=context.groups)
    head = (
        f"{invoice.invoice_number} ({invoice.customer_name}): {_money(invoice.currency, invoice.amount)}, "
        f"due {invoice.due_date.isoformat()}, status {invoice.status}, "
        f"{_money(invoice.currency, invoice.outstanding)} outstanding."
    )
    lines = [
        f"Paid {_money(p.currency, p.amount)} on {p.paid_on.isoformat()} by {p.method or '?'} ({p.payment_id})"
        for p in payments
    ] or ["No payments recorded."]
    return ToolResult(
        "invoice_payments",
        "\n".join([head, *lines]),
        {"invoice": invoice.to_dict(), "payments": [p.to_dict() for p in payments]},
        (invoice.citation(), *(p.citation() for p in payments)),
    )


def _customer_balance(args: dict[str, Any], context: ToolContext) -> ToolResult:
    balance = _data(context).balance(args["customer"], groups=context.groups, as_of=_as_of(args))
    c = balance.customer
    text = (
        f"{c.name} ({c.customer_id}) owes {_money(balance.currency, balance.outstanding)} on "
        f"{balance.as_of.isoformat()} over {balance.open_invoices} open invoice(s); "
        f"{_money(balance.currency, balance.overdue)} is overdue ({balance.overdue_invoices} invoice(s))"
    )
    if balance.credit_limit is not None:
        text += f"; credit limit {_money(balance.currency, balance.credit_limit)}"
    citations = (
        c.citation(),
        *({"kind": "account_row", "table": "invoices", "id": i} for i in balance.invoice_ids),
    )
    return ToolResult("customer_balance", text + ".", balance.to_dict(), citations)


def account_tools() -> list[Tool]:
    obj = "object"
    return [
        Tool(
            "customer_lookup",
            "Find customers by id or name: contact, segment, currency, credit limit.",
            {"type": obj, "properties": {"customer": _CUSTOMER}, "required": ["customer"]},
            _customer_lookup,
        ),
        Tool(
            "open_invoices",
            "A customer's open invoices with outstanding amounts and due dates.",
            {"type": obj, "properties": {"customer": _CUSTOMER, "as_of": _AS_OF}, "required": ["customer"]},
            _open_invoices,
        ),
        Tool(
            "overdue_invoices",
            "Open invoices past their due date, most overdue first (optionally of one customer).",
            {
                "type": obj,
                "properties": {
                    "customer": _CUSTOMER,
                    "as_of": _AS_OF,
                    "min_days": {"type": "integer", "description": "days past due, at least"},
                    "limit": {"type": "integer"},
                },
                "required": [],
            },
            _overdue_invoices,
        ),
        Tool(
            "invoice_payments",
            "An invoice's amount, status and the payments recorded against it.",
            {
                "type": obj,
                "properties": {
                    "invoice": {"type": "string", "description": "invoice number"},
                    "as_of": _AS_OF,
                },
                "required": ["invoice"],
            },
            _invoice_payments,
        ),
        Tool(
            "customer_balance",
            "What a customer owes: open balance, overdue part, credit limit.",
            {"type": obj, "properties": {"customer": _CUSTOMER, "as_of": _AS_OF}, "required": ["customer"]},
            _customer_balance,
        ),
    ]
