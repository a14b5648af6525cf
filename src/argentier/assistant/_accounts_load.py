"""Validate and load account-data rows (customers, invoices, payments): every row checked before any write.

A row's business key (``customer_id``, ``invoice_number``, ``payment_id``) already in the store updates that
row, so a monthly export can be loaded again. The first problem raises one :class:`InputError` naming the
source, the row (1 = first data row) and the column, and the caller's transaction writes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from argentier.assistant._accounts_types import to_minor
from argentier.core.store._account_models import INVOICE_STATUSES, Customer, Invoice, Payment
from argentier.errors import InputError

__all__ = ["KINDS", "COLUMNS", "LoadReport", "read_csv", "load_rows"]

KINDS = ("customers", "invoices", "payments")
# (required, optional) columns per kind; "groups" is always optional ("finance;sales-emea").
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "customers": (
        ("customer_id", "name", "currency"),
        ("email", "country", "segment", "credit_limit", "groups"),
    ),
    "invoices": (
        ("invoice_number", "customer_id", "issue_date", "due_date", "amount", "currency"),
        ("status", "description", "groups"),
    ),
    "payments": (("payment_id", "invoice_number", "paid_on", "amount", "currency"), ("method", "groups")),
}


@dataclass(frozen=True)
class LoadReport:
    kind: str
    source: str
    inserted: int
    updated: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def read_csv(path: Path, kind: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV whose header holds the columns ``kind`` requires (and no unknown ones)."""
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            required, optional = COLUMNS[kind]
            missing = [name for name in required if name not in header]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)} for {kind}", source=str(path))
            unknown = [name for name in header if name not in required + optional]
            if unknown:
                raise InputError(f"unknown column(s) {', '.join(unknown)} for {kind}", source=str(path))
            reader.fieldnames = header
            rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 CSV file", source=str(path)) from None
    except csv.Error as error:
        raise InputError(f"not a valid CSV file ({error})", source=str(path)) from None
    if not rows:
        raise InputError("no data rows", source=str(path))
    return rows


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{field} {text!r} is not a date (YYYY-MM-DD)") from None


def _currency(text: str) -> str:
    if len(text) != 3 or not text.isalpha():
        raise InputError(f"currency {text!r} is not a 3-letter ISO code")
    return text.upper()


def _groups(text: str, default: Sequence[str]) -> list[str]:
    groups = (
        sorted({g.strip() for g in text.replace(",", ";").split(";") if g.strip()})
        if text
        else sorted(set(default))
    )
    if not groups:
        raise InputError("no groups: give groups= or a groups column (account rows are never public)")
    return groups


def _customer(session: Session, row: dict[str, str], groups: Sequence[str], cache: dict) -> tuple[Any, bool]:
    key = row["customer_id"]
    if not key or not row["name"]:
        raise InputError("customer_id and name must not be empty")
    limit = to_minor(row["credit_limit"], field="credit_limit") if row.get("credit_limit") else None
    values = dict(
        name=row["name"],
        email=row.get("email") or None,
        country=(row.get("country") or None),
        segment=row.get("segment") or None,
        currency=_currency(row["currency"]),
        credit_limit_minor=limit,
        groups=_groups(row.get("groups", ""), groups),
    )
    return _upsert(session, Customer, Customer.customer_id, key, values, cache)


def _invoice(session: Session, row: dict[str, str], groups: Sequence[str], cache: dict) -> tuple[Any, bool]:
    customer = cache.get((Customer, row["customer_id"])) or session.scalar(
        select(Customer).where(Customer.customer_id == row["customer_id"])
    )
    if customer is None:
        raise InputError(f"unknown customer_id {row['customer_id']!r}")
    status = (row.get("status") or "open").lower()
    if status not in INVOICE_STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(INVOICE_STATUSES)}")
    issue, due = _date(row["issue_date"], "issue_date"), _date(row["due_date"], "due_date")
    if due < issue:
        raise InputError(f"due_date {due} is before issue_date {issue}")
    values = dict(
        customer_id=customer.id,
        issue_date=issue,
        due_date=due,
        amount_minor=to_minor(row["amount"]),
        currency=_currency(row["currency"]),
        status=status,
        description=row.get("description") or None,
        groups=_groups(row.get("groups", ""), groups or customer.groups),
    )
    return _upsert(session, Invoice, Invoice.invoice_number, row["invoice_number"], values, cache)


def _payment(session: Session, row: dict[str, str], groups: Sequence[str], cache: dict) -> tuple[Any, bool]:
    invoice = cache.get((Invoice, row["invoice_number"])) or session.scalar(
        select(Invoice).where(Invoice.invoice_number == row["invoice_number"])
    )
    if invoice is None:
        raise InputError(f"unknown invoice_number {row['invoice_number']!r}")
    currency = _currency(row["currency"])
    if currency != invoice.currency:
        raise InputError(
            f"currency {currency} differs from invoice {invoice.invoice_number}'s {invoice.currency}"
        )
    amount = to_minor(row["amount"])
    if amount <= 0:
        raise InputError(f"amount {row['amount']!r} must be positive")
    values = dict(
        invoice_id=invoice.id,
        paid_on=_date(row["paid_on"], "paid_on"),
        amount_minor=amount,
        currency=currency,
        method=row.get("method") or None,
        groups=_groups(row.get("groups", ""), groups or invoice.groups),
    )
    return _upsert(session, Payment, Payment.payment_id, row["payment_id"], values, cache)


def _upsert(
    session: Session, model: type, key_column: Any, key: str, values: dict, cache: dict
) -> tuple[Any, bool]:
    if not key:
        raise InputError(f"{key_column.key} must not be empty")
    if (model, key) in cache:
        raise InputError(f"duplicate {key_column.key} {key!r}")
    row = session.scalar(select(model).where(key_column == key))
    inserted = row is None
    if row is None:
        row = model(**{key_column.key: key})
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    cache[(model, key)] = row
    return row, inserted


_LOADERS: dict[str, Callable[..., tuple[Any, bool]]] = {
    "customers": _customer,
    "invoices": _invoice,
    "payments": _payment,
}


def load_rows(
    session: Session, kind: str, rows: list[dict[str, str]], *, groups: Sequence[str], source: str
) -> LoadReport:
    """Write ``rows`` of ``kind`` in the caller's transaction; the first bad row raises and nothing is kept."""
    if kind not in KINDS:
        raise InputError(f"unknown account data kind {kind!r} (use one of {', '.join(KINDS)})")
    required, optional = COLUMNS[kind]
    cache: dict = {}
    inserted = updated = 0
    for number, row in enumerate(rows, start=1):
        try:
            missing = [name for name in required if not str(row.get(name, "")).strip()]
            if missing:
                raise InputError(f"empty {', '.join(missing)}")
            clean = {k: str(v).strip() for k, v in row.items() if k in required + optional}
            _, new = _LOADERS[kind](session, clean, groups, cache)
        except InputError as error:
            raise InputError(f"row {number}: {error.reason}", source=source) from None
        inserted += int(new)
        updated += int(not new)
    return LoadReport(kind, source, inserted, updated)
