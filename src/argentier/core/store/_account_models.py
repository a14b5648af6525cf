"""Tables for account data (customers, invoices, payments) that the assistant's read-only query tools reach."""

from __future__ import annotations
