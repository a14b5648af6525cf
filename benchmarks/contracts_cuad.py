"""CUAD metric of the clause extractor on the 40 held-out dev contracts (never trained on).

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/contracts_cuad.py --data ../shared/data/cuad

Paths: ``model`` (the shipped trained model), ``llm`` (an LLM proposes quotes per category, the verifier keeps
the verbatim ones; needs ``--llm-url``) and ``combined`` (both, deduplicated). Prints micro AUPR, P@80%R and
P@90%R beside the published DeBERTa-xlarge figures (official test set, not this split), then per category.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from argentier.contracts import CATEGORIES, ClauseModel, cuad_report
from argentier.contracts.training import load_cuad, split_cuad

PUBLISHED = {"DeBERTa-xlarge (CUAD test)": (47.8, 44.0, 17.8), "RoBERTa-large (CUAD test)": (48.2, 38.1, 0.0)}


def _predictions(model, dev, *, llm=None, categories=CATEGORIES, passages=4):
    from argentier.contracts import combine_clauses, llm_clauses

    by_path: dict[str, dict] = {"model": {}, "llm": {}, "combined": {}}
    seconds = []
    for contract in dev:
        started = time.perf_counter()
        found = {"model": model.predict(contract.doc, min_score=0.0, categories=categories)}
        if llm is not None:
            found["llm"] = llm_clauses(
                contract.doc, llm, categories=categories, passages_per_category=passages
            )
            found["combined"] = combine_clauses(found["model"], found["llm"])
        seconds.append(time.perf_counter() - started)
        for path, matches in found.items():
            for match in matches:
                by_path[path].setdefault((contract.id, match.category), []).append((match.text, match.score))
    return {path: preds for path, preds in by_path.items() if path in found}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/cuad")
    parser.add_argument("--model", help="a model .npz (default: the shipped one)")
    parser.add_argument("--llm-url", help="OpenAI-compatible base URL for the LLM path")
    parser.add_argument("--llm-model", default="default")
    parser.add_argument(
        "--llm-local",
        action="store_true",
        help="start the bundled SmolLM2-135M (llama.cpp server on 127.0.0.1) for the LLM path",
    )
    parser.add_argument("--passages", type=int, default=4, help="passages sent to the LLM per category")
    parser.add_argument("--categories", help="comma-separated subset of categories (quick LLM runs)")
    parser.add_argument("--top-k", type=int, default=20, help="clauses kept per category and contract")
    parser.add_argument("--limit", type=int, help="only the first N dev contracts (quick runs)")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    _, dev = split_cuad(load_cuad(args.data), args.data)
    dev = dev[: args.limit] if args.limit else dev
    model = ClauseModel.load(args.model) if args.model else ClauseModel.load_default()
    model.max_per_category = args.top_k
    categories = [c.strip() for c in args.categories.split(",")] if args.categories else list(CATEGORIES)
    server = None
    if args.llm_local:
        from argentier.core.llm import LocalLLMServer

        server = LocalLLMServer(n_ctx=4096).start()
        args.llm_url = server.base_url
    try:
        llm = None
        if args.llm_url:
            from argentier.config import LLMSettings
            from argentier.core.llm import make_llm_client

            llm = make_llm_client(
                LLMSettings(
                    provider="openai", base_url=args.llm_url, model=args.llm_model, cache=False, max_retries=1
                )
            )
        preds, seconds = _predictions(model, dev, llm=llm, categories=categories, passages=args.passages)
    finally:
        if server is not None:
            server.stop()
    gold = {(c.id, cat): spans for c in dev for cat, spans in c.gold.items() if spans and cat in categories}
    print(f"CUAD dev: {len(dev)} contracts, {sum(len(v) for v in gold.values())} gold clauses")
    print(f"{'path':34s} {'AUPR':>6s} {'P@80R':>6s} {'P@90R':>6s} {'maxR':>6s}")
    for name, (aupr, p80, p90) in PUBLISHED.items():
        print(f"{name:34s} {aupr:6.1f} {p80:6.1f} {p90:6.1f}")
    results = {
        "n_contracts": len(dev),
        "seconds_per_contract_median": statistics.median(seconds),
        "paths": {},
    }
    for path, predictions in preds.items():
        report = cuad_report(gold, predictions, categories)
        micro = report["micro"]
        print(
            f"{'argentier ' + path + ' (CUAD dev)':34s} {100 * micro.aupr:6.1f} "
            f"{100 * micro.precision_at_80_recall:6.1f} {100 * micro.precision_at_90_recall:6.1f} "
            f"{100 * micro.max_recall:6.1f}"
        )
        results["paths"][path] = {name: score.to_dict() for name, score in report.items()}
    report = results["paths"]["model"]
    print(f"\nper category (model path): {'AUPR':>6s} {'P@80R':>6s} {'gold':>5s}")
    for category in categories:
        score = report[category]
        if not score["n_gold"]:
            print(f"  {category:40s} {'n/a':>6s} {'n/a':>6s} {0:5d}  (no gold clause in this split)")
            continue
        print(
            f"  {category:40s} {100 * score['aupr']:6.1f} {100 * score['precision_at_80_recall']:6.1f} "
            f"{score['n_gold']:5d}"
        )
    print(f"\nseconds per contract: median {statistics.median(seconds):.3f}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
