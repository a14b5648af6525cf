"""Account data: validated atomic CSV loads, the fixed read-only queries, and row-level access by groups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from argentier.assistant._accounts_demo import demo_rows, write_demo_csv
from argentier.assistant.accounts import AccountData
from argentier.core.store._account_models import Customer, Invoice, Payment
from argentier.errors import InputError, NotFoundError

AS_OF = date(2026, 6, 30)

CUSTOMERS = """customer_id,name,currency,country,segment,credit_limit,groups
C-1,Northwind Traders GmbH,EUR,DE,enterprise,50000,finance;sales-emea
C-2,Bluewater Logistics Inc.,USD,US,smb,10000,finance;sales-americas
"""
INVOICES = """invoice_number,customer_id,issue_date,due_date,amount,currency,status,description
INV-1,C-1,2026-04-01,2026-05-01,"1,000.00",EUR,open,Support plan
INV-2,C-1,2026-05-15,2026-07-15,250.50,EUR,open,Consulting
INV-3,C-1,2026-01-01,2026-02-01,400.00,EUR,paid,Licence
INV-4,C-2,2026-03-01,2026-04-01,900.00,USD,open,Hardware
"""
PAYMENTS = """payment_id,invoice_number,paid_on,amount,currency,method,groups
P-1,INV-1,2026-05-20,300.00,EUR,sepa,
P-2,INV-3,2026-02-01,400.00,EUR,sepa,
P-3,INV-1,2026-06-01,100.00,EUR,sepa,treasury-only
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data(store, tmp_path) -> AccountData:
    accounts = AccountData(store)
    accounts.load_csv("customers", write(tmp_path, "c.csv", CUSTOMERS), groups=["finance"])
    # Invoices and payments without a groups value take the customer's groups plus the loader's.
    accounts.load_csv("invoices", write(tmp_path, "i.csv", INVOICES), groups=[])
    accounts.load_csv("payments", write(tmp_path, "p.csv", PAYMENTS), groups=[])
    return accounts


def count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_load_reports_and_reload_updates(data, store, tmp_path) -> None:
    assert (count(store, Customer), count(store, Invoice), count(store, Payment)) == (2, 4, 3)
    report = data.load_csv(
        "customers", write(tmp_path, "c2.csv", CUSTOMERS.replace("50000", "60000")), groups=["x"]
    )
    assert (report.inserted, report.updated) == (0, 2)
    assert data.customer("C-1", groups=None).credit_limit == Decimal("60000.00")


def test_bad_rows_raise_one_clear_error_and_write_nothing(store, tmp_path) -> None:
    accounts = AccountData(store)
    bad = CUSTOMERS + "C-3,Alder Foods,EURO,FR,smb,1,sales-emea\n"
    with pytest.raises(InputError, match=r"c\.csv: row 3: currency 'EURO' is not a 3-letter ISO code"):
        accounts.load_csv("customers", write(tmp_path, "c.csv", bad), groups=["finance"])
    assert count(store, Customer) == 0  # rows 1 and 2 were valid, yet nothing stays
    with pytest.raises(InputError, match="missing column"):
        accounts.load_csv(
            "invoices", write(tmp_path, "i.csv", "invoice_number,amount\nINV-1,3\n"), groups=["a"]
        )
    with pytest.raises(InputError, match="unknown column"):
        accounts.load_csv(
            "customers", write(tmp_path, "u.csv", "customer_id,name,currency,iban\nC,N,EUR,X\n"), groups=["a"]
        )
    accounts.load_csv("customers", write(tmp_path, "ok.csv", CUSTOMERS), groups=["finance"])
    with pytest.raises(InputError, match=r"row 1: unknown customer_id 'C-9'"):
        accounts.load_csv(
            "invoices", write(tmp_path, "i2.csv", INVOICES.replace("C-1,2026-04", "C-9,2026-04")), groups=[]
        )
    with pytest.raises(InputError, match=r"row 2: amount '12.345' is not an amount with at most 2 decimals"):
        accounts.load_csv(
            "invoices", write(tmp_path, "i3.csv", INVOICES.replace("250.50", "12.345")), groups=[]
        )
    assert count(store, Invoice) == 0
    with pytest.raises(InputError, match="no groups"):
        accounts.load_csv(
            "customers", write(tmp_path, "g.csv", "customer_id,name,currency\nC-5,Five,EUR\n"), groups=[]
        )
    with pytest.raises(InputError, match="file not found"):
        accounts.load_csv("customers", tmp_path / "missing.csv", groups=["a"])


