"""Account data (customers, invoices, payments) in the store, behind read-only parameterised queries.

There is no free-form SQL: every question the assistant may ask of account data is one of the methods of
:class:`AccountData` (a customer by name or id, a customer's open invoices, overdue invoices, the payments of
an invoice, a customer's balance), each with typed parameters. Every row carries its own ``groups``; a caller
sees a row only when its groups intersect the caller's (``groups=None`` is an administrator and sees all).
A row the caller may not see behaves exactly like a row that does not exist, and totals are computed over
visible rows only, so nothing leaks through an error message or a sum.

>>> from argentier.core.store import Store
>>> data = AccountData(Store.open("sqlite://"))
>>> _ = data.load_demo(seed=7, customers=6)
>>> name = data.find_customers("", groups=None)[0].name
>>> [c.name for c in data.find_customers(name, groups=None)] == [name]
True
>>> data.find_customers(name, groups=["nobody"])
[]
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Literal, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from argentier.assistant._accounts_load import KINDS, LoadReport, load_rows, read_csv
from argentier.assistant._accounts_types import (
    CustomerBalance,
    CustomerRecord,
    InvoiceRecord,
    PaymentRecord,
    from_minor,
)
from argentier.core.store import Store
from argentier.core.store._account_models import Customer, Invoice, Payment
from argentier.errors import InputError, NotFoundError

__all__ = [
    "AccountData",
    "CustomerBalance",
    "CustomerRecord",
    "InvoiceRecord",
    "LoadReport",
    "PaymentRecord",
    "KINDS",
]


def _visible(row_groups: Iterable[str] | None, groups: frozenset[str] | None) -> bool:
    return groups is None or bool(set(row_groups or ()) & groups)


def _caller(groups: Iterable[str] | None) -> frozenset[str] | None:
    return None if groups is None else frozenset(str(group) for group in groups)


class AccountData:
    """Load account data and answer the fixed set of read-only queries, filtered by the caller's groups."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------ loading

    def load_csv(
        self, kind: Literal["customers", "invoices", "payments"], path: str | Path, *, groups: Sequence[str]
    ) -> LoadReport:
        """Load a CSV of ``kind`` (columns validated first); all rows or none. ``groups`` apply to rows
        without their own ``groups`` column value ("finance;sales-emea").

        Raises :class:`InputError` naming the file, row and column of the first problem.
        """
        if kind not in KINDS:
            raise InputError(f"unknown account data kind {kind!r} (use one of {', '.join(KINDS)})")
        rows = read_csv(Path(path), kind)
        return self.load_rows(kind, rows, groups=groups, source=str(path))

    def load_rows(
        self, kind: str, rows: list[dict[str, str]], *, groups: Sequence[str], source: str = "rows"
    ) -> LoadReport:
        """Like :meth:`load_csv` for rows already read (``{column: text}``)."""
        with self.store.session() as session:
            return load_rows(session, kind, rows, groups=groups, source=source)

    def load_demo(
        self, *, seed: int = 0, customers: int = 40, as_of: date | None = None
    ) -> dict[str, LoadReport]:
        """Generate realistic demo account data (see :mod:`argentier.assistant._accounts_demo`) and load it."""
        from argentier.assistant._accounts_demo import demo_rows

        tables = demo_rows(seed=seed, customers=customers, as_of=as_of)
        reports = {}
        with self.store.session() as session:
            for kind in KINDS:
                reports[kind] = load_rows(session, kind, tables[kind], groups=(), source=f"demo {kind}")
        return reports

    def is_empty(self) -> bool:
        """Whether no customer is loaded yet (whatever its groups: for loaders, not for answering)."""
        with self.store.session() as session:
            return session.query(Customer.id).first() is None

    # ------------------------------------------------------------------ queries

    def find_customers(
        self, query: str, *, groups: Iterable[str] | None, limit: int = 10
    ) -> list[CustomerRecord]:
        """Customers whose id equals ``query`` or whose name contains it (case-insensitive), best first."""
        caller = _caller(groups)
        text = query.strip()
        with self.store.session() as session:
            statement = select(Customer).order_by(Customer.name, Customer.id)
            if text:
                pattern = (
                    "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                statement = statement.where(
                    or_(
                        func.lower(Customer.customer_id) == text.lower(),
                        func.lower(Customer.name).like(pattern, escape="\\"),
                    )
                )
            found = [row for row in session.scalars(statement) if _visible(row.groups, caller)]
            exact = [row for row in found if text.lower() in (row.customer_id.lower(), row.name.lower())]
            ordered = exact + [row for row in found if row not in exact]
            return [CustomerRecord.from_row(row) for row in ordered[:limit]]

    def customer(self, customer: str, *, groups: Iterable[str] | None) -> CustomerRecord:
        """One customer by id or unambiguous name; :class:`NotFoundError` if none the caller may see."""
        with self.store.session() as session:
            return CustomerRecord.from_row(self._customer_row(session, customer, _caller(groups)))

    def _customer_row(self, session: Session, customer: str, caller: frozenset[str] | None) -> Customer:
        text = customer.strip()
        row = session.scalar(select(Customer).where(func.lower(Customer.customer_id) == text.lower()))
        if row is not None and _visible(row.groups, caller):
            return row
        rows = [
            r
            for r in session.scalars(select(Customer).where(func.lower(Customer.name) == text.lower()))
            if _visible(r.groups, caller)
        ]
        if not rows and text:
            pattern = "%" + text.lower().replace("%", "").replace("_", "") + "%"
            rows = [
                r
                for r in session.scalars(select(Customer).where(func.lower(Customer.name).like(pattern)))
                if _visible(r.groups, caller)
            ]
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            names = ", ".join(sorted(f"{r.name} ({r.customer_id})" for r in rows)[:5])
            raise InputError(f"customer {customer!r} is ambiguous: {names}")
        raise NotFoundError(f"no customer {customer!r}")

    def _invoices(
        self, session: Session, customer_row: Customer, caller: frozenset[str] | None
    ) -> list[Invoice]:
        statement = (
            select(Invoice)
            .where(Invoice.customer_id == customer_row.id)
            .order_by(Invoice.due_date, Invoice.id)
        )
        return [row for row in session.scalars(statement) if _visible(row.groups, caller)]

    def _paid(
        self, session: Session, invoice_ids: list[int], caller: frozenset[str] | None
    ) -> dict[int, int]:
        paid: dict[int, int] = {}
        if not invoice_ids:
            return paid
        for payment in session.scalars(select(Payment).where(Payment.invoice_id.in_(invoice_ids))):
            if _visible(payment.groups, caller):
                paid[payment.invoice_id] = paid.get(payment.invoice_id, 0) + payment.amount_minor
        return paid

    def _records(
        self, session: Session, rows: list[Invoice], caller: frozenset[str] | None, as_of: date
    ) -> list[InvoiceRecord]:
        paid = self._paid(session, [row.id for row in rows], caller)
        customers = {row.customer_id for row in rows}
        by_id = (
            {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customers)))}
            if customers
            else {}
        )
        return [
            InvoiceRecord.from_row(row, by_id[row.customer_id], paid.get(row.id, 0), as_of) for row in rows
        ]

    def open_invoices(
        self, customer: str, *, groups: Iterable[str] | None, as_of: date | None = None
    ) -> list[InvoiceRecord]:
        """A customer's invoices with status ``open`` and an outstanding amount, oldest due date first."""
        caller, as_of = _caller(groups), as_of or date.today()
        with self.store.session() as session:
            row = self._customer_row(session, customer, caller)
            invoices = [i for i in self._invoices(session, row, caller) if i.status == "open"]
            return [r for r in self._records(session, invoices, caller, as_of) if r.outstanding > 0]

    def overdue_invoices(
        self,
        *,
        groups: Iterable[str] | None,
        as_of: date | None = None,
        customer: str | None = None,
        min_days: int = 1,
        limit: int = 50,
    ) -> list[InvoiceRecord]:
        """Open invoices at least ``min_days`` past due on ``as_of`` (of one customer, if given), most overdue first."""
        caller, as_of = _caller(groups), as_of or date.today()
        if min_days < 0:
            raise InputError("min_days must be 0 or more")
        with self.store.session() as session:
            statement = select(Invoice).where(Invoice.status == "open", Invoice.due_date <= as_of)
            if customer:
                statement = statement.where(
                    Invoice.customer_id == self._customer_row(session, customer, caller).id
                )
            rows = [
                row
                for row in session.scalars(statement.order_by(Invoice.due_date, Invoice.id))
                if _visible(row.groups, caller)
            ]
            records = self._records(session, rows, caller, as_of)
            overdue = [r for r in records if r.outstanding > 0 and r.days_overdue >= min_days]
            return overdue[:limit]

    def invoice(
        self, invoice_number: str, *, groups: Iterable[str] | None, as_of: date | None = None
    ) -> InvoiceRecord:
        """One invoice by number; :class:`NotFoundError` if the caller may not see it."""
        caller, as_of = _caller(groups), as_of or date.today()
        with self.store.session() as session:
            row = self._invoice_row(session, invoice_number, caller)
            return self._records(session, [row], caller, as_of)[0]

    def _invoice_row(self, session: Session, invoice_number: str, caller: frozenset[str] | None) -> Invoice:
        row = session.scalar(
            select(Invoice).where(func.upper(Invoice.invoice_number) == invoice_number.strip().upper())
        )
        if row is None or not _visible(row.groups, caller):
            raise NotFoundError(f"no invoice {invoice_number!r}")
        return row

    def payments_of_invoice(
        self, invoice_number: str, *, groups: Iterable[str] | None
    ) -> list[PaymentRecord]:
        """The payments recorded against an invoice, in date order."""
        caller = _caller(groups)
        with self.store.session() as session:
            invoice = self._invoice_row(session, invoice_number, caller)
            statement = (
                select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.paid_on, Payment.id)
            )
            return [
                PaymentRecord.from_row(p, invoice)
                for p in session.scalars(statement)
                if _visible(p.groups, caller)
            ]

    def balance(
        self, customer: str, *, groups: Iterable[str] | None, as_of: date | None = None
    ) -> CustomerBalance:
        """What a customer owes: invoiced minus paid over open invoices, and how much of it is overdue."""
        caller, as_of = _caller(groups), as_of or date.today()
        with self.store.session() as session:
            row = self._customer_row(session, customer, caller)
            invoices = [i for i in self._invoices(session, row, caller) if i.status == "open"]
            records = [r for r in self._records(session, invoices, caller, as_of) if r.outstanding > 0]
            currencies = sorted({r.currency for r in records}) or [row.currency]
            if len(currencies) > 1:
                raise InputError(
                    f"customer {row.customer_id} has open invoices in several currencies: {currencies}"
                )
            outstanding = sum((r.outstanding for r in records), Decimal("0.00"))
            overdue = sum((r.outstanding for r in records if r.days_overdue > 0), Decimal("0.00"))
            limit = from_minor(row.credit_limit_minor) if row.credit_limit_minor is not None else None
            return CustomerBalance(
                customer=CustomerRecord.from_row(row),
                as_of=as_of,
                currency=currencies[0],
                outstanding=outstanding,
                overdue=overdue,
                open_invoices=len(records),
                overdue_invoices=sum(1 for r in records if r.days_overdue > 0),
                credit_limit=limit,
                invoice_ids=tuple(r.id for r in records),
            )
