"""The core pages in a real browser: login, dashboard, documents (upload, open at a passage), search, regulatory
watch verdicts, fraud alert verdicts, review statistics, keyboard-only use and group boundaries."""

from __future__ import annotations

import re

import httpx
import pytest
from _browser import go, open_as, password
from _browser_seed import SALES, TREASURY, seed_documents, seed_fraud_alerts, seed_regwatch


@pytest.fixture(scope="module")
def server(live_server_factory):
    def seed(server):
        server.doc_ids = seed_documents(server)
        seed_regwatch(server)
        seed_fraud_alerts(server)

    return live_server_factory(seed)


def _no_errors(page):
    assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").all_inner_texts()
    assert not page.console_errors, page.console_errors


def test_login_form_token_link_and_logout(page, server):
    page.goto(server.url + "/")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert "(HTTP 401)" in page.get_by_role("alert").inner_text()
    page.console_errors.clear()  # the browser logs the refused login's 401
    page.get_by_label("Password").fill(password("alice"))
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_test_id("whoami").inner_text() == "alice · analyst · treasury"
    token = page.evaluate("() => sessionStorage.getItem('argentier.token')")
    assert (
        httpx.get(f"{server.url}/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["username"]
        == "alice"
    )
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in to Argentier").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('argentier.token')") is None

    page.goto(server.login_url("victor"))
    assert page.get_by_test_id("whoami").inner_text().startswith("victor · viewer")
    assert "token" not in page.url and page.url.endswith("/#/")
    assert "token" not in page.evaluate("() => location.href")
    _no_errors(page)


def test_dashboard_shows_what_needs_review(page, server):
    stats = server.services.review.stats().to_dict()
    open_as(page, server, "alice")
    assert page.get_by_test_id("pending-total").locator(".figure").inner_text() == str(
        stats["overall"]["pending"]
    )
    fraud = sum(row["pending"] for row in stats["by_kind"] if row["kind"] == "fraud.alert")
    assert page.get_by_test_id("fraud-alerts").locator(".figure").inner_text() == str(fraud) != "0"
    rows = page.get_by_test_id("pending-by-kind").locator("tbody tr").all_inner_texts()
    assert {row.split("\t")[0] for row in rows} == {r["kind"] for r in stats["by_kind"] if r["pending"]}
    latest = page.get_by_test_id("latest-updates").inner_text()
    assert "Customs duties on imported bicycles" in latest
    page.get_by_test_id("fraud-alerts").click()
    page.locator('main[data-rendered="#/fraud"]').wait_for()
    _no_errors(page)


def test_upload_a_document_and_open_it_at_a_passage(page, server, tmp_path):
    text = "Expense policy\n\nClaims above 500 euros need the approval of the finance director within ten days.\n"
    upload = tmp_path / "expenses.txt"
    upload.write_text(text)
    open_as(page, server, "alice", "#/documents")
    page.get_by_label("File (PDF, DOCX, HTML, Markdown, text)").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("expenses.txt: added.").wait_for()
    page.get_by_role("link", name="Open expenses").click()
    page.locator('main[data-rendered^="#/documents/"]').wait_for()
    document_id = int(re.search(r"#/documents/(\d+)", page.url).group(1))
    stored = server.services.library.get_document(document_id, groups=["treasury"])
    assert stored.info.title == "expenses" and stored.info.groups == ("treasury",)
    assert page.get_by_test_id("document-text").inner_text().strip() == stored.parsed.text.strip()

    start = stored.parsed.text.index("Claims above")
    end = stored.parsed.text.index("within ten days")
    go(page, f"#/documents/{document_id}?start={start}&end={end}")
    mark = page.locator("mark#passage")
    assert mark.inner_text() == stored.parsed.text[start:end]
    # The page focuses the passage on the next animation frame: wait for it (fails after the timeout).
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'passage'", timeout=5000)
    assert mark.is_visible()
    go(page, f"#/documents/{document_id}?start=0&end=999999")
    assert page.locator("mark").count() == 0 and "outside this document" in page.inner_text("main")

    # The upload went through the API, which audited it under alice's name.
    from argentier.api._audit import list_audit

    assert any(
        e.actor == "alice" and e.object_id == str(document_id)
        for e in list_audit(server.services.store, action="document.add")
    )
    _no_errors(page)