def test_queries_compute_outstanding_overdue_and_balance(data) -> None:
    assert [c.customer_id for c in data.find_customers("northwind", groups=None)] == ["C-1"]
    assert data.customer("Bluewater Logistics", groups=None).customer_id == "C-2"
    open_invoices = data.open_invoices("C-1", groups=None, as_of=AS_OF)
    assert [(r.invoice_number, r.outstanding) for r in open_invoices] == [
        ("INV-1", Decimal("600.00")),
        ("INV-2", Decimal("250.50")),
    ]
    overdue = data.overdue_invoices(groups=None, as_of=AS_OF)
    assert [(r.invoice_number, r.days_overdue) for r in overdue] == [("INV-4", 90), ("INV-1", 60)]
    assert [r.invoice_number for r in data.overdue_invoices(groups=None, as_of=AS_OF, min_days=61)] == [
        "INV-4"
    ]
    payments = data.payments_of_invoice("inv-1", groups=None)
    assert [(p.payment_id, p.amount) for p in payments] == [
        ("P-1", Decimal("300.00")),
        ("P-3", Decimal("100.00")),
    ]
    balance = data.balance("C-1", groups=None, as_of=AS_OF)
    assert (balance.outstanding, balance.overdue, balance.open_invoices, balance.overdue_invoices) == (
        Decimal("850.50"),
        Decimal("600.00"),
        2,
        1,
    )
    assert balance.to_dict()["outstanding"] == "850.50"
    assert open_invoices[0].citation() == {
        "kind": "account_row",
        "table": "invoices",
        "id": open_invoices[0].id,
        "key": "INV-1",
        "quote": "INV-1 Northwind Traders GmbH due 2026-05-01 EUR 1000.00 (open)",
    }


def test_permission_boundary_rows_outside_the_callers_groups_do_not_exist(data) -> None:
    emea = ["sales-emea"]
    assert [c.customer_id for c in data.find_customers("", groups=emea)] == ["C-1"]
    assert data.find_customers("Bluewater", groups=emea) == []
    for call in (
        lambda: data.customer("C-2", groups=emea),
        lambda: data.balance("Bluewater Logistics Inc.", groups=emea, as_of=AS_OF),
        lambda: data.open_invoices("C-2", groups=emea, as_of=AS_OF),
        lambda: data.payments_of_invoice("INV-4", groups=emea),
        lambda: data.invoice("INV-4", groups=emea),
    ):
        with pytest.raises(NotFoundError):  # the same error as for a row that does not exist
            call()
    assert [r.invoice_number for r in data.overdue_invoices(groups=emea, as_of=AS_OF)] == ["INV-1"]
    # P-3 belongs to treasury only: the sales team neither sees it nor gets it through the balance.
    assert [p.payment_id for p in data.payments_of_invoice("INV-1", groups=emea)] == ["P-1"]
    assert data.balance("C-1", groups=emea, as_of=AS_OF).outstanding == Decimal("950.50")
    assert data.balance("C-1", groups=["finance", "treasury-only"], as_of=AS_OF).outstanding == Decimal(
        "850.50"
    )
    assert data.find_customers("", groups=[]) == []
    assert len(data.find_customers("", groups=["finance"])) == 2
    assert data.balance("C-1", groups=["finance"], as_of=AS_OF).outstanding == Decimal("950.50")


def test_demo_data_is_seeded_realistic_and_loads(store, tmp_path) -> None:
    assert demo_rows(seed=3, customers=5, as_of=AS_OF) == demo_rows(seed=3, customers=5, as_of=AS_OF)
    paths = write_demo_csv(tmp_path / "demo", seed=3, customers=5, as_of=AS_OF)
    accounts = AccountData(store)
    assert accounts.is_empty()
    for kind in ("customers", "invoices", "payments"):
        accounts.load_csv(kind, paths[kind], groups=["finance"])
    assert not accounts.is_empty()
    customers = accounts.find_customers("", groups=None, limit=100)
    assert len(customers) == 5
    statuses = {r["status"] for r in demo_rows(seed=3, customers=30, as_of=AS_OF)["invoices"]}
    assert {"open", "paid"} <= statuses
    for customer in customers:
        balance = accounts.balance(customer.customer_id, groups=None, as_of=AS_OF)
        invoices = accounts.open_invoices(customer.customer_id, groups=None, as_of=AS_OF)
        assert balance.outstanding == sum((r.outstanding for r in invoices), Decimal("0.00"))
        assert balance.overdue <= balance.outstanding
