"""The installed ``argentier regwatch`` commands, end to end."""

import json

from _cli import cli_runner

UPDATE = """VAT rate change for e-books

Published 14 November 2026 by the Ministry of Finance.

From 1 January 2027 the reduced VAT rate of 5.5% applies to electronically supplied books. Sellers must update
their invoicing systems by 31 December 2026. The standard rate of 20% no longer applies to these supplies.
"""


def test_add_then_summarise_an_update(tmp_path):
    notice = tmp_path / "notice.txt"
    notice.write_text(UPDATE)

    run = cli_runner(tmp_path)

    added = run("regwatch", "add", str(notice), "--jurisdiction", "FR", "--json")
    assert added.returncode == 0, added.stderr
    assert "added" in added.stdout
    summary = run("regwatch", "summarise", str(notice), "--words", "40", "--json")
    assert summary.returncode == 0, summary.stderr
    data = json.loads(summary.stdout)
    text = notice.read_text()
    assert data["dates"]["effective"] == "2027-01-01"
    assert len(data["summary"].split()) <= 40
    assert data["sentences"] and all(sentence["text"] in text for sentence in data["sentences"])
    bad = run("regwatch", "add", str(notice), "--jurisdiction", "XX", check=False)
    assert bad.returncode == 1 and "XX" in bad.stderr and "Traceback" not in bad.stderr


def test_digest_groups_updates_by_jurisdiction_and_severity(tmp_path):
    fr = tmp_path / "fr.txt"
    fr.write_text(UPDATE)
    de = tmp_path / "de.txt"
    de.write_text(
        "Information on the customs portal\n\nThe customs authority has published a new version of its online "
        "guide for importers. The guide explains the existing procedures and changes no rule.\n"
    )

    run = cli_runner(tmp_path)

    assert run("regwatch", "add", str(fr), "--jurisdiction", "FR").returncode == 0
    assert run("regwatch", "add", str(de), "--jurisdiction", "DE").returncode == 0
    digest = json.loads(run("regwatch", "digest", "--format", "json").stdout)
    by_jurisdiction = {entry["jurisdiction"]: entry for entry in digest["entries"]}
    assert set(by_jurisdiction) == {"FR", "DE"}
    assert by_jurisdiction["FR"]["impact"]["severity"] == "high"
    assert [tax["id"] for tax in by_jurisdiction["FR"]["impact"]["taxes"]][:1] == ["vat"]
    assert by_jurisdiction["DE"]["impact"]["severity"] == "low"
    markdown = run("regwatch", "digest").stdout
    assert markdown.index("## DE") < markdown.index("## FR")
    assert "### High impact" in markdown and "5.5%" in markdown
    page = run("regwatch", "digest", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<h2>FR</h2>" in page
    assert json.loads(run("regwatch", "digest", "--since", "2100-01-01", "--format", "json").stdout)["entries"] == []


def test_added_updates_go_to_the_review_queue_once(tmp_path):
    notice = tmp_path / "notice.txt"
    notice.write_text(UPDATE)

    run = cli_runner(tmp_path)

    assert run("regwatch", "add", str(notice), "--jurisdiction", "FR").returncode == 0
    assert run("regwatch", "add", str(notice), "--jurisdiction", "FR").returncode == 0  # a duplicate
    pending = json.loads(run("review", "list", "--status", "pending", "--json").stdout)
    assert sorted(finding["kind"] for finding in pending) == ["regwatch.impact", "regwatch.summary", "regwatch.title"]
    title = next(finding for finding in pending if finding["kind"] == "regwatch.title")
    assert run("review", "approve", str(title["id"]), "--reviewer", "alice").returncode == 0
    stats = json.loads(run("review", "stats", "--json").stdout)
    assert "regwatch.title" in json.dumps(stats)


RELATED = """Client alert: e-books move to the 5.5% VAT rate

The Ministry of Finance confirmed that electronically supplied books will be taxed at the reduced VAT rate of
5.5% from 1 January 2027 instead of the standard rate of 20%. Sellers must adapt their invoicing systems.
"""


def test_related_updates_are_grouped_listed_and_linked_in_the_digest(tmp_path):
    for name, text in (("ministry.txt", UPDATE), ("alert.txt", RELATED)):
        (tmp_path / name).write_text(text)

    run = cli_runner(tmp_path)

    added = json.loads(run("regwatch", "add", "ministry.txt", "alert.txt", "--jurisdiction", "FR", "--json").stdout)
    group_ids = {outcome["update"]["group_id"] for outcome in added}
    assert len(group_ids) == 1 and None not in group_ids
    groups = json.loads(run("regwatch", "groups", "--min-members", "2", "--json").stdout)
    assert [len(group["members"]) for group in groups] == [2]
    shown = run("regwatch", "group", str(groups[0]["id"]), "--words", "60", "--json")
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)["summary"]
    assert {s["document_id"] for s in summary["sentences"]} <= {o["update"]["document_id"] for o in added}
    assert summary["dates"]["effective"] == "2027-01-01"
    table = run("regwatch", "groups")
    assert table.returncode == 0 and "VAT" in table.stdout
    digest = json.loads(run("regwatch", "digest", "--json").stdout)
    assert all(len(entry["related"]) == 1 for entry in digest["entries"])
    assert "Related:" in run("regwatch", "digest").stdout
    missing = run("regwatch", "group", "999", check=False)
    assert missing.returncode == 1 and "no update group" in missing.stderr and "Traceback" not in missing.stderr
