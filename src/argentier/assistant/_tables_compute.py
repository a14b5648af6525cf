"""Pick the row(s) and column(s) a question names in one table, read their numbers and do the arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argentier.assistant._tables_grid import Cell, Row, Table, detect_scale, is_percent
from argentier.assistant._tables_match import Intent, idf_weights, label_score, tokens, years_in

__all__ = ["compute", "Found", "format_number"]

_CONTEXT_SCALE = re.compile(r"\(?(?:[$€£]|dollars|amounts?)?\s*in\s+(thousands|millions|billions)\b", re.I)


@dataclass(frozen=True)
class Found:
    answer: str
    value: float | str | None
    scale: str | None
    arithmetic: str | None
    cells: tuple[tuple[Row, Cell], ...]
    confidence: float
    operation: str
    items: tuple[str, ...] = ()


def format_number(value: float, decimals: int = 2) -> str:
    """``1496.5 -> '1,496.5'``, ``-12.600000001 -> '-12.6'``, ``24.4139 -> '24.41'``.

    >>> format_number(1496.5), format_number(-12.600000001), format_number(24.4139), format_number(3.0)
    ('1,496.5', '-12.6', '24.41', '3')
    """
    text = f"{round(value, decimals):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _column_years(table: Table) -> list[list[str]]:
    return [years_in(name) for name in table.columns]


def _value_columns(table: Table) -> list[int]:
    used = {
        cell.column for row in table.rows for cell in row.cells if cell.value is not None and cell.column >= 0
    }
    return sorted(used)


def _pick_columns(question: list[str], intent: Intent, table: Table) -> tuple[list[int], float]:
    """Columns for the question's years (best token match among same-year columns), and a certainty."""
    values = _value_columns(table)
    if not values:
        return [], 0.0
    col_years = _column_years(table)
    col_tokens = {index: tokens(table.columns[index]) for index in values}
    weights = idf_weights(list(col_tokens.values()))

    asks_percent = intent.percent or intent.operation == "ratio"

    def score(index: int) -> float:
        # A "% of total" column answers only a question about percentages.
        penalty = 0.5 if not asks_percent and is_percent(table.columns[index]) else 0.0
        return label_score(question, col_tokens[index], weights) - penalty

    def by_tokens(candidates: list[int]) -> tuple[int, float]:
        scored = sorted(candidates, key=lambda i: (-score(i), i))
        best = scored[0]
        if len(scored) == 1:
            return best, 1.0
        return best, 1.0 if score(best) > score(scored[1]) else 0.7

    if intent.years:
        picked, certainty = [], 1.0
        years = list(dict.fromkeys(intent.years))
        if intent.operation == "average" and len(years) == 1:
            # "the 2019 average X" of a balance: the mean of the year's and the year before's closing values.
            years.append(str(int(years[0]) - 1))
            certainty = 0.8
        for year in years:
            candidates = [i for i in values if year in col_years[i]]
            if not candidates:
                continue
            exact = [i for i in candidates if len(set(col_years[i])) == 1]
            best, sure = by_tokens(exact or candidates)
            picked.append(best)
            certainty = min(certainty, sure)
        return picked, certainty if picked else 0.0
    year_columns = [i for i in values if len(set(col_years[i])) == 1]
    many = (
        "average",
        "sum",
        "argmax",
        "argmin",
        "change",
        "percent_change",
        "years_list",
        "count_years",
        "years_filter",
        "average_change",
    )
    if intent.operation in many and year_columns:
        years = {col_years[i][0] for i in year_columns}
        if len(years) == len(year_columns):
            return year_columns, 0.9
    if len(values) == 1:
        return values, 0.9
    best, sure = by_tokens(values)
    if label_score(question, col_tokens[best], weights) == 0:
        return [], 0.0
    return [best], sure * 0.9


_NOTE = re.compile(r"\((?:see |refer to )?notes? [^)]*\)|\((?:\d{1,2}|[a-z])\)|(?<=[a-z])\d{1,2}\b|\*+", re.I)