def test_search_result_opens_the_document_at_the_quoted_passage(page, server):
    open_as(page, server, "alice", "#/search")
    page.get_by_label("Question or keywords").fill("net debt covenant at quarter end")
    page.get_by_label("Question or keywords").press("Enter")
    page.locator('main[data-rendered^="#/search?q="]').wait_for()
    first = page.get_by_test_id("search-results").locator("li").first
    quoted = first.locator("blockquote").inner_text()
    assert "3.0x" in quoted
    first.get_by_role("link").click()
    page.locator("mark#passage").wait_for()
    assert page.locator("mark#passage").inner_text() == quoted
    assert page.get_by_role("heading", level=1).inner_text() == "Treasury policy"
    _no_errors(page)


def test_regwatch_approve_edit_and_reject(page, server):
    review = server.services.review
    open_as(page, server, "alice", "#/regwatch")
    group = page.get_by_test_id("reg-group").filter(has_text="Customs duties on imported bicycles").first
    title = group.get_by_test_id("finding-regwatch.title")
    title_id = int(title.get_attribute("data-finding-id"))
    title.get_by_role("button", name=re.compile("^Approve")).click()
    group = page.get_by_test_id("reg-group").filter(has_text="Customs duties on imported bicycles").first
    group.get_by_test_id(f"status-{title_id}").get_by_text("approved").wait_for()
    assert review.get_finding(title_id).status == "approved"

    summary = group.get_by_test_id("finding-regwatch.summary")
    summary_id = int(summary.get_attribute("data-finding-id"))
    summary.get_by_role("button", name=re.compile("^Edit")).click()
    summary.get_by_label("Summary", exact=True).fill("Bicycle import duty rises to 12% from 1 May 2027.")
    summary.get_by_label("Reason for the edit").fill("shorter")
    summary.get_by_role("button", name="Save edit").click()
    page.get_by_test_id(f"status-{summary_id}").get_by_text("edited").wait_for()
    edited = review.get_finding(summary_id)
    assert edited.current_payload["summary"] == "Bicycle import duty rises to 12% from 1 May 2027."
    assert edited.latest_verdict.reviewer == "alice"

    impact = (
        page.get_by_test_id("reg-group")
        .filter(has_text="Customs duties on imported bicycles")
        .first.get_by_test_id("finding-regwatch.impact")
    )
    impact_id = int(impact.get_attribute("data-finding-id"))
    impact.get_by_role("button", name=re.compile("^Reject")).click()
    impact.get_by_role("button", name="Confirm rejection").click()  # the reason is required: nothing is sent
    assert review.get_finding(impact_id).status == "pending"
    impact.get_by_label("Why is it rejected? (required)").fill("the severity is overstated")
    impact.get_by_role("button", name="Confirm rejection").click()
    page.get_by_test_id(f"status-{impact_id}").get_by_text("rejected").wait_for()
    assert review.get_finding(impact_id).latest_verdict.reason == "the severity is overstated"

    # Evidence links open the notice at the quoted sentence.
    evidence = page.get_by_test_id(f"status-{summary_id}").locator(
        "xpath=ancestor::div[contains(@class,'finding')]"
    )
    evidence.locator("summary").click()
    evidence.get_by_role("link", name="open at passage").first.click()
    page.locator("mark#passage").wait_for()
    assert page.locator("mark#passage").inner_text() in " ".join(
        e["quote"] for e in review.get_finding(summary_id).to_dict()["evidence"]
    )

    # Review statistics now show these verdicts, as the API counts them; the chart reads out by keyboard.
    stats = review.stats().to_dict()
    go(page, "#/review")
    rows = {
        row.split("\t")[0]: row.split("\t")
        for row in page.get_by_test_id("stats-by-kind").locator("tbody tr").all_inner_texts()
    }
    for entry in stats["by_kind"]:
        assert rows[entry["kind"]][1:3] == [str(entry["total"]), str(entry["pending"])]
    chart = page.get_by_test_id("bar-chart")
    chart.focus()
    page.keyboard.press("End")
    tooltip = page.locator("#tooltip")
    assert tooltip.is_visible() and re.search(r"regwatch\.\w+: \d+%", tooltip.inner_text())
    _no_errors(page)


