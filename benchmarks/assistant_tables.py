"""Table question answering on TAT-QA dev (Zhu et al., ACL 2021): real annual-report tables and their questions.

Run from the project root (under the benchmark lock)::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/assistant_tables.py
    .venv/bin/python benchmarks/assistant_tables.py --json-out bench-out/tables.json --errors /tmp/tables/errors.jsonl

Every context's table is rendered as a plain HTML ``<table>`` (``<td>`` cells only, no header markup, as in
most filings) followed by its paragraphs, and loaded through Argentier's real HTML loader; the questions whose
``answer_from`` is ``table`` or ``table-text`` go to :func:`argentier.assistant.tables.answer_from_tables` with
the paragraphs as context. Scoring follows TAT-QA's official rule (``tatqa_metric.py``): each answer item is
normalised (numbers rounded to two decimals and multiplied by the scale: thousand, million, billion, percent),
so a right number with the wrong scale is wrong. The contexts are split in two halves by order: the rules were
developed on the first half; the second is reported separately as held out.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import string
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from argentier.assistant.tables import answer_from_tables, find_tables  # noqa: E402
from argentier.core.documents import parse_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tatqa" / "dev.json"
_SCALE = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "percent": 0.01}
_NUM = re.compile(r"[+-]?\d+(?:\.\d+)?|[+-]?\.\d+")
_STRIP = set("'\"\\$€£¥%(),[]")


def _number(text: str) -> float | None:
    """TAT-QA's reading of an answer item as a number: "$(1,234.5)" -> -1234.5, "12%" -> 0.12, else None."""
    words = ["".join(ch for ch in word if ch not in _STRIP) for word in text.split()]
    words = [word for word in words if word]
    if not words:
        return None
    try:
        float(words[0])
    except ValueError:
        return None
    if len(words) > 1 and words[1].lower() not in ("thousand", "million", "billion", "percent"):
        return None
    match = _NUM.search(words[0])
    if match is None:
        return None
    value = float(match.group(0))
    if re.search(r"\([\d.\s%]+\)", text):
        value = -value
    if re.search(r"[\d.\s]+%", text):
        value *= 0.01
    return round(value, 4)


def _normalise(item: str) -> str:
    parts = []
    for token in item.lower().split(" "):
        if _number(token) is None:
            token = "".join(ch for ch in token if ch not in string.punctuation)
        else:
            token = str(_number(token))
        token = " ".join(re.sub(r"\b(a|an|the)\b", " ", token).split())
        if token.strip():
            parts.append(token)
    return " ".join(parts)


def answer_string(items: list, scale: str) -> str:
    """One comparable string for an answer (a list of items) and its scale, after TAT-QA's rules."""
    out = []
    for item in sorted(str(item) for item in items):
        number = _number(item)
        if number is None:
            out.append(f"{item} {scale}" if scale else item)
        elif "%" in item:
            out.append("%.4f" % number)
        else:
            out.append("%.4f" % (round(number, 2) * _SCALE.get(scale, 1.0)))
    return " ".join(out)


def exact_match(gold: dict, prediction: list, scale: str) -> bool:
    gold_items = gold["answer"] if isinstance(gold["answer"], list) else [str(gold["answer"])]
    if gold["answer_type"] == "count":
        gold_items = [str(int(float(gold["answer"])))]
    truth = _normalise(answer_string(gold_items, gold["scale"]))
    candidates = [answer_string(prediction, scale)]
    if (
        not scale
        and len(prediction) == 1
        and _number(str(prediction[0])) is not None
        and "%" not in str(prediction[0])
    ):
        candidates.append("%.4f" % _number(str(prediction[0])))
    return any(_normalise(candidate) == truth for candidate in candidates)


def render_html(context: dict) -> tuple[str, str]:
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in context["table"]["table"]
    )
    paragraphs = [p["text"] for p in sorted(context["paragraphs"], key=lambda p: p["order"])]
    body = f"<table>{rows}</table>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html><body><main>{body}</main></body></html>", "\n".join(paragraphs)