def clean_label(label: str) -> str:
    """A row label without its footnote marks and note references.

    >>> clean_label("Deferred tax assets (see Note 16)"), clean_label("Other assets(1)"), clean_label("Order intake1")
    ('Deferred tax assets', 'Other assets', 'Order intake')
    """
    return " ".join(_NOTE.sub(" ", label).split())


def _pick_row(
    question: list[str], question_text: str, table: Table, columns: list[int]
) -> tuple[Row | None, float]:
    rows = [
        row
        for row in table.rows
        if row.label and any(row.cell(c) and row.cell(c).value is not None for c in columns)
    ]
    if not rows:
        return None, 0.0
    labels = [tokens(clean_label(row.label)) for row in rows]
    weights = idf_weights(labels)
    flat = " ".join(tokens(question_text, keep_stop=True))
    scored = []
    for row, label in zip(rows, labels):
        score = label_score(question, label, weights)
        phrase = " ".join(tokens(clean_label(row.label), keep_stop=True))
        if phrase and f" {phrase} " in f" {flat} ":
            score += 0.25
        # The section ("Cost of revenue:") tells apart rows with the same label ("Client services").
        section = len(set(tokens(row.section)) & set(question)) if row.section else 0
        scored.append((score, section, len(label), row))
    scored.sort(key=lambda item: (-item[0], -item[1], -item[2]))
    top = scored[0]
    if top[0] <= 0:
        return None, 0.0
    confidence = min(top[0], 1.0)
    tied = [item for item in scored[1:] if item[0] >= top[0] - 1e-9]
    if any(item[3].label != top[3].label or item[1] >= top[1] for item in tied):
        confidence *= 0.6  # another row matches as well
    return top[3], confidence


_UNITLESS = re.compile(
    r"per share|per unit|per day|\bcents\b|\(years?\)|in years|\bratio\b|\bdays\b|number of|headcount|"
    r"employees|(?:share|stock|exercise|selling|unit) price|\btonnes\b|\bshares\b(?! of)|expiration|\byears?\b\s*$",
    re.I,
)


def _scale(table: Table, cells: list[Cell], context: str, rows: tuple[Row, ...] = ()) -> str | None:
    if any(is_percent(cell.text) for cell in cells) or any(is_percent(row.label) for row in rows):
        return "percent"
    labels = [row.label for row in rows] + [table.columns[c.column] for c in cells if c.column >= 0]
    if any(_UNITLESS.search(re.sub(r"\bexcept\b[^)|]*", "", label, flags=re.I)) for label in labels):
        return None
    if all(re.fullmatch(r"(?:19|20)\d\d", cell.text.strip()) for cell in cells):
        return None
    for cell in cells:
        if 0 <= cell.column < len(table.column_scales) and table.column_scales[cell.column]:
            return table.column_scales[cell.column]
    if table.scale:
        return table.scale
    match = _CONTEXT_SCALE.search(context)
    if match:
        return detect_scale(match.group(0))
    return None


def _coverage(question: list[str], row: Row, columns: list[str], table: Table) -> float:
    """Share of the question's content words the row, its section, the columns and caption account for."""
    if not question:
        return 1.0
    known = set(tokens(row.label)) | set(tokens(row.section)) | set(tokens(table.caption))
    for name in columns:
        known |= set(tokens(name))
    return sum(1 for word in question if word in known) / len(question)


_CHANGE_COLUMN = re.compile(r"change|increase|decrease|variance|growth|over", re.I)


def _percent_change_column(table: Table, row: Row, intent: Intent) -> Cell | None:
    """The row's cell in a "% change" column (for the question's years, if the label names years)."""
    for cell in row.cells:
        if cell.column < 0 or cell.value is None:
            continue
        label = table.columns[cell.column]
        if not (is_percent(label) or is_percent(cell.text)) or not _CHANGE_COLUMN.search(
            label + " " + cell.text
        ):
            continue
        years = years_in(label)
        if years and intent.years and not set(years) <= set(intent.years):
            continue
        return cell
    return None


