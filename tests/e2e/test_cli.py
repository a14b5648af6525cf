"""End-to-end runs of the installed ``argentier`` command in a fresh data home."""

import json

import pytest
from _cli import cli_runner


@pytest.fixture
def run(tmp_path, database_url):
    return cli_runner(tmp_path, database_url)


def test_docs_add_search_list_remove(run, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    day_one = "Accounts payable cuts off purchase invoices and books goods received not invoiced. " * 4
    (folder / "close.md").write_text(
        f"# Close\n\n## Day 1\n\n{day_one}\n\n## Day 2\n\nTreasury reconciles the bank accounts on day two.\n"
    )
    (folder / "terms.txt").write_text("1. Payment\nThe customer pays invoices within 45 days.\n")
    added = json.loads(run("docs", "add", str(folder), "--groups", "finance", "--meta", "team=fpa", "--json").stdout)
    assert sorted(item["status"] for item in added) == ["added", "added"]
    again = json.loads(run("docs", "add", str(folder), "--groups", "finance", "--json").stdout)
    assert [item["status"] for item in again] == ["unchanged", "unchanged"]

    hits = json.loads(run("search", "who reconciles the bank accounts", "-k", "2", "--json").stdout)
    top = hits[0]
    assert set(top) >= {"document", "page", "section", "start", "end", "text", "score"}
    assert set(top["document"]) == {"id", "title", "path"}
    assert top["document"]["path"] == (folder / "close.md").resolve().as_posix()
    assert "reconciles the bank accounts" in top["text"]
    assert top["section"] == "Close > Day 2"
    assert top["page"] is None

    assert json.loads(run("search", "bank", "--groups", "sales", "--json").stdout) == []
    assert json.loads(run("search", "bank", "--meta", "team=fpa", "--json").stdout)
    assert json.loads(run("search", "bank", "--meta", "team=none", "--json").stdout) == []

    listed = json.loads(run("docs", "list", "--json").stdout)
    assert [doc["groups"] for doc in listed] == [["finance"], ["finance"]]
    table = run("docs", "list").stdout
    assert "close" in table.lower()
    page = json.loads(run("docs", "list", "--limit", "1", "--offset", "1", "--json").stdout)
    assert [doc["id"] for doc in page] == [listed[1]["id"]]
    assert "document(s) 2-2 of 2" in run("docs", "list", "--limit", "1", "--offset", "1").stdout

    removed = json.loads(run("docs", "remove", str(listed[0]["id"]), "--json").stdout)
    assert removed[0]["id"] == listed[0]["id"]
    assert len(json.loads(run("docs", "list", "--json").stdout)) == 1


def test_bad_files_give_one_line_errors_and_non_zero_exit(run, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Accrue every cost above five thousand euros.")
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7 truncated")
    result = run("docs", "add", str(good), str(corrupt), str(tmp_path / "missing.docx"), check=False)
    assert result.returncode == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 2
    assert any("corrupt.pdf" in line for line in error_lines)
    assert any("missing.docx" in line and "not found" in line for line in error_lines)
    assert "Traceback" not in result.stderr
    assert len(json.loads(run("docs", "list", "--json").stdout)) == 1


def test_config_show_and_invalid_config(run, tmp_path):
    shown = json.loads(run("config", "show", "--json").stdout)
    assert shown["home"].endswith("home")
    assert shown["search"]["fusion"] == "rrf"
    (tmp_path / "argentier.toml").write_text("[search]\nfusion = 3\n")
    result = run("config", "show", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error:") and "search.fusion" in result.stderr
    assert "Traceback" not in result.stderr


def test_search_errors_are_one_line(run):
    result = run("search", "  ", check=False)
    assert result.returncode == 1
    assert "the search query is empty" in result.stderr


def test_demo_indexes_every_format_and_cites_hits(run):
    report = json.loads(run("demo", "--json").stdout)
    assert [item["status"] for item in report["added"]] == ["added"] * 5
    searches = {
        (search["query"], ("owner",) if search["groups"] is None else tuple(search["groups"])): search["hits"]
        for search in report["searches"]
    }
    payment = searches[("When must invoices be paid, and what interest is charged on late payment?", ("owner",))]
    assert payment[0]["document"]["title"] == "Master Supply Agreement"
    assert "forty-five days" in payment[0]["text"]
    termination = searches[("How can either party terminate the agreement?", ("owner",))]
    assert termination[0]["section"].startswith("6. Termination") and termination[0]["page"] == 2
    vat = searches[("Which VAT rate applies to e-books from 2027?", ("owner",))]
    assert "5.5%" in vat[0]["text"]
    public_titles = {hit["document"]["title"] for hit in searches[("net debt to EBITDA covenant", ())]}
    assert all("Treasury" not in title for title in public_titles)
    treasury = searches[("net debt to EBITDA covenant", ("treasury",))]
    assert "EBITDA" in treasury[0]["text"]
    text_run = run("demo").stdout
    assert "unchanged" in text_run and "Q:" in text_run
