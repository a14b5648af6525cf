"""Table flattening: multi-row headers merged per column, simple tables unchanged, offsets exact."""

from __future__ import annotations

from argentier.core.documents import parse_text
from argentier.core.documents._builder import table_lines

FIXED_PRICE = [
    ["", "", "Years Ended September 30,", ""],
    ["", "2019", "2018", "2017"],
    ["Fixed Price", "$  1,452.4", "$  1,146.2", "$  1,036.9"],
    ["Other", "44.1", "56.7", "70.8"],
    ["Total sales", "$1,496.5", "$1,202.9", "$1,107.7"],
]


def test_simple_tables_keep_their_lines() -> None:
    assert table_lines([["Item", "Amount"], ["Rent", "1,200"], ["", "300"]]) == [
        "Item | Amount",
        "Item: Rent | Amount: 1,200",
        "Amount: 300",
    ]
    # A text-only table: the second row is body, not a second header row.
    assert table_lines([["Name", "Role"], ["Alice", "CFO"], ["Bob", "Controller"]]) == [
        "Name | Role",
        "Name: Alice | Role: CFO",
        "Name: Bob | Role: Controller",
    ]


def test_spanning_header_prefixes_every_year_column() -> None:
    lines = table_lines(FIXED_PRICE)
    assert lines[0] == (
        "Years Ended September 30, 2019 | Years Ended September 30, 2018 | Years Ended September 30, 2017"
    )
    assert lines[1] == (
        "Fixed Price | Years Ended September 30, 2019: $ 1,452.4 | Years Ended September 30, 2018: $ 1,146.2 | "
        "Years Ended September 30, 2017: $ 1,036.9"
    )
    assert len(lines) == 4


def test_group_headers_span_their_own_columns_and_units_move_to_values() -> None:
    rows = [
        ["", "Domestic", "", "International", ""],
        ["($ in millions)", "2019", "2018", "2019", "2018"],
        ["Discount rate", "4.00%", "3.75%", "1.90%", "2.80%"],
    ]
    header, body = table_lines(rows)
    assert header.split(" | ") == [
        "Domestic 2019 ($ in millions)",
        "Domestic 2018 ($ in millions)",
        "International 2019 ($ in millions)",
        "International 2018 ($ in millions)",
    ]
    assert body.startswith("Discount rate | Domestic 2019 ($ in millions): 4.00%")


def test_unit_row_and_section_rows() -> None:
    rows = [
        ["", "", "Fiscal", ""],
        ["", "2019", "2018", "2017"],
        ["", "", "(in millions)", ""],
        ["Transportation Solutions:", "", "", ""],
        ["Automotive", "$ 5,686", "$ 6,092", "$ 5,228"],
    ]
    lines = table_lines(rows)
    assert lines[0] == "Fiscal 2019 (in millions) | Fiscal 2018 (in millions) | Fiscal 2017 (in millions)"
    assert lines[1] == "Transportation Solutions:"  # a section row stays in the body
    assert lines[2].startswith("Automotive | Fiscal 2019 (in millions): $ 5,686")


def test_unmarked_header_is_inferred_only_when_later_rows_hold_amounts() -> None:
    assert table_lines(FIXED_PRICE, header=False)[0].startswith("Years Ended September 30, 2019 |")
    assert table_lines([["Alice", "CFO"], ["Bob", "Controller"]], header=False) == [
        "Alice | CFO",
        "Bob | Controller",
    ]
    # A header row of dates is not mistaken for amounts.
    rows = [["(In Millions)", "Dec 29, 2018", "Acquisitions"], ["Data Center Group", "$5,424", "$1,758"]]
    assert (
        table_lines(rows, header=False)[1]
        == "Data Center Group | Dec 29, 2018 (In Millions): $5,424 | \
Acquisitions (In Millions): $1,758"
    )


def test_html_table_without_header_markup_gets_merged_header_and_exact_row_offsets() -> None:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in FIXED_PRICE)
    doc = parse_text(
        f"<html><body><p>Sales by contract type.</p><table>{cells}</table></body></html>", format="html"
    )
    table = next(doc.nodes("table"))
    rows = [doc.text[row.start : row.end] for row in table.children]
    assert rows[0].startswith("Years Ended September 30, 2019")
    assert rows[-1].startswith("Total sales | Years Ended September 30, 2019: $1,496.5")
    assert doc.text[table.start : table.end] == "\n".join(rows)
