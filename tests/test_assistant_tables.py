"""Table answers: grids rebuilt with exact offsets, cell lookups, arithmetic shown, scale kept, refusal when unsure."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest
from shared_data import shared_data

from argentier.assistant.tables import (
    TableAnswer,
    answer_from_tables,
    detect_scale,
    find_tables,
    parse_number,
)
from argentier.core.documents import parse_text

ROWS = [
    ["", "", "Years Ended September 30,", ""],
    ["", "2019", "2018", "2017"],
    ["", "", "(in millions)", ""],
    ["Fixed Price", "$  1,452.4", "$  1,146.2", "$  1,036.9"],
    ["Other", "44.1", "56.7", "70.8"],
    ["Total sales", "$1,496.5", "$1,202.9", "$1,107.7"],
    ["Operating margin", "12.5%", "11.0%", "10.1%"],
]


def html_table(rows: list[list[str]], paragraphs: tuple[str, ...] = ()) -> str:
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><body><main><p>Sales by contract type.</p><table>{body}</table>{text}</main></body></html>"


@pytest.fixture(scope="module")
def doc():
    return parse_text(html_table(ROWS), format="html")


@pytest.fixture(scope="module")
def tables(doc):
    return find_tables(doc)


def ask(tables, question: str) -> TableAnswer:
    found = answer_from_tables(question, tables)
    assert found is not None, question
    return found


def test_grid_is_rebuilt_with_merged_headers_and_exact_offsets(doc, tables) -> None:
    assert len(tables) == 1
    table = tables[0]
    assert table.scale == "million"
    assert [row.label for row in table.rows] == ["Fixed Price", "Other", "Total sales", "Operating margin"]
    first = table.rows[0].cells[0]
    assert first.column_label == "Years Ended September 30, 2019 (in millions)"
    assert (first.text, first.value) == ("$ 1,452.4", 1452.4)
    for row in table.rows:
        assert doc.text[row.label_start : row.label_end] == row.label
        for cell in row.cells:
            assert doc.text[cell.start : cell.end] == cell.text


def test_markdown_table_without_year_header() -> None:
    doc = parse_text(
        "| Item | Amount |\n|---|---|\n| Rent | 1,200 |\n| Salaries | 8,000 |", format="markdown"
    )
    table = find_tables(doc)[0]
    assert table.columns == ("Item", "Amount")
    assert [(row.label, row.cells[0].value) for row in table.rows] == [("Rent", 1200.0), ("Salaries", 8000.0)]
    found = answer_from_tables("What is the amount of salaries?", [table])
    assert found is not None and found.answer == "8,000"


def test_cell_lookup_keeps_scale_and_cites_the_cell(doc, tables) -> None:
    found = ask(tables, "What is the amount of total sales in 2019?")
    assert (found.answer, found.value, found.scale, found.arithmetic) == ("$1,496.5", 1496.5, "million", None)
    cell = found.cells[0]
    assert (cell.row_label, cell.text) == ("Total sales", "$1,496.5")
    assert doc.text[cell.start : cell.end] == "$1,496.5"
    assert found.confidence >= 0.5


def test_change_percentage_change_and_average_show_their_arithmetic(tables) -> None:
    change = ask(tables, "What is the change in Other in 2019 from 2018?")
    assert change.value == pytest.approx(-12.6) and change.scale == "million"
    assert change.arithmetic == "44.1 - 56.7 = -12.6"
    assert [c.text for c in change.cells] == ["44.1", "56.7"]
    percent = ask(tables, "What is the percentage change in Other in 2019 from 2018?")
    assert (percent.answer, percent.scale) == ("-22.22%", "percent")
    assert percent.arithmetic == "(44.1 - 56.7) / 56.7 * 100 = -22.22%"
    average = ask(tables, "What was the average Other between 2017-2019?")
    assert average.value == pytest.approx((44.1 + 56.7 + 70.8) / 3)
    assert average.arithmetic == "(44.1 + 56.7 + 70.8) / 3 = 57.2"


def test_two_row_ratio_sum_and_difference(tables) -> None:
    ratio = ask(tables, "What is Other as a percentage of Total sales in 2019?")
    assert ratio.answer == "2.95%" and ratio.scale == "percent"
    assert ratio.arithmetic == "44.1 / 1,496.5 * 100 = 2.95%"
    total = ask(tables, "What is the sum of Fixed Price and Other in 2018?")
    assert total.value == pytest.approx(1146.2 + 56.7) and total.scale == "million"
    difference = ask(tables, "What is the difference between Fixed Price and Other in 2017?")
    assert difference.value == pytest.approx(1036.9 - 70.8)


def test_comparisons_counts_and_lists(tables) -> None:
    assert ask(tables, "In which year was the amount of total sales the largest?").value == "2019"
    assert ask(tables, "In which year was Other the smallest?").value == "2019"
    count = ask(tables, "How many years did Other exceed 50?")
    assert count.answer == "2" and "70.8 (2017) > 50: yes" in count.arithmetic
    years = ask(tables, "In which years was Other above 50?")
    assert years.items == ("2018", "2017")
    listed = ask(tables, "What was the Other in 2019 and 2018 respectively?")
    assert listed.items == ("44.1", "56.7")


def test_percent_cells_take_the_percent_scale(tables) -> None:
    found = ask(tables, "What was the operating margin in 2018?")
    assert (found.answer, found.scale) == ("11.0%", "percent")


def test_unsure_questions_return_none(tables) -> None:
    for question in (
        "Who is the chief executive officer?",
        "What was the revenue of the Mars colony in 2019?",
        "What is the amount of total sales in 2012?",
        "",
    ):
        assert answer_from_tables(question, tables) is None, question
    assert answer_from_tables("What is the amount of total sales in 2019?", []) is None


def test_table_answer_is_frozen_and_json_ready(tables) -> None:
    found = ask(tables, "What is the percentage change in Other in 2019 from 2018?")
    data = json.loads(json.dumps(found.to_dict()))
    assert data["cells"][0]["row_label"] == "Other" and data["scale"] == "percent"
    with pytest.raises(FrozenInstanceError):
        found.answer = "x"  # type: ignore[misc]


def test_numbers_and_scales_are_read_like_an_analyst() -> None:
    assert parse_number("$(39,950)") == -39950.0
    assert parse_number("(12.3)") == -12.3
    assert parse_number("- - %") is None
    assert parse_number("−4.5") == -4.5
    assert detect_scale("$’000") == "thousand" and detect_scale("€m") == "million"
    assert detect_scale("(Dollars in Billions)") == "billion"


def test_real_tatqa_context_answers_match_the_gold() -> None:
    """The first TAT-QA dev context (an annual report's sales by contract type), answered from its table."""
    context = json.loads(shared_data("tatqa", "dev.json").read_text(encoding="utf-8"))[0]
    paragraphs = tuple(p["text"] for p in context["paragraphs"])
    doc = parse_text(html_table(context["table"]["table"], paragraphs), format="html")
    tables = find_tables(doc)
    gold = {q["question"]: q for q in context["questions"]}
    change = answer_from_tables(
        "What is the change in Other in 2019 from 2018?", tables, context=" ".join(paragraphs)
    )
    assert round(change.value, 2) == gold["What is the change in Other in 2019 from 2018?"]["answer"]
    assert change.scale == "million"
    largest = answer_from_tables("In which year is the amount of total sales the largest?", tables)
    assert [largest.value] == gold["In which year is the amount of total sales the largest?"]["answer"]