def _two_rows(
    intent: Intent, question_text: str, table: Table, columns: list[int]
) -> tuple[Row, Row, float] | None:
    assert intent.parts is not None
    first, first_score = _pick_row(tokens(intent.parts[0]), intent.parts[0], table, columns)
    second, second_score = _pick_row(tokens(intent.parts[1]), intent.parts[1], table, columns)
    if first is None or second is None or first is second:
        return None
    return first, second, min(first_score, second_score)


def _arith(operation: str, a: float, b: float, percent: bool) -> tuple[float, str, str] | None:
    """``a (op) b`` with its shown arithmetic and answer text; ``None`` for a division by zero."""
    if operation == "ratio":
        if b == 0:
            return None
        result = a / b * (100 if percent else 1)
        shown = f"{format_number(a)} / {format_number(b)}" + (" * 100" if percent else "")
        text = f"{format_number(result)}%" if percent else format_number(result)
        return result, f"{shown} = {text}", text
    if operation == "sum":
        result = a + b
        return (
            result,
            f"{format_number(a)} + {format_number(b)} = {format_number(result)}",
            format_number(result),
        )
    result = a - b
    return result, f"{format_number(a)} - {format_number(b)} = {format_number(result)}", format_number(result)


def compute(question_text: str, intent: Intent, table: Table, context: str) -> Found | None:
    question = tokens(question_text)
    col_years = _column_years(table)
    columns, column_certainty = _pick_columns(question, intent, table)
    if not columns:
        return None
    operation = intent.operation
    if intent.parts is not None and operation in ("ratio", "change", "sum", "lookup") and len(columns) == 1:
        picked = _two_rows(intent, question_text, table, columns)
        if picked is None:
            return None
        first, second, score = picked
        a_cell, b_cell = first.cell(columns[0]), second.cell(columns[0])
        if a_cell is None or b_cell is None or a_cell.value is None or b_cell.value is None:
            return None
        done = _arith(
            "sum" if operation == "lookup" else operation, a_cell.value, b_cell.value, intent.percent
        )
        if done is None:
            return None
        result, arithmetic, text = done
        scale = (
            "percent"
            if operation == "ratio" and intent.percent
            else (None if operation == "ratio" else _scale(table, [a_cell, b_cell], context, (first, second)))
        )
        confidence = score * column_certainty
        return Found(
            text, result, scale, arithmetic, ((first, a_cell), (second, b_cell)), confidence, operation
        )
    if operation == "ratio":
        return None
    row, row_score = _pick_row(question, question_text, table, columns)
    if row is None and operation == "years_list" and len(columns) > 1:
        years = tuple(dict.fromkeys(col_years[c][0] for c in columns if len(set(col_years[c])) == 1))
        if len(years) < 2:
            return None
        return Found(", ".join(years), ", ".join(years), None, None, (), 0.55, operation, years)
    if row is None:
        return None
    if operation == "percent_change":
        cell = _percent_change_column(table, row, intent)
        if cell is not None:
            coverage = _coverage(question, row, [table.columns[cell.column]], table)
            scale = "percent"
            text = cell.text if "%" in cell.text else f"{cell.text}%"
            return Found(
                text, cell.value, scale, None, ((row, cell),), row_score * (0.4 + 0.6 * coverage), operation
            )
    cells = [row.cell(c) for c in columns]
    if any(cell is None or cell.value is None for cell in cells):
        return None
    coverage = _coverage(question, row, [table.columns[c] for c in columns], table)
    confidence = row_score * column_certainty * (0.4 + 0.6 * coverage)
    scale = _scale(table, cells, context, (row,))
    pairs = tuple((row, cell) for cell in cells)
    values = [cell.value for cell in cells]
    if (
        operation == "lookup"
        and len(cells) > 1
        and not re.search(r"respective", question_text, re.I)
        and (
            # "the total X in 2019 and 2018" adds them up, unless "Total" is part of the row's own label
            (re.search(r"\btotal\b", question_text, re.I) and not re.search(r"\btotal\b", row.label, re.I))
            or re.search(r"\bboth\b|\bin total\b|\bcombined\b|\baltogether\b", question_text, re.I)
        )
    ):
        operation = "sum"
    if operation == "lookup":
        if len(cells) == 1:
            return Found(cells[0].text, values[0], scale, None, pairs, confidence, operation)
        texts = [cell.text for cell in cells]
        return Found(", ".join(texts), None, scale, None, pairs, confidence * 0.9, operation, tuple(texts))
    if operation in ("years_list", "count_years", "years_filter"):
        if len(cells) < 2 or any(len(set(col_years[c])) != 1 for c in columns):
            return None
        if operation == "years_list":
            years = tuple(col_years[c][0] for c in columns)
            return Found(
                ", ".join(years), ", ".join(years), None, None, pairs, confidence * 0.8, operation, years
            )
        bound = intent.threshold
        keep = [(c, v) for c, v in zip(columns, values) if (v > bound if intent.above else v < bound)]
        sign = ">" if intent.above else "<"
        arithmetic = ", ".join(
            f"{format_number(v)} ({col_years[c][0]}) {sign} {format_number(bound)}: "
            f"{'yes' if (c, v) in keep else 'no'}"
            for c, v in zip(columns, values)
        )
        if operation == "count_years":
            return Found(str(len(keep)), float(len(keep)), None, arithmetic, pairs, confidence, operation)
        years = tuple(col_years[c][0] for c, _ in keep)
        if not years:
            return None
        return Found(
            ", ".join(years), ", ".join(years), None, arithmetic, pairs, confidence, operation, years
        )
    if operation in ("change", "percent_change"):
        if len(cells) != 2:
            return None
        order = sorted(range(2), key=lambda i: col_years[columns[i]][0] if col_years[columns[i]] else str(i))
        old, new = values[order[0]], values[order[1]]
        pairs = (pairs[order[1]], pairs[order[0]])
        if operation == "change":
            result = new - old
            arithmetic = f"{format_number(new)} - {format_number(old)} = {format_number(result)}"
            return Found(format_number(result), result, scale, arithmetic, pairs, confidence, operation)
        if old == 0:
            return None
        result = (new - old) / old * 100
        arithmetic = f"({format_number(new)} - {format_number(old)}) / {format_number(old)} * 100 = {format_number(result)}%"
        return Found(f"{format_number(result)}%", result, "percent", arithmetic, pairs, confidence, operation)
    if operation == "average_change":
        by_year = {col_years[c][0]: v for c, v in zip(columns, values) if col_years[c]}
        years = sorted(by_year)
        if len(years) < 3 or int(years[-1]) - int(years[-3]) != 2:
            return None
        newer, older = (by_year[years[-1]] + by_year[years[-2]]) / 2, (by_year[years[-2]] + by_year[years[-3]]) / 2
        result = newer - older
        arithmetic = (
            f"({format_number(by_year[years[-1]])} + {format_number(by_year[years[-2]])}) / 2 - "
            f"({format_number(by_year[years[-2]])} + {format_number(by_year[years[-3]])}) / 2 = {format_number(result)}"
        )
        return Found(format_number(result), result, scale, arithmetic, pairs, confidence, operation)
    if operation in ("average", "sum"):
        if len(cells) < 2:
            return None
        total = sum(values)
        terms = " + ".join(format_number(v) for v in values)
        if operation == "sum":
            return Found(
                format_number(total),
                total,
                scale,
                f"{terms} = {format_number(total)}",
                pairs,
                confidence,
                operation,
            )
        result = total / len(values)
        arithmetic = f"({terms}) / {len(values)} = {format_number(result)}"
        return Found(format_number(result), result, scale, arithmetic, pairs, confidence, operation)
    if operation in ("argmax", "argmin"):
        if len(cells) < 2 or any(not col_years[c] for c in columns):
            return None
        pick = max if operation == "argmax" else min
        index = pick(range(len(values)), key=lambda i: values[i])
        year = col_years[columns[index]][0]
        ordered = sorted(zip(values, columns), reverse=operation == "argmax")
        arithmetic = (" > " if operation == "argmax" else " < ").join(
            f"{format_number(v)} ({col_years[c][0]})" for v, c in ordered
        )
        return Found(year, year, None, arithmetic, pairs, confidence, operation)
    return None
