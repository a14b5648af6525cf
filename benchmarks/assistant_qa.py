"""Finance assistant benchmark: the project-written procedure set and TAT-QA dev, through `assistant eval`.

Run from the project root, under the benchmark lock::

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/assistant_qa.py
    ... benchmarks/assistant_qa.py --only procedures          # one part: procedures | tatqa
    ... benchmarks/assistant_qa.py --only tatqa --limit 300    # the first 300 TAT-QA questions

**Procedures**: the 16 documents of ``src/argentier/assistant/data/procedures`` in one collection, their 98
questions (``procedures-qa.jsonl``, 14 unanswerable; the refusal threshold was chosen on this set) and 35
held-out questions written after the threshold was fixed (``procedures-qa-holdout.jsonl``, 10 unanswerable).

**TAT-QA dev** (``../shared/data/tatqa/dev.json``, skipped with a message when absent): each of the 278 contexts
becomes one HTML document (its table, leading rows with an empty first cell as header rows, then its
paragraphs); each of the 1,668 questions becomes a QA line whose answer is the gold answer as text with its
scale ("1,496.5 million", "12.5%"), multi-span answers as ``answers`` (all parts needed). Two settings:
``shared`` (retrieval over all 278 documents, the harder, realistic setting) and ``per-document`` (retrieval
kept to the question's own context through a metadata filter, the setting of the TAT-QA paper, which gives
the model its context). Accuracy is reported per ``answer_type`` and ``answer_from``.

Results are printed as Markdown and written to ``bench-out/assistant_qa.json``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-out"
DATA = ROOT / "src" / "argentier" / "assistant" / "data"
sys.path.insert(0, str(ROOT / "src"))

from argentier.assistant import Assistant  # noqa: E402
from argentier.assistant.eval import EvalReport, evaluate, load_qa  # noqa: E402
from argentier.config import Settings  # noqa: E402
from argentier.core.library import Library  # noqa: E402

_SCALE_TEXT = {"": "", "thousand": " thousand", "million": " million", "billion": " billion", "percent": "%"}


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def tatqa_html(context: dict[str, Any]) -> str:
    """One TAT-QA context as HTML: the table with its header rows, then the paragraphs in order."""
    rows = context["table"]["table"]
    headers = 1
    while headers < len(rows) - 1 and not str(rows[headers][0]).strip():
        headers += 1
    cell = lambda tag, text: f"<{tag}>{html.escape(str(text))}</{tag}>"  # noqa: E731
    head = "".join("<tr>" + "".join(cell("th", c) for c in row) + "</tr>" for row in rows[:headers])
    body = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows[headers:])
    paragraphs = sorted(context["paragraphs"], key=lambda p: p["order"])
    text = "".join(cell("p", p["text"]) for p in paragraphs)
    uid = context["table"]["uid"]
    return (
        f"<html><head><title>TAT-QA {uid[:8]}</title></head><body>"
        f"<table><thead>{head}</thead><tbody>{body}</tbody></table>{text}</body></html>"
    )


def gold_text(answer: Any, scale: str) -> str:
    """A gold answer as text with its scale word: ``1496.5`` + ``million`` -> ``"1496.5 million"``."""
    return f"{answer}{_SCALE_TEXT.get(scale, ' ' + scale)}".strip()


def write_tatqa(folder: Path, contexts: list[dict[str, Any]], *, per_document: bool) -> Path:
    lines = ["# TAT-QA dev (Zhu et al., 2021), converted by benchmarks/assistant_qa.py"]
    for context in contexts:
        uid = context["table"]["uid"]
        name = f"tatqa-{uid}.html"
        for question in sorted(context["questions"], key=lambda q: q["order"]):
            answer, scale = question["answer"], question.get("scale", "")
            line: dict[str, Any] = {"question": question["question"]}
            if isinstance(answer, list) and len(answer) > 1:
                line["answers"] = [gold_text(part, scale) for part in answer]
            else:
                line["answer"] = gold_text(answer[0] if isinstance(answer, list) else answer, scale)
            line["evidence"] = [{"document": name, "page": None}]
            line["answer_type"] = question["answer_type"]
            line["answer_from"] = question["answer_from"]
            if per_document:
                line["filter"] = {"tatqa": uid}
            lines.append(json.dumps(line, ensure_ascii=False))
    path = folder / ("tatqa-per-document.jsonl" if per_document else "tatqa-shared.jsonl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_eval(assistant: Assistant, qa: Path, *, collection: str, limit: int | None, label: str) -> EvalReport:
    items = load_qa(qa)[:limit] if limit else load_qa(qa)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"  {label}: {done}/{total} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    return evaluate(assistant, items, collection=collection, k=5, on_progress=progress)


def summary_row(label: str, report: EvalReport) -> str:
    f = lambda value: "-" if value is None else f"{value:.3f}"  # noqa: E731
    return (
        f"| {label} | {report.n} | {f(report.accuracy)} | {f(report.exact_accuracy)} | {f(report.recall_at_k)} |"
        f" {f(report.mrr)} | {f(report.refusal_rate)} | {f(report.correct_refusal_rate)} |"
        f" {f(report.grounded_share)} | {report.seconds_per_question:.3f} |"
    )


HEADER = (
    "| set | questions | accuracy | exact accuracy | recall@5 | MRR | refusal rate | correct refusals |"
    " grounded | s / question |\n|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["procedures", "tatqa"])
    parser.add_argument("--limit", type=int, help="Evaluate only the first N TAT-QA questions.")
    parser.add_argument("--settings", default="shared,per-document", help="TAT-QA settings to run.")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    results: dict[str, Any] = {"machine": machine()}
    rows = []
    with tempfile.TemporaryDirectory(prefix="assistant-qa-") as tmp:
        settings = Settings(home=Path(tmp), database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        library = Library.open(settings)
        assistant = Assistant(library, settings, tools=[])
        if args.only in (None, "procedures"):
            started = time.perf_counter()
            library.add_paths([DATA / "procedures"], collection="procedures")
            print(f"procedures indexed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            for name, label in (("procedures-qa", "procedures (project-written)"),
                                ("procedures-qa-holdout", "procedures, held-out questions")):
                report = run_eval(assistant, DATA / f"{name}.jsonl", collection="procedures", limit=None, label=name)
                results[name] = report.to_dict(results=True)
                rows.append(summary_row(label, report))
        tatqa = SHARED / "tatqa" / "dev.json"
        if args.only in (None, "tatqa"):
            if not tatqa.exists():
                print(f"TAT-QA skipped: {tatqa} not found", file=sys.stderr)
                results["tatqa"] = "skipped: dev.json not found"
            else:
                contexts = json.loads(tatqa.read_text(encoding="utf-8"))
                folder = Path(tmp) / "tatqa"
                folder.mkdir()
                for context in contexts:
                    (folder / f"tatqa-{context['table']['uid']}.html").write_text(tatqa_html(context), "utf-8")
                started = time.perf_counter()
                for context in contexts:
                    uid = context["table"]["uid"]
                    library.add_file(folder / f"tatqa-{uid}.html", collection="tatqa", meta={"tatqa": uid})
                print(f"TAT-QA indexed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                for setting in args.settings.split(","):
                    qa = write_tatqa(Path(tmp), contexts, per_document=setting == "per-document")
                    report = run_eval(assistant, qa, collection="tatqa", limit=args.limit, label=f"tatqa {setting}")
                    data = report.to_dict(results=True)
                    data["by_answer_type"] = report.breakdown("answer_type")
                    data["by_answer_from"] = report.breakdown("answer_from")
                    results[f"tatqa_{setting}"] = data
                    rows.append(summary_row(f"TAT-QA dev, {setting}", report))
                    for key in ("answer_type", "answer_from"):
                        print(f"\nTAT-QA {setting}, by {key}\n\n| {key} | n | accuracy | exact accuracy |\n|---|---|---|---|")
                        for value, row in report.breakdown(key).items():
                            print(f"| {value} | {row['n']} | {row['accuracy']} | {row['exact_accuracy']} |")
        library.close()
    print(f"\nmachine: {results['machine']}\n\n{HEADER}")
    for row in rows:
        print(row)
    (OUT / "assistant_qa.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
