"""Realistic demo account data: B2B customers by region, monthly invoices on their payment terms, payments.

Customers pay with their own habit (prompt, a few days late, chronically late, partial payers); invoices of
the last months are still open, some overdue. Rows are readable by ``finance`` and by the sales team of the
customer's region (``sales-emea``, ``sales-americas``, ``sales-apac``), so the demo shows row-level access.
The same ``seed`` gives the same data.

>>> tables = demo_rows(seed=1, customers=3, as_of=date(2026, 6, 30))
>>> sorted(tables), tables["customers"][0]["customer_id"]
(['customers', 'invoices', 'payments'], 'C-1001')
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

__all__ = ["demo_rows", "write_demo_csv"]

_FIRST = [
    "Northwind",
    "Bluewater",
    "Alder",
    "Keystone",
    "Harbor",
    "Silverline",
    "Granite",
    "Meridian",
    "Oakridge",
    "Crescent",
    "Summit",
    "Lakeside",
    "Ironwood",
    "Redwood",
    "Beacon",
    "Pioneer",
    "Cobalt",
    "Juniper",
    "Falcon",
    "Evergreen",
    "Atlas",
    "Horizon",
    "Sterling",
    "Maple",
]
_SECOND = [
    "Traders",
    "Logistics",
    "Foods",
    "Components",
    "Health",
    "Energy",
    "Retail",
    "Engineering",
    "Textiles",
    "Pharma",
    "Systems",
    "Packaging",
    "Motors",
    "Hospitality",
    "Media",
    "Chemicals",
]
_REGIONS = {
    "emea": [("DE", "EUR", "GmbH"), ("FR", "EUR", "SA"), ("GB", "GBP", "Ltd"), ("NL", "EUR", "B.V.")],
    "americas": [("US", "USD", "Inc."), ("CA", "CAD", "Corp."), ("US", "USD", "LLC")],
    "apac": [("SG", "SGD", "Pte. Ltd."), ("AU", "AUD", "Pty Ltd"), ("JP", "JPY", "K.K.")],
}
_SEGMENTS = [("enterprise", 250_000, 0.25), ("mid-market", 60_000, 0.45), ("smb", 15_000, 0.30)]
_HABITS = [("prompt", 0.45), ("late", 0.30), ("chronic", 0.15), ("partial", 0.10)]
_SERVICES = [
    "Subscription",
    "Consulting services",
    "Hardware delivery",
    "Support plan",
    "Implementation milestone",
    "Licence renewal",
    "Freight and handling",
]


def demo_rows(
    *, seed: int = 0, customers: int = 40, months: int = 12, as_of: date | None = None
) -> dict[str, list[dict[str, str]]]:
    """Rows for the ``customers``, ``invoices`` and ``payments`` CSVs (strings, as a loader reads them)."""
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    rng = np.random.default_rng(seed)
    as_of = as_of or date.today()
    out: dict[str, list[dict[str, str]]] = {"customers": [], "invoices": [], "payments": []}
    names: set[str] = set()
    invoice_no, payment_no = 0, 0
    for index in range(customers):
        region = list(_REGIONS)[int(rng.integers(len(_REGIONS)))]
        country, currency, suffix = _REGIONS[region][int(rng.integers(len(_REGIONS[region])))]
        name = ""
        while not name or name in names:
            name = f"{_FIRST[int(rng.integers(len(_FIRST)))]} {_SECOND[int(rng.integers(len(_SECOND)))]} {suffix}"
        names.add(name)
        segment, limit, _ = _SEGMENTS[int(rng.choice(3, p=[s[2] for s in _SEGMENTS]))]
        habit = _HABITS[int(rng.choice(4, p=[h[1] for h in _HABITS]))][0]
        customer_id = f"C-{1001 + index}"
        groups = f"finance;sales-{region}"
        slug = name.split()[0].lower() + name.split()[1].lower()
        out["customers"].append(
            {
                "customer_id": customer_id,
                "name": name,
                "email": f"ap@{slug}.example",
                "country": country,
                "segment": segment,
                "currency": currency,
                "credit_limit": f"{limit:.2f}",
                "groups": groups,
            }
        )
        terms = int(rng.choice([30, 45, 60]))
        scale = limit / 8
        for month in range(months, 0, -1):
            issue = as_of - timedelta(days=30 * month + int(rng.integers(0, 10)))
            due = issue + timedelta(days=terms)
            amount = round(float(rng.lognormal(np.log(scale), 0.5)), 2)
            invoice_no += 1
            number = f"INV-{issue.year}-{invoice_no:05d}"
            delay = {
                "prompt": rng.integers(-5, 3),
                "late": rng.integers(3, 25),
                "chronic": rng.integers(20, 90),
                "partial": rng.integers(0, 15),
            }[habit]
            paid_on = due + timedelta(days=int(delay))
            status = "open"
            payments: list[tuple[date, float]] = []
            if paid_on <= as_of:
                if habit == "partial" and rng.random() < 0.6:
                    payments.append((paid_on, round(amount * float(rng.uniform(0.3, 0.7)), 2)))
                else:
                    payments.append((paid_on, amount))
                    status = "paid"
            if rng.random() < 0.01:
                status, payments = "void", []
            out["invoices"].append(
                {
                    "invoice_number": number,
                    "customer_id": customer_id,
                    "issue_date": issue.isoformat(),
                    "due_date": due.isoformat(),
                    "amount": f"{amount:.2f}",
                    "currency": currency,
                    "status": status,
                    "description": _SERVICES[int(rng.integers(len(_SERVICES)))],
                    "groups": groups,
                }
            )
            for paid_date, paid_amount in payments:
                payment_no += 1
                out["payments"].append(
                    {
                        "payment_id": f"PAY-{payment_no:06d}",
                        "invoice_number": number,
                        "paid_on": paid_date.isoformat(),
                        "amount": f"{paid_amount:.2f}",
                        "currency": currency,
                        "method": str(rng.choice(["wire", "sepa", "ach", "card"])),
                        "groups": groups,
                    }
                )
    return out


def write_demo_csv(
    folder: Path, *, seed: int = 0, customers: int = 40, as_of: date | None = None
) -> dict[str, Path]:
    """Write ``customers.csv``, ``invoices.csv`` and ``payments.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, rows in demo_rows(seed=seed, customers=customers, as_of=as_of).items():
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths[kind] = path
    return paths