def prediction_items(found) -> list:  # noqa: ANN001 - TableAnswer
    if found.items:
        return list(found.items)
    if found.operation == "lookup" and found.cells:
        return [found.cells[0].text]
    if found.operation == "count_years":
        return [str(int(found.value))]
    if isinstance(found.value, float):
        return [round(found.value, 2)]
    return [found.value]


def evaluate(contexts: list[dict], errors: list | None = None) -> dict:
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_operation: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for context in contexts:
        questions = [q for q in context["questions"] if q["answer_from"] in ("table", "table-text")]
        if not questions:
            continue
        page, paragraphs = render_html(context)
        tables = find_tables(parse_text(page, format="html"))
        for question in questions:
            found = answer_from_tables(question["question"], tables, context=paragraphs)
            stats = by_type[question["answer_type"]]
            stats["n"] += 1
            if found is None:
                continue
            items = prediction_items(found)
            correct = exact_match(question, items, found.scale or "")
            correct_unscaled = exact_match(question, items, question["scale"])
            for bucket in (stats, by_operation[found.operation]):
                bucket["answered"] += 1
                bucket["correct"] += int(correct)
                bucket["correct_ignoring_scale"] += int(correct_unscaled)
            if errors is not None and not correct:
                errors.append(
                    {
                        "question": question["question"],
                        "gold": question["answer"],
                        "gold_scale": question["scale"],
                        "derivation": question.get("derivation"),
                        "pred": items,
                        "pred_scale": found.scale,
                        "arithmetic": found.arithmetic,
                        "confidence": found.confidence,
                        "cells": [[c.row_label, c.column_label, c.text] for c in found.cells],
                    }
                )
    total = defaultdict(int)
    for stats in by_type.values():
        for key, value in stats.items():
            total[key] += value
    return {
        "all": _rates(total),
        "by_answer_type": {k: _rates(v) for k, v in sorted(by_type.items())},
        "by_operation": {k: _rates(v) for k, v in sorted(by_operation.items())},
    }


def _rates(stats: dict) -> dict:
    n, answered, correct = stats.get("n", 0), stats.get("answered", 0), stats.get("correct", 0)
    out = {
        "answered": answered,
        "correct": correct,
        "correct_ignoring_scale": stats.get("correct_ignoring_scale", 0),
        "precision": round(correct / answered, 4) if answered else None,
    }
    if n:
        out.update(n=n, em=round(correct / n, 4), coverage=round(answered / n, 4))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--errors", type=Path, help="write the wrong answers of the first half here (JSON lines)"
    )
    args = parser.parse_args()
    contexts = json.loads(args.data.read_text(encoding="utf-8"))
    half = len(contexts) // 2
    started = time.perf_counter()
    errors: list = []
    report = {
        "data": str(args.data),
        "contexts": len(contexts),
        "first_half": evaluate(contexts[:half], errors),
        "second_half": evaluate(contexts[half:]),
        "whole": evaluate(contexts),
    }
    report["seconds"] = round(time.perf_counter() - started, 2)
    # Comparable with the published figures, which cover every dev question (text-only ones count as missed here).
    every = sum(len(context["questions"]) for context in contexts)
    report["em_over_all_dev_questions"] = round(report["whole"]["all"]["correct"] / every, 4)
    for name in ("first_half", "second_half", "whole"):
        part = report[name]
        print(f"\n{name}: {json.dumps(part['all'])}")
        for answer_type, stats in part["by_answer_type"].items():
            print(f"  {answer_type:<11} {json.dumps(stats)}")
        for operation, stats in part["by_operation"].items():
            print(f"  op {operation:<15} {json.dumps(stats)}")
    print(
        f"\nEM over all {sum(len(c['questions']) for c in contexts)} dev questions: "
        f"{report['em_over_all_dev_questions']}\n{report['seconds']} s"
    )
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.errors:
        args.errors.parent.mkdir(parents=True, exist_ok=True)
        args.errors.write_text("".join(json.dumps(e) + "\n" for e in errors), encoding="utf-8")


if __name__ == "__main__":
    main()
