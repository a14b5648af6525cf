"""Seconds per contract and memory of the contract review (clauses, key terms, example playbook), CPU only.

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/contracts_speed.py --data ../shared/data/cuad

Three sets: the six CUAD PDFs (load + review), the CUAD dev contracts as text, and the dev contracts of about
30 pages (70k-130k characters, ~3,000 characters a page). Times are wall-clock per contract after one warm-up
run (model loaded once); memory is the process's peak resident set, before and after loading the CUAD corpus.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import numpy as np

from argentier.contracts import EXAMPLE_PLAYBOOK, ClauseModel, load_playbook, review_document
from argentier.contracts.training import load_cuad, split_cuad
from argentier.core.documents import load_document, parse_text


def _summary(seconds: list[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "median_s": statistics.median(seconds),
        "p95_s": float(np.percentile(seconds, 95)),
        "max_s": max(seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/cuad")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    model = ClauseModel.load_default()
    playbook = load_playbook(EXAMPLE_PLAYBOOK)
    review_document(parse_text("Warm-up. Governed by the laws of Ohio."), model=model, playbook=playbook)
    results = {}
    pdf_seconds, pages = [], []
    for pdf in sorted((Path(args.data) / "pdf").iterdir()):
        started = time.perf_counter()
        doc = load_document(pdf)
        review_document(doc, model=model, playbook=playbook)
        pdf_seconds.append(time.perf_counter() - started)
        pages.append(len(doc.pages))
    results["cuad_pdfs"] = _summary(pdf_seconds) | {"pages": pages}
    # Before the CUAD corpus is loaded: what reviewing needs (interpreter, libraries, model, one contract).
    results["review_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _, dev = split_cuad(load_cuad(args.data), args.data)
    text_seconds, thirty = [], []
    for contract in dev:
        started = time.perf_counter()
        review_document(parse_text(contract.doc.text), model=model, playbook=playbook)
        elapsed = time.perf_counter() - started
        text_seconds.append(elapsed)
        if 70_000 <= len(contract.doc.text) <= 130_000:
            thirty.append(elapsed)
    results["dev_text"] = _summary(text_seconds)
    results["dev_about_30_pages"] = _summary(thirty)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'set':24s} {'n':>3s} {'median s':>9s} {'p95 s':>7s} {'max s':>7s}")
    for name in ("cuad_pdfs", "dev_text", "dev_about_30_pages"):
        row = results[name]
        print(f"{name:24s} {row['n']:3d} {row['median_s']:9.3f} {row['p95_s']:7.3f} {row['max_s']:7.3f}")
    print(f"PDF pages: {pages}")
    print(
        f"peak RSS while reviewing the PDFs: {results['review_peak_rss_mb']:.0f} MB; with the 408 parsed CUAD"
        f" contracts also in memory: {results['peak_rss_mb']:.0f} MB"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
