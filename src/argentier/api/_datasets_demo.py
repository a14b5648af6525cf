"""Demo data for ``argentier serve --demo``: one small data set per module, so every web page has something to show.

Each step is cheap (the whole load takes well under a minute on two cores) and safe to repeat on the same home:
documents and datasets come back ``unchanged``, notices ``duplicate``, and the forecast, fraud and review steps
skip what an earlier load already made. A step that fails is reported with its reason; the others still run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from argentier.api._datasets import DatasetStore
from argentier.errors import ArgentierError

__all__ = ["DEMO_FORECAST_VERSION", "DEMO_FRAUD_MODEL", "DemoStep", "load_demo_data"]

DEMO_FORECAST_VERSION = "demo-revenue"
DEMO_SCENARIO = "demo-price-cut"
DEMO_FRAUD_MODEL = "default"

_NOTICES = (
    (
        "EU",
        "EBA consults on revised guidelines for loan origination",
        ("The European Banking Authority has launched a public consultation on revised guidelines on loan "
        "origination and monitoring. Institutions must assess borrower creditworthiness with documented "
        "affordability tests, and report exceptions to the credit risk committee quarterly. Comments are "
        "due by 31 March 2027; the guidelines would apply from 1 January 2028."),
    ),
    (
        "GB",
        "FCA confirms new rules on payment fraud reimbursement",
        ("The Financial Conduct Authority confirmed that payment service providers must reimburse victims of "
        "authorised push payment fraud within five business days, up to a limit of 85,000 pounds. Firms must "
        "update their fraud monitoring and complaint handling procedures by 7 October 2026."),
    ),
    (
        "FR",
        "Facturation electronique : calendrier confirme",
        ("La direction generale des finances publiques confirme que toutes les entreprises devront recevoir "
        "des factures electroniques a compter du 1er septembre 2026. Les grandes entreprises devront emettre "
        "leurs factures au format electronique des cette date; les PME a partir du 1er septembre 2027."),
    ),
)


@dataclass(frozen=True)
class DemoStep:
    """What one module's demo step loaded (``status``: ``loaded``, ``kept`` from an earlier load, ``failed``)."""

    module: str
    status: str
    detail: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _documents(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier.demo import DEMO_COLLECTION, run_demo

    present = services.library.list_documents(collection=DEMO_COLLECTION)
    if present:
        # Writing the corpus again gives new PDF/DOCX bytes (their metadata has the time), so the library would
        # replace those documents with new ids and earlier findings would lose them: keep what is there.
        return DemoStep("documents", "kept", f"{len(present)} demo documents already in collection 'demo'",
                        {"documents": len(present), "new": 0})
    report = run_demo(services.library, Path(services.settings.home) / "demo-corpus", k=1)
    added = sum(outcome.status == "added" for outcome in report.added)
    failed = [outcome.source for outcome in report.added if outcome.status == "failed"]
    detail = f"{len(report.added)} demo documents ({added} new) in collection 'demo'"
    status = "failed" if failed else ("loaded" if added else "kept")
    return DemoStep("documents", status, detail + (f"; failed: {', '.join(failed)}" if failed else ""),
                    {"documents": len(report.added), "new": added})


def _contracts(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier.contracts import EXAMPLE_PLAYBOOK, load_playbook, record_findings, review_document
    from argentier.demo import DEMO_COLLECTION

    documents = [info for info in services.library.list_documents(collection=DEMO_COLLECTION)
                 if (info.path or "").endswith("master-supply-agreement.pdf")]
    if not documents:
        return DemoStep("contracts", "failed", "the demo contract is not in the library")
    info = documents[0]
    if services.review.list_findings(kind="contracts.playbook", subject_id=str(info.id), limit=1):
        return DemoStep("contracts", "kept", f"{info.title!r} already reviewed")
    stored = services.library.get_document(info.id)
    review = review_document(stored.parsed, document_id=info.id, title=info.title, path=info.path,
                             playbook=load_playbook(EXAMPLE_PLAYBOOK))
    findings = record_findings(services.review, review, stored.parsed)
    detail = (f"{info.title!r} reviewed against the example playbook: {len(review.clauses)} clauses,"
              f" {len(findings)} finding(s) in the review queue")
    return DemoStep("contracts", "loaded", detail, {"clauses": len(review.clauses), "findings": len(findings)})


def _regwatch(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier import __version__
    from argentier.core.llm import make_llm_client
    from argentier.regwatch import RegWatch
    from argentier.regwatch.findings import analyse_pending_updates

    watch = RegWatch(services.library, services.settings)
    folder = Path(services.settings.home) / "demo-regwatch"
    folder.mkdir(parents=True, exist_ok=True)
    added = 0
    for number, (jurisdiction, title, text) in enumerate(_NOTICES, start=1):
        path = folder / f"notice-{number}.txt"
        path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        added += watch.add_update(path, jurisdiction=jurisdiction, title=title).status == "added"
    with make_llm_client(services.settings, services.store) as llm:
        analysed = analyse_pending_updates(watch, services.review, producer_version=__version__, llm=llm)
    detail = f"{len(_NOTICES)} regulatory notices ({added} new), {len(analysed)} sent to review"
    return DemoStep("regwatch", "loaded" if added else "kept", detail,
                    {"notices": len(_NOTICES), "analysed": len(analysed)})


def _assistant(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    """The project's finance procedures (collection 'procedures') and demo account data, for the assistant."""
    from importlib import resources

    from argentier.assistant.accounts import AccountData

    folder = Path(str(resources.files("argentier.assistant") / "data" / "procedures"))
    outcomes = services.library.add_paths([folder], collection="procedures", groups=list(groups) or None)
    added = sum(outcome.status == "added" for outcome in outcomes)
    failed = [outcome.source for outcome in outcomes if outcome.status == "failed"]
    accounts, customers = AccountData(services.store), 0
    if accounts.is_empty():
        customers = accounts.load_demo()["customers"].inserted
    detail = f"{len(outcomes)} finance procedures ({added} new) in collection 'procedures'"
    detail += f", {customers} demo customers with invoices and payments" if customers else ", accounts kept"
    status = "failed" if failed else ("loaded" if added or customers else "kept")
    return DemoStep("assistant", status, detail + (f"; failed: {', '.join(failed)}" if failed else ""),
                    {"documents": len(outcomes), "new": added, "customers": customers})


def _forecast(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier.forecast import (
        AnomalyDetector,
        Forecaster,
        Override,
        PlanBook,
        demo_sales,
        load_series,
        record_anomaly_findings,
    )

    frame = demo_sales(periods=48)
    # One unusual month, so the anomaly view and the review queue have something to show.
    frame.loc[(frame.unique_id == "North/Food") & (frame.ds == "2023-04-01"), "y"] *= 1.7
    datasets = DatasetStore(Path(services.settings.home) / "datasets", public_group=services.settings.search.public_group)
    info, _ = datasets.add(frame.assign(ds=frame.ds.dt.strftime("%Y-%m-%d")).to_csv(index=False).encode(),
                           "demo-revenue.csv", groups=groups, owner=owner)
    book = PlanBook(services.store)
    if book.list_versions(DEMO_FORECAST_VERSION):
        return DemoStep("forecast", "kept", f"dataset {info.id} and version {DEMO_FORECAST_VERSION!r} already there",
                        {"series": 7})
    series = load_series(frame, hierarchy=("region", "category"))
    result = Forecaster(6, models=("seasonal_naive", "naive"), level=(80, 95), global_model=False,
                        cv_windows=1).fit(series).predict()
    version = book.save_version(result.frame, DEMO_FORECAST_VERSION, created_by=owner, source=info.name,
                                hierarchy=result.hierarchy, meta=result.summary())
    book.create_scenario(DEMO_SCENARIO, version.id, [Override("price", where={"region": "North"}, change=-0.05,
                                                             elasticity=-2.0)], created_by=owner)
    anomalies = AnomalyDetector(level=99.0).fit(series).predict().anomalies
    findings = record_anomaly_findings(services.review, anomalies)
    detail = (f"dataset {info.name} ({info.id}), version {DEMO_FORECAST_VERSION!r} with scenario {DEMO_SCENARIO!r},"
              f" {len(findings)} anomaly finding(s)")
    return DemoStep("forecast", "loaded", detail, {"series": int(result.frame.unique_id.nunique()),
                                                   "anomalies": len(findings)})


def _profit(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier.profitability import generate_profit_demo

    folder = Path(services.settings.home) / "demo-profit"
    truth = generate_profit_demo(folder, n_skus=60, weeks=52, file_format="csv")
    datasets = DatasetStore(Path(services.settings.home) / "datasets", public_group=services.settings.search.public_group)
    ids, new = {}, 0
    for stem in ("sales", "costs"):
        info, created = datasets.add((folder / f"{stem}.csv").read_bytes(), f"demo-{stem}.csv", groups=groups,
                                     owner=owner)
        ids[stem], new = info.id, new + created
    detail = f"datasets demo-sales.csv ({ids['sales']}) and demo-costs.csv ({ids['costs']}), 60 SKUs x 52 weeks"
    return DemoStep("profitability", "loaded" if new else "kept", detail, {"sales_lines": truth.n_sales_lines})


def _fraud(services: Any, owner: str, groups: tuple[str, ...]) -> DemoStep:
    from argentier.core.review import ReviewService
    from argentier.fraud import (
        FraudModel,
        evaluate,
        prepare_transactions,
        score_transactions,
        simulate_transactions,
        train_model,
    )
    from argentier.fraud._alerts import raise_alerts
    from argentier.fraud._data import attach_scores
    from argentier.fraud._registry import ModelRegistry

    registry = ModelRegistry(services.store)
    if registry.champion(DEMO_FRAUD_MODEL) is not None:
        return DemoStep("fraud", "kept", f"champion model {DEMO_FRAUD_MODEL!r} already registered")
    raw = simulate_transactions(400, 800, 45, seed=3)
    datasets = DatasetStore(Path(services.settings.home) / "datasets", public_group=services.settings.search.public_group)
    info, _ = datasets.add(raw.to_csv(index=False).encode(), "demo-transactions.csv", groups=groups, owner=owner)
    tx = prepare_transactions(raw).frame
    model = train_model(tx, date(2018, 4, 1), date(2018, 5, 1), model=FraudModel(n_estimators=60, num_threads=1))
    entry = registry.register(model, name=DEMO_FRAUD_MODEL, note="serve --demo")
    registry.promote(entry.id)
    scored = score_transactions(tx, model, date(2018, 5, 2), date(2018, 5, 15))
    registry.record_metrics(entry.id, "2018-05-02..2018-05-15",
                            evaluate(attach_scores(tx, scored.frame[["transaction_id", "score"]])).to_dict())
    # Alerts for the last two days only: a queue a person could work through, not two weeks of it.
    recent = scored.frame[scored.frame.timestamp >= "2018-05-14"]
    alerts = raise_alerts(ReviewService(services.store, services.settings), recent,
                          model_version=scored.model_version)
    detail = (f"champion model {DEMO_FRAUD_MODEL!r} ({model.version}), dataset {info.name} ({info.id}),"
              f" {len(alerts)} alert(s) in the review queue")
    return DemoStep("fraud", "loaded", detail, {"transactions": len(raw), "alerts": len(alerts)})


STEPS: tuple[tuple[str, Callable[..., DemoStep]], ...] = (
    ("documents", _documents),
    ("contracts", _contracts),
    ("regwatch", _regwatch),
    ("assistant", _assistant),
    ("forecast", _forecast),
    ("profitability", _profit),
    ("fraud", _fraud),
)


def load_demo_data(
    services: Any,
    *,
    owner: str,
    groups: Iterable[str],
    only: Iterable[str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[DemoStep]:
    """Load each module's demo data through ``services`` (the API's library, review service and settings)."""
    chosen = None if only is None else set(only)
    kept_groups = tuple(groups)
    steps = []
    for name, step in STEPS:
        if chosen is not None and name not in chosen:
            continue
        if on_step is not None:
            on_step(name)
        started = time.perf_counter()
        try:
            outcome = step(services, owner, kept_groups)
        except (ArgentierError, OSError, ValueError, ImportError) as exc:
            outcome = DemoStep(name, "failed", " ".join(f"{type(exc).__name__}: {exc}".split())[:300])
        steps.append(DemoStep(outcome.module, outcome.status, outcome.detail, outcome.counts,
                              round(time.perf_counter() - started, 2)))
    return steps
