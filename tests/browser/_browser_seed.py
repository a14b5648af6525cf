"""Demo data for the browser tests, made through the Python APIs (library, regulatory watch, review)."""

from __future__ import annotations

from pathlib import Path

TREASURY = (
    "Treasury policy\n\n"
    "1. Scope. This policy covers cash, debt and hedging for every group company.\n\n"
    "2. Covenants. The net debt to EBITDA covenant must stay below 3.0x at each quarter end. "
    "The treasurer reports the ratio to the board every quarter.\n\n"
    "3. Hedging. Foreign exchange exposures above 1 million euros are hedged within five business days.\n"
)
SALES = (
    "Sales commission plan\n\n"
    "Account executives earn 8% commission on new annual recurring revenue. "
    "Accelerators apply above 120% of quota. The confidential bonus pool is 2 million euros.\n"
)
NOTICES = (
    (
        "FR",
        "Reduced VAT rate on e-books",
        (
            "From 1 January 2027 the reduced VAT rate of 5.5% applies to electronic books. Publishers and "
            "retailers must apply the new rate to every sale of an electronic book from that date and update "
            "their invoicing systems accordingly."
        ),
    ),
    (
        "GB",
        "Payment fraud reimbursement rules confirmed",
        (
            "Payment service providers must reimburse victims of authorised push payment fraud within five "
            "business days, up to a limit of 85,000 pounds. Firms must update their fraud monitoring procedures "
            "by 7 October 2027."
        ),
    ),
    (
        "EU",
        "Customs duties on imported bicycles",
        (
            "From 1 May 2027 the customs duty rate on imported bicycles rises to 12%. Importers must update "
            "their customs declarations."
        ),
    ),
)


def seed_documents(server) -> dict[str, int]:
    """Treasury's policy and contract, and sales's commission plan (the group boundary)."""
    from argentier.demo.corpus import SUPPLY_AGREEMENT

    library = server.services.library
    treasury = library.add_text(TREASURY, title="Treasury policy", groups=["treasury"]).document
    sales = library.add_text(SALES, title="Sales commission plan", groups=["sales"]).document
    contract_text = "\n\n".join(text for _kind, text in SUPPLY_AGREEMENT)
    contract = library.add_text(contract_text, title="Master Supply Agreement", groups=["treasury"]).document
    return {"treasury": treasury.id, "sales": sales.id, "contract": contract.id}


def seed_regwatch(server) -> None:
    from argentier import __version__
    from argentier.regwatch import RegWatch
    from argentier.regwatch.findings import analyse_pending_updates

    watch = RegWatch(server.services.library, server.settings)
    folder = Path(server.settings.home) / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    for number, (jurisdiction, title, text) in enumerate(NOTICES, start=1):
        path = folder / f"notice-{number}.txt"
        path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        watch.add_update(path, jurisdiction=jurisdiction, title=title)
    analyse_pending_updates(watch, server.services.review, producer_version=__version__)


def seed_fraud_alerts(server, count: int = 3) -> None:
    """Pending ``fraud.alert`` findings as the fraud module raises them (see ``argentier.fraud._alerts``)."""
    from argentier.core.review import Producer

    for n in range(count):
        server.services.review.create_finding(
            kind="fraud.alert",
            subject_type="transaction",
            subject_id=f"tx-{n}",
            payload={
                "transaction_id": f"tx-{n}",
                "timestamp": f"2026-11-2{n} 10:00:00",
                "customer_id": f"c-{n}",
                "score": 900.0 - n,
                "decision": "block" if n == 0 else "review",
                "rules": ["score_block"] if n == 0 else [],
                "reasons": [f"amount=950 (+2.{n}0)", "customer_nb_tx_1day=9 (+0.80)"],
            },
            producer=Producer("fraud.model", "test"),
            confidence=0.9,
        )