def test_fraud_alert_verdicts(page, server):
    review = server.services.review
    open_as(page, server, "alice", "#/fraud")
    alerts = page.get_by_test_id("fraud-alert")
    count = alerts.count()
    assert count == len(review.list_findings(kind="fraud.alert", status="pending"))
    first = alerts.filter(has_text="Transaction tx-0")
    assert "score_block" in first.inner_text() and "amount=950" in first.inner_text()
    first.get_by_role("button", name="Confirm fraud: alert on tx-0").click()
    page.get_by_test_id("fraud-alert").filter(has_text="Transaction tx-0").wait_for(state="detached")
    assert page.get_by_test_id("fraud-alert").count() == count - 1
    confirmed = next(f for f in review.list_findings(kind="fraud.alert") if f.subject_id == "tx-0")
    assert confirmed.status == "approved" and confirmed.latest_verdict.reviewer == "alice"
    second = page.get_by_test_id("fraud-alert").filter(has_text="Transaction tx-1")
    second.get_by_label("Reason").fill("customer confirmed the purchase")
    second.get_by_role("button", name="Genuine: alert on tx-1").click()
    page.get_by_test_id("fraud-alert").filter(has_text="Transaction tx-1").wait_for(state="detached")
    genuine = next(f for f in review.list_findings(kind="fraud.alert") if f.subject_id == "tx-1")
    assert genuine.status == "rejected" and genuine.latest_verdict.reason == "customer confirmed the purchase"
    page.get_by_label("Show alerts").select_option("rejected")
    page.locator('main[data-rendered="#/fraud?status=rejected"]').wait_for()
    shown = page.get_by_test_id("fraud-alert").all_inner_texts()
    assert len(shown) == 1 and "customer confirmed the purchase" in shown[0]
    _no_errors(page)


def test_viewer_in_one_group_never_sees_another_groups_document(page, server):
    open_as(page, server, "victor", "#/documents")
    listed = page.get_by_test_id("documents-table").inner_text()
    assert "Treasury policy" in listed and "Sales commission plan" not in listed
    assert page.get_by_role("button", name="Upload").count() == 0
    assert page.get_by_role("button", name=re.compile("^Delete")).count() == 0
    go(page, f"#/documents/{server.doc_ids['sales']}")
    assert "no document" in page.get_by_role("alert").inner_text().lower()
    assert "commission" not in page.inner_text("main").lower()
    go(page, "#/search?q=commission%20bonus%20pool%20quota&mode=hybrid")
    results = page.get_by_test_id("search-results").inner_text()
    assert "Sales commission plan" not in results and "bonus pool" not in results
    go(page, "#/regwatch")
    assert page.get_by_role("button", name=re.compile("^Approve")).count() == 0
    assert page.get_by_test_id("reg-group").count() >= 1
    assert SALES.split("\n")[2][:30] not in page.content() and TREASURY


def test_keyboard_only_login_navigation_and_passage(page, server):
    page.goto(server.url + "/")
    page.get_by_label("User name").wait_for()
    assert page.evaluate("() => document.activeElement.name") == "username"  # the form has the focus at once
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(password("alice"))
    page.keyboard.press("Enter")
    page.get_by_test_id("whoami").wait_for()
    page.locator('main[data-rendered="#/"]').wait_for()
    # From the top of the page: the skip link first, then the header, then the navigation's "Search" link.
    page.evaluate("() => document.activeElement.blur()")
    page.mouse.click(700, 10)  # an empty spot of the header: where the next Tab starts from
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.mouse.click(700, 10)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "Search":
            break
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.locator('main[data-rendered="#/search"]').wait_for()
    assert page.evaluate("() => document.activeElement.name") == "q"  # focus goes to the query box
    page.keyboard.type("foreign exchange hedging")
    page.keyboard.press("Enter")
    page.locator('main[data-rendered^="#/search?q="]').wait_for()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.startsWith('Open ')"):
            break
    page.keyboard.press("Enter")
    page.locator("mark#passage").wait_for()
    # The page focuses the passage on the next animation frame: wait for it (fails after the timeout).
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'passage'", timeout=5000)
    assert "hedged" in page.locator("mark#passage").inner_text()
    _no_errors(page)


def test_every_page_renders_or_says_it_is_not_available(page, server):
    open_as(page, server, "admin")
    paths = set(httpx.get(f"{server.url}/openapi.json").json()["paths"])
    links = page.locator("#nav a")
    names = links.all_inner_texts()
    assert len(names) == 12
    for index in range(len(names)):
        link = page.locator("#nav a").nth(index)
        href = link.get_attribute("href")
        link.click()
        page.locator(f'main[data-rendered="{href}"]').wait_for()
        assert page.locator("main h1").count() == 1, href
        if page.get_by_test_id("unavailable").count():
            assert "not available yet" in names[index], href
            assert (
                not any(p.startswith(f"/{href[2:]}/") or p == f"/{href[2:]}" for p in paths)
                or href == "#/assistant"
            ), href
        assert page.locator(f'#nav a[href="{href}"]').get_attribute("aria-current") == "page"
    _no_errors(page)


