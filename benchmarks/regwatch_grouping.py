"""Regulatory-update grouping benchmark: combined vs embedding-only vs keyword-only on the labelled fixture.

Run from the project root::

    .venv/bin/python benchmarks/regwatch_grouping.py                       # the module defaults, whole fixture
    .venv/bin/python benchmarks/regwatch_grouping.py --cv 5 --repeats 2    # + grouped cross-validation
    .venv/bin/python benchmarks/regwatch_grouping.py --tune                # grid search on the whole fixture

The fixture (``src/argentier/regwatch/data/grouping_pairs.json``, hand-written) holds 171 updates in 63 groups.
``--tune`` searches the combined method's keyword weight, jurisdiction penalty, link and threshold, then each
single-signal mode's threshold (with the combined method's penalty and link); the best pairwise F1 wins, ties to
the first in grid order: what it prints on the whole fixture are the shipped defaults. ``--cv K --repeats R``
estimates how that tuning generalises: groups are dealt into K folds (R shuffles, seeds 0..R-1), each fold is
held out once while the same search runs on the others, and the held-out scores are averaged. Scores of the
defaults on the whole fixture are in-sample (the defaults were tuned on it). Updates are added in stream order
(published date, then id). Speed is measured separately with a cold grouper and the real embedder: updates/s
for ``extend`` (one embedding batch) and for ``add`` one at a time (``--skip-speed`` on a busy machine).

Prints Markdown tables and writes ``bench-out/regwatch_grouping.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT / "src"))

from argentier.core.embeddings import MiniLMEmbedder
from argentier.regwatch import grouping as g


class CachedEmbedder:
    """Embeds each distinct text once, so that a grid search does not re-run the model."""

    def __init__(self, embedder) -> None:
        self.embedder, self.name, self.dimensions = embedder, embedder.name, embedder.dimensions
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.embedder.embed(missing), strict=True))
        return (
            np.stack([self.cache[t] for t in texts]) if texts else np.empty((0, self.dimensions), np.float32)
        )


def evaluate(updates, **params) -> dict:
    groups = [group.members for group in g.group_updates(updates, **params)]
    truth = g.true_groups(updates)
    scores = g.pairwise_scores(groups, truth)
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "purity": g.purity(groups, truth),
        "inverse_purity": g.inverse_purity(groups, truth),
        "groups": len(groups),
        "true_groups": len(truth),
    }


def best(updates, grid: list[dict]) -> tuple[dict, float]:
    scored = [(evaluate(updates, **params)["f1"], -i, params) for i, params in enumerate(grid)]
    f1, _, params = max(scored, key=lambda item: item[:2])
    return params, f1


def tune(tuning, embedder, *, verbose: bool = True) -> dict[str, dict]:
    thresholds = [round(x, 3) for x in np.arange(0.025, 0.951, 0.025)]
    combined_grid = [
        {
            "embedder": embedder,
            "keyword_weight": kw,
            "embedding_weight": round(1 - kw, 2),
            "jurisdiction_penalty": pen,
            "link": link,
            "similarity_threshold": t,
        }
        for kw in (0.2, 0.35, 0.5, 0.65)
        for pen in (0.0, 0.1, 0.2)
        for link in ("centroid", "best_member")
        for t in thresholds
    ]
    combined, f1 = best(tuning, combined_grid)
    if verbose:
        print(f"tuned combined: {_show(combined)} (tuning F1 {f1:.3f})")
    shared = {"jurisdiction_penalty": combined["jurisdiction_penalty"], "link": combined["link"]}
    chosen = {"combined": combined}
    for mode, weights in (("embedding_only", (1.0, 0.0)), ("keyword_only", (0.0, 1.0))):
        grid = [
            {
                "embedder": embedder,
                "embedding_weight": weights[0],
                "keyword_weight": weights[1],
                **shared,
                "similarity_threshold": t,
            }
            for t in thresholds
        ]
        chosen[mode], f1 = best(tuning, grid)
        if verbose:
            print(f"tuned {mode}: {_show(chosen[mode])} (tuning F1 {f1:.3f})")
    return chosen


def module_defaults(embedder) -> dict[str, dict]:
    shared = {"embedder": embedder, "jurisdiction_penalty": g.JURISDICTION_PENALTY, "link": g.COMBINED_LINK}
    return {
        "combined": {
            **shared,
            "keyword_weight": g.COMBINED_KEYWORD_WEIGHT,
            "similarity_threshold": g.COMBINED_THRESHOLD,
        },
        "embedding_only": {
            **shared,
            "embedding_weight": 1.0,
            "keyword_weight": 0.0,
            "similarity_threshold": g.EMBEDDING_ONLY_THRESHOLD,
        },
        "keyword_only": {
            **shared,
            "embedding_weight": 0.0,
            "keyword_weight": 1.0,
            "similarity_threshold": g.KEYWORD_ONLY_THRESHOLD,
        },
    }


def cross_validate(updates, embedder, k: int, repeats: int) -> dict:
    """Grouped k-fold cross-validation, repeated with ``repeats`` shuffles (seeds 0..repeats-1): each fold is
    held out once while :func:`tune` chooses every method's parameters on the other folds; the held-out scores
    estimate how the defaults tuned on the whole fixture will do on updates they were not tuned on."""
    scores: dict[str, list[dict]] = {}
    for seed in range(repeats):
        for fold, (tuning, held_out) in enumerate(g.group_folds(updates, k, seed)):
            chosen = tune(tuning, embedder, verbose=False)
            for mode, params in chosen.items():
                result = {**evaluate(held_out, **params), "seed": seed, "fold": fold, "params": _show(params)}
                scores.setdefault(mode, []).append(result)
            print(
                f"  seed {seed} fold {fold}: "
                + ", ".join(f"{mode} F1 {runs[-1]['f1']:.3f}" for mode, runs in scores.items()),
                flush=True,
            )
    summary = {}
    for mode, runs in scores.items():
        summary[mode] = {
            metric: {"mean": float(np.mean([r[metric] for r in runs])), "sd": float(np.std([r[metric] for r in runs]))}
            for metric in ("precision", "recall", "f1", "purity", "inverse_purity")
        }
    return {"k": k, "repeats": repeats, "summary": summary, "folds": scores}


def _show(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k != "embedder")


def speed(updates) -> dict:
    embedder = MiniLMEmbedder()
    embedder.embed(["warm-up"])  # weights load once; not part of the grouper's speed
    start = time.perf_counter()
    g.UpdateGrouper(embedder=embedder).extend(updates)
    batch = time.perf_counter() - start
    grouper = g.UpdateGrouper(embedder=embedder)
    start = time.perf_counter()
    for u in updates:
        grouper.add(u["id"], u["title"], u["text"], u["published"], u["jurisdiction"])
    one_by_one = time.perf_counter() - start
    return {
        "updates": len(updates),
        "extend_per_s": len(updates) / batch,
        "add_per_s": len(updates) / one_by_one,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid-search on the whole fixture first")
    parser.add_argument("--cv", type=int, metavar="K", help="grouped K-fold cross-validation of the tuning")
    parser.add_argument("--repeats", type=int, default=3, help="shuffles of the K folds (with --cv)")
    parser.add_argument("--skip-speed", action="store_true", help="quality only (e.g. on a busy machine)")
    args = parser.parse_args()

    updates = g.load_grouping_fixture()
    embedder = CachedEmbedder(MiniLMEmbedder())
    embedder.embed([g.embedding_text(u["title"], u["text"]) for u in updates])
    cv = {}
    if args.cv:
        print(f"grouped {args.cv}-fold cross-validation, {args.repeats} shuffles:")
        cv = cross_validate(updates, embedder, args.cv, args.repeats)
        print("\n| method | held-out pairwise P | R | F1 | purity | inv. purity |  (mean ± sd over folds)")
        print("|---|---:|---:|---:|---:|---:|")
        for mode, m in cv["summary"].items():
            cells = " | ".join(f"{m[x]['mean']:.3f} ± {m[x]['sd']:.3f}" for x in m)
            print(f"| {mode} | {cells} |")
        print("\nrefit on the whole fixture (the values to ship as defaults):")
        for mode, chosen in tune(updates, embedder, verbose=False).items():
            print(f"  {mode}: {_show(chosen)}")
    params = tune(updates, embedder) if args.tune else module_defaults(embedder)

    rows = [
        {"method": mode, "split": "all (in-sample)", "updates": len(updates), **evaluate(updates, **mode_params)}
        for mode, mode_params in params.items()
    ]
    timing = {} if args.skip_speed else speed(updates)

    print(f"\nfixture: {len(updates)} updates, {len(g.true_groups(updates))} groups\n")
    print(
        "| method | split | updates | pred. groups | true groups | pairwise P | pairwise R | pairwise F1 "
        "| purity | inv. purity |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['method']} | {r['split']} | {r['updates']} | {r['groups']} | {r['true_groups']} "
            f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['purity']:.3f} "
            f"| {r['inverse_purity']:.3f} |"
        )
    if timing:
        print(
            f"\nspeed (combined, defaults, cold grouper, MiniLM on {platform.processor() or platform.machine()}): "
            f"extend {timing['extend_per_s']:.1f} updates/s, add one at a time {timing['add_per_s']:.1f} updates/s"
        )

    OUT.mkdir(exist_ok=True)
    (OUT / "regwatch_grouping.json").write_text(
        json.dumps(
            {
                "tuned": args.tune,
                "params": {
                    mode: {k: v for k, v in p.items() if k != "embedder"} for mode, p in params.items()
                },
                "results": rows,
                "cross_validation": cv,
                "speed": timing,
                "python": platform.python_version(),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {OUT / 'regwatch_grouping.json'}")


if __name__ == "__main__":
    main()
