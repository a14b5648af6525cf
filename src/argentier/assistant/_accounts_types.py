"""Frozen results of the account-data queries; each row can cite itself (table and id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from argentier.core.store._account_models import Customer, Invoice, Payment
from argentier.errors import InputError

__all__ = ["CustomerRecord", "InvoiceRecord", "PaymentRecord", "CustomerBalance", "to_minor", "from_minor"]

_CENT = Decimal("0.01")


def to_minor(text: str, *, field: str = "amount") -> int:
    """``"1,234.50"`` -> ``123450`` minor units; :class:`InputError` for anything that is not an amount.

    >>> to_minor("1,234.5"), to_minor("-20"), from_minor(123450)
    (123450, -2000, Decimal('1234.50'))
    """
    cleaned = text.strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{field} {text!r} is not an amount") from None
    if not value.is_finite() or value != value.quantize(_CENT):
        raise InputError(f"{field} {text!r} is not an amount with at most 2 decimals")
    return int(value * 100)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(_CENT)


def citation(table: str, row_id: int, key: str, quote: str) -> dict[str, Any]:
    return {"kind": "account_row", "table": table, "id": row_id, "key": key, "quote": quote}


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    customer_id: str
    name: str
    email: str | None
    country: str | None
    segment: str | None
    currency: str
    credit_limit: Decimal | None

    @classmethod
    def from_row(cls, row: Customer) -> "CustomerRecord":
        limit = from_minor(row.credit_limit_minor) if row.credit_limit_minor is not None else None
        return cls(
            row.id, row.customer_id, row.name, row.email, row.country, row.segment, row.currency, limit
        )

    def citation(self) -> dict[str, Any]:
        return citation("customers", self.id, self.customer_id, f"{self.customer_id} {self.name}")

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["credit_limit"] = str(self.credit_limit) if self.credit_limit is not None else None
        return data


@dataclass(frozen=True)
class InvoiceRecord:
    """An invoice with what the caller can see paid against it, and its days overdue on ``as_of``."""

    id: int
    invoice_number: str
    customer_id: str
    customer_name: str
    issue_date: date
    due_date: date
    amount: Decimal
    paid: Decimal
    currency: str
    status: str
    description: str | None
    as_of: date

    @classmethod
    def from_row(cls, row: Invoice, customer: Customer, paid_minor: int, as_of: date) -> "InvoiceRecord":
        return cls(
            row.id,
            row.invoice_number,
            customer.customer_id,
            customer.name,
            row.issue_date,
            row.due_date,
            from_minor(row.amount_minor),
            from_minor(paid_minor),
            row.currency,
            row.status,
            row.description,
            as_of,
        )

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, Decimal("0.00")) if self.status == "open" else Decimal("0.00")

    @property
    def days_overdue(self) -> int:
        return max((self.as_of - self.due_date).days, 0)

    def citation(self) -> dict[str, Any]:
        quote = (
            f"{self.invoice_number} {self.customer_name} due {self.due_date.isoformat()} "
            f"{self.currency} {self.amount} ({self.status})"
        )
        return citation("invoices", self.id, self.invoice_number, quote)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "invoice_number": self.invoice_number,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "amount": str(self.amount),
            "paid": str(self.paid),
            "outstanding": str(self.outstanding),
            "currency": self.currency,
            "status": self.status,
            "description": self.description,
            "days_overdue": self.days_overdue,
            "as_of": self.as_of.isoformat(),
        }


@dataclass(frozen=True)
class PaymentRecord:
    id: int
    payment_id: str
    invoice_number: str
    paid_on: date
    amount: Decimal
    currency: str
    method: str | None

    @classmethod
    def from_row(cls, row: Payment, invoice: Invoice) -> "PaymentRecord":
        return cls(
            row.id,
            row.payment_id,
            invoice.invoice_number,
            row.paid_on,
            from_minor(row.amount_minor),
            row.currency,
            row.method,
        )

    def citation(self) -> dict[str, Any]:
        quote = f"{self.payment_id} {self.paid_on.isoformat()} {self.currency} {self.amount} for {self.invoice_number}"
        return citation("payments", self.id, self.payment_id, quote)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payment_id": self.payment_id,
            "invoice_number": self.invoice_number,
            "paid_on": self.paid_on.isoformat(),
            "amount": str(self.amount),
            "currency": self.currency,
            "method": self.method,
        }


@dataclass(frozen=True)
class CustomerBalance:
    """A customer's open balance on ``as_of``, over the invoices and payments the caller may see."""

    customer: CustomerRecord
    as_of: date
    currency: str
    outstanding: Decimal
    overdue: Decimal
    open_invoices: int
    overdue_invoices: int
    credit_limit: Decimal | None
    invoice_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer.to_dict(),
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "outstanding": str(self.outstanding),
            "overdue": str(self.overdue),
            "open_invoices": self.open_invoices,
            "overdue_invoices": self.overdue_invoices,
            "credit_limit": str(self.credit_limit) if self.credit_limit is not None else None,
        }