def test_contract_review_marks_quotes_and_fills_the_portfolio(page, server, tmp_path):
    contract = server.doc_ids["contract"]
    headers = {"Authorization": f"Bearer {server.tokens['alice']}"}
    expected = httpx.post(
        f"{server.url}/contracts/review",
        json={"document_id": contract, "record": False},
        headers=headers,
        timeout=60,
    ).json()
    open_as(page, server, "alice", f"#/contracts?document={contract}")
    assert page.get_by_label("Contract document").input_value() == str(contract)
    upload = tmp_path / "nda.txt"
    upload.write_text("Mutual non-disclosure agreement. This agreement is governed by the laws of Ireland.\n")
    page.get_by_label("New contract file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("nda.txt: added; selected for review.").wait_for()
    uploaded = int(page.get_by_label("Contract document").input_value())
    assert server.services.library.get_document(uploaded, groups=["treasury"]).info.collection == "contracts"
    page.get_by_label("Contract document").select_option(str(contract))
    page.get_by_role("button", name="Review", exact=True).click()
    review = page.get_by_test_id("contract-review")
    review.get_by_test_id("playbook-table").wait_for(timeout=60_000)
    outcomes = [
        row.split("\t")[:2]
        for row in review.get_by_test_id("playbook-table").locator("tbody tr").all_inner_texts()
    ]
    assert outcomes == [[rule["title"], rule["outcome"]] for rule in expected["playbook"]]
    assert (
        f"{len(expected['finding_ids']) or 'findings'}" and "findings sent to review" in review.inner_text()
    )

    # Every clause is marked in the text, exactly where its quote stands.
    text = expected["text"]
    marked = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=contract-text] mark')]
                  .map(m => [Number(m.dataset.start), Number(m.dataset.end), m.textContent])"""
    )
    assert all(text[start:end] == quote for start, end, quote in marked)
    covered = set().union(*(range(start, end) for start, end, _ in marked))
    assert all(set(range(c["start"], c["end"])) <= covered for c in expected["clauses"])
    law = expected["terms"]["governing_law"]
    review.get_by_role("button", name="Show the governing law term in the text").click()
    focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.textContent]")
    assert focused[0] == "MARK" and focused[1] in text[law["start"] : law["end"]]

    page.get_by_role("tab", name="Portfolio").click()
    row = (
        page.get_by_test_id("portfolio-table").locator("tbody tr").filter(has_text="Master Supply Agreement")
    )
    assert law["value"] in row.inner_text()
    recorded = server.services.review.list_findings(
        subject_type="document", subject_id=str(contract), limit=1000
    )
    assert recorded and all(f.kind.startswith("contracts.") for f in recorded)
    _no_errors(page)


def test_assistant_answers_with_citations_that_open_the_passage(page, server):
    open_as(page, server, "alice", "#/assistant")
    assert page.evaluate("() => document.activeElement.name") == "question"
    page.keyboard.type("What must the net debt to EBITDA covenant stay below?")
    page.keyboard.press("Control+Enter")
    answer = page.get_by_test_id("answer")
    answer.wait_for(timeout=60_000)
    assert "3.0x" in answer.inner_text()
    assert re.search(r"#/assistant\?conversation=\d+$", page.url)
    conversation = int(page.url.rsplit("=", 1)[1])
    page.get_by_role("navigation", name="Conversations").get_by_role(
        "link", name=re.compile("net debt")
    ).wait_for()
    link = answer.get_by_role("link").first
    assert link.inner_text().startswith("Treasury policy")
    link.click()
    mark = page.locator("mark#passage")
    mark.wait_for()
    stored = server.services.library.get_document(server.doc_ids["treasury"], groups=["treasury"]).parsed.text
    start, end = (int(v) for v in re.search(r"start=(\d+)&end=(\d+)", page.url).groups())
    assert mark.inner_text() == stored[start:end] and "3.0x" in mark.inner_text()
    # Back in the conversation, the exchange is read back from the log.
    go(page, f"#/assistant?conversation={conversation}")
    assert "3.0x" in page.get_by_test_id("answer").first.inner_text()

    # bob (sales) asking the same question gets nothing quoted from treasury's documents.
    page.goto(server.login_url("bob"))
    page.get_by_test_id("whoami").wait_for()
    go(page, "#/assistant")
    page.get_by_label("Your question").fill("What must the net debt to EBITDA covenant stay below?")
    page.get_by_role("button", name="Ask").click()
    page.get_by_test_id("answer").wait_for(timeout=60_000)
    assert "3.0x" not in page.get_by_test_id("chat").inner_text()
    assert "Treasury policy" not in page.get_by_test_id("chat").inner_text()
    _no_errors(page)
