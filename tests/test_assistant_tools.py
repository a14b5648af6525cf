"""The assistant's tools: deterministic routing, each tool's cited output, and access control per caller."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from argentier.assistant.accounts import AccountData
from argentier.assistant.tools import Tool, ToolContext, ToolResult, default_tools, route
from argentier.config import Settings
from argentier.core.library import Library
from argentier.errors import AccessDeniedError, InputError, NotFoundError

AS_OF = "2026-06-30"
CONTRACT = (
    "MASTER SUPPLY AGREEMENT\n\n"
    "1. Term. This Agreement commences on 1 January 2026 and continues for three years.\n\n"
    "2. Payment. The Customer shall pay each undisputed invoice within forty-five days.\n\n"
    "3. Governing Law. This Agreement shall be governed by the laws of the State of New York."
)


@pytest.fixture
def tools() -> dict[str, Tool]:
    return {tool.name: tool for tool in default_tools()}


def context(store, groups, library=None, settings=None) -> ToolContext:
    return ToolContext(settings=settings, store=store, library=library, groups=groups, user="tester")


@pytest.fixture
def accounts(store) -> AccountData:
    data = AccountData(store)
    data.load_demo(seed=11, customers=8, as_of=date(2026, 6, 30))
    return data


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which invoices are overdue as of 2026-06-30?", ("overdue_invoices", {"as_of": AS_OF})),
        (
            "Show overdue invoices of Northwind Traders GmbH by more than 30 days",
            ("overdue_invoices", {"customer": "Northwind Traders GmbH", "min_days": 31}),
        ),
        ("What open invoices does C-1003 have?", ("open_invoices", {"customer": "C-1003"})),
        (
            "How much does Bluewater Logistics Inc. owe us?",
            ("customer_balance", {"customer": "Bluewater Logistics Inc."}),
        ),
        (
            "What is the balance of 'Atlas Textiles Ltd' as of 2026-06-30?",
            ("customer_balance", {"customer": "Atlas Textiles Ltd", "as_of": AS_OF}),
        ),
        ("Was invoice INV-2026-00042 paid?", ("invoice_payments", {"invoice": "INV-2026-00042"})),
        ("What is the credit limit of customer C-1002?", ("customer_lookup", {"customer": "C-1002"})),
        ("Give me the regulatory digest for the last 14 days", ("regwatch_digest", {"days": 14})),
        ("List the clauses of contract #12", ("contract_clauses", {"document": "12"})),
        ("Show fraud alert for transaction tx-991", ("fraud_alerts", {"alert": "tx-991"})),
        (
            "Show the forecast version revenue-2026 #2",
            ("forecast_version", {"version": "revenue-2026", "number": 2}),
        ),
        (
            "What if outbound_shipping rises 12% on /data/profit?",
            ("profitability_whatif", {"data": "/data/profit", "change": "outbound_shipping:+12%"}),
        ),
    ],
)
def test_route_picks_the_tool_and_its_arguments(tools, question, expected) -> None:
    picked = route(question, list(tools.values()))
    assert picked is not None, question
    assert (picked[0].name, picked[1]) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Who must approve a refund above EUR 500?",
        "What was the change in operating income from 2019 to 2020?",
        "What is our travel expense policy?",
        "Show the open invoices",  # no customer named
        "",
    ],
)
def test_route_returns_none_when_no_tool_fits(tools, question) -> None:
    assert route(question, list(tools.values())) is None


def test_route_only_offers_the_tools_given(tools) -> None:
    assert route("Which invoices are overdue?", [tools["customer_lookup"]]) is None


def test_account_tools_answer_with_row_citations(tools, accounts, store) -> None:
    admin = context(store, None)
    overdue = tools["overdue_invoices"].run({"as_of": AS_OF}, admin)
    assert isinstance(overdue, ToolResult) and overdue.data
    assert overdue.text.startswith(f"{len(overdue.data)} overdue invoice(s) on {AS_OF}")
    first = overdue.data[0]
    assert overdue.citations[0] == {
        "kind": "account_row",
        "table": "invoices",
        "id": first["id"],
        "key": first["invoice_number"],
        "quote": overdue.citations[0]["quote"],
    }
    assert [d["days_overdue"] for d in overdue.data] == sorted(
        (d["days_overdue"] for d in overdue.data), reverse=True
    )
    customer = first["customer_id"]
    balance = tools["customer_balance"].run({"customer": customer, "as_of": AS_OF}, admin)
    assert balance.citations[0]["table"] == "customers"
    assert float(balance.data["overdue"]) >= float(first["outstanding"])
    payments = tools["invoice_payments"].run({"invoice": first["invoice_number"], "as_of": AS_OF}, admin)
    assert payments.data["invoice"]["invoice_number"] == first["invoice_number"]
    assert payments.citations[0]["table"] == "invoices"
    lookup = tools["customer_lookup"].run({"customer": customer}, admin)
    assert customer in lookup.text and lookup.to_dict()["citations"][0]["table"] == "customers"


def test_account_tools_respect_row_groups(tools, accounts, store) -> None:
    everything = tools["overdue_invoices"].run({"as_of": AS_OF, "limit": 500}, context(store, None)).data
    regions = {c.customer_id: c.country for c in accounts.find_customers("", groups=None, limit=100)}
    emea_view = (
        tools["overdue_invoices"].run({"as_of": AS_OF, "limit": 500}, context(store, ["sales-emea"])).data
    )
    visible = {c.customer_id for c in accounts.find_customers("", groups=["sales-emea"], limit=100)}
    assert {row["customer_id"] for row in emea_view} <= visible
    assert len(emea_view) == sum(1 for row in everything if row["customer_id"] in visible)
    hidden = next(cid for cid in regions if cid not in visible)
    with pytest.raises(NotFoundError):
        tools["customer_balance"].run({"customer": hidden}, context(store, ["sales-emea"]))
    nobody = tools["customer_lookup"].run({"customer": hidden}, context(store, ["sales-emea"]))
    assert nobody.data == [] and nobody.citations == ()


def test_arguments_are_validated(tools, store) -> None:
    with pytest.raises(InputError, match="missing argument"):
        tools["open_invoices"].run({}, context(store, None))
    with pytest.raises(InputError, match="unknown argument"):
        tools["open_invoices"].run({"customer": "C-1", "sql": "drop table"}, context(store, None))
    with pytest.raises(InputError, match="must be a integer"):
        tools["overdue_invoices"].run({"min_days": "ten"}, context(store, None))
    with pytest.raises(InputError, match="not a date"):
        tools["overdue_invoices"].run({"as_of": "yesterday"}, context(store, None))


@pytest.fixture
def library(tmp_path, embedder):
    library = Library.open(Settings(home=tmp_path / "home", database_url="sqlite://"), embedder=embedder)
    yield library
    library.close()


def test_contract_clauses_tool_reads_only_documents_the_caller_may_read(tools, library) -> None:
    added = library.add_text(CONTRACT, title="Master Supply Agreement", groups=["legal"])
    legal = context(library.store, ["legal"], library, library.settings)
    result = tools["contract_clauses"].run({"document": str(added.document.id)}, legal)
    categories = [c["category"] for c in result.citations]
    assert "Governing Law" in categories
    stored = library.get_document(added.document.id)
    for citation in result.citations:
        assert stored.parsed.text[citation["start"] : citation["end"]] == citation["quote"]
        assert citation["document"]["id"] == added.document.id
    by_title = tools["contract_clauses"].run({"document": "supply agreement", "category": "governing"}, legal)
    assert [c["category"] for c in by_title.citations] == ["Governing Law"]
    sales = context(library.store, ["sales"], library, library.settings)
    with pytest.raises(NotFoundError):
        tools["contract_clauses"].run({"document": "Master Supply Agreement"}, sales)
    with pytest.raises(NotFoundError):
        tools["contract_clauses"].run({"document": str(added.document.id)}, sales)


def test_regwatch_digest_tool_cites_the_stored_updates(tools, library) -> None:
    from argentier.regwatch import RegWatch

    RegWatch(library).add_update(
        "The VAT rate on e-books falls from 10% to 5.5% on 1 January 2027. Publishers must update invoices.",
        jurisdiction="FR",
        title="VAT on e-books",
    )
    result = tools["regwatch_digest"].run(
        {"days": 30}, context(library.store, None, library, library.settings)
    )
    assert "VAT on e-books" in result.text
    assert result.citations[0]["document"]["title"] == "VAT on e-books"
    assert result.citations[0]["kind"] == "regwatch_update"


def test_fraud_alert_tool_is_limited_to_fraud_groups(tools, store) -> None:
    from argentier.core.review import ReviewService
    from argentier.fraud._alerts import raise_alerts

    scored = pd.DataFrame(
        {
            "transaction_id": ["tx-991", "tx-992"],
            "timestamp": pd.to_datetime(["2026-06-01"] * 2),
            "customer_id": ["c7", "c8"],
            "score": [950.0, 20.0],
            "decision": ["block", "approve"],
            "rules": ["score_block", ""],
            "reasons": ["amount=9000 (+2.10)", ""],
        }
    )
    raise_alerts(ReviewService(store), scored, model_version="test")
    result = tools["fraud_alerts"].run({"alert": "tx-991"}, context(store, ["fraud"]))
    assert "transaction tx-991" in result.text and "amount=9000" in result.text
    assert result.citations[0]["kind"] == "finding"
    assert tools["fraud_alerts"].run({}, context(store, None)).data[0]["subject_id"] == "tx-991"
    with pytest.raises(AccessDeniedError):
        tools["fraud_alerts"].run({"alert": "tx-991"}, context(store, ["sales-emea"]))
    with pytest.raises(NotFoundError):
        tools["fraud_alerts"].run({"alert": "tx-000"}, context(store, ["fraud"]))


def test_forecast_version_tool_sums_the_stored_version(tools, store) -> None:
    from argentier.forecast._book import PlanBook

    frame = pd.DataFrame(
        {
            "unique_id": ["a", "b", "a", "b"],
            "ds": pd.to_datetime(["2026-07-01", "2026-07-01", "2026-08-01", "2026-08-01"]),
            "yhat": [100.0, 50.0, 110.0, 55.0],
        }
    )
    PlanBook(store).save_version(frame, "revenue-2026", created_by="ann")
    result = tools["forecast_version"].run({"version": "revenue-2026"}, context(store, ["finance"]))
    assert result.data["totals"] == [{"ds": "2026-07-01", "yhat": 150.0}, {"ds": "2026-08-01", "yhat": 165.0}]
    assert result.citations[0]["kind"] == "forecast_version" and result.citations[0]["number"] == 1
    only_a = tools["forecast_version"].run({"version": "revenue-2026", "series": "a"}, context(store, None))
    assert [t["yhat"] for t in only_a.data["totals"]] == [100.0, 110.0]
    with pytest.raises(AccessDeniedError):
        tools["forecast_version"].run({"version": "revenue-2026"}, context(store, ["sales-emea"]))
    with pytest.raises(NotFoundError):
        tools["forecast_version"].run({"version": "nope"}, context(store, None))


def test_profitability_whatif_tool_runs_on_a_dataset_folder(tools, store, tmp_path) -> None:
    from argentier.profitability import generate_profit_demo

    folder = tmp_path / "profit"
    generate_profit_demo(folder, n_skus=9, weeks=8, file_format="csv")
    result = tools["profitability_whatif"].run(
        {"data": str(folder), "change": "outbound_shipping:+12%"}, context(store, ["fpa"])
    )
    total = result.data["total"]
    assert float(total["fixed_volume_impact"]) < 0  # dearer shipping lowers contribution
    assert result.citations[0] == {
        "kind": "dataset",
        "path": str(folder),
        "quote": result.text.split("\n")[0],
    }
    with pytest.raises(InputError, match="not a dataset folder"):
        tools["profitability_whatif"].run(
            {"data": str(tmp_path / "none"), "change": "price:+1%"}, context(store, None)
        )
