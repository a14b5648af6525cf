"""Aggregation speed and peak memory of the profitability cube at 1M and 10M sales lines.

Each size and mode runs in its own process (so peak memory is its own): generate the demo data once (cached in
bench-out/), then time loading + validation (``scan``: queries read the Parquet file; ``materialised``: the joined
lines are kept in memory), contribution margin by region and by SKU x month, and a
year-on-year variance bridge over SKU x region.

    .venv/bin/python benchmarks/profit_aggregation.py --sizes 1000000 10000000 --json-out bench-out/profit_agg.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

LINES_PER_SKU = 4 * 104 * 2 * 0.96  # regions x weeks x channels x share of weeks with sales


def _child(lines: int, cache: Path, materialise: bool) -> dict:
    from argentier.profitability import (
        ProfitData,
        contribution_margin,
        generate_profit_demo,
        parse_period,
        variance_bridge,
    )

    n_skus = max(3, round(lines / LINES_PER_SKU))
    directory = cache / f"profit-{n_skus}"
    if not (directory / "truth.json").exists():
        started = time.perf_counter()
        generate_profit_demo(directory, n_skus=n_skus, seed=0)
        print(f"generated {n_skus} SKUs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    timings = {}
    started = time.perf_counter()
    data = ProfitData.load(directory / "sales.parquet", directory / "costs.parquet", materialise=materialise)
    timings["load_and_validate_s"] = time.perf_counter() - started
    n_lines = data.n_lines
    for name, by in (("margin_by_region_s", ["region"]), ("margin_by_sku_month_s", ["sku", "month"])):
        started = time.perf_counter()
        report = contribution_margin(data, by=by)
        timings[name] = time.perf_counter() - started
        timings[name[: -len("_s")] + "_groups"] = report.n_groups
    started = time.perf_counter()
    bridge = variance_bridge(data, base_period=parse_period("2024"), compare_period=parse_period("2025"))
    timings["variance_bridge_s"] = time.perf_counter() - started
    timings["bridge_items"] = len(bridge.items)
    data.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"lines": n_lines, "mode": "materialised" if materialise else "scan", "skus": n_skus, **timings,
            "peak_rss_mib": peak_kib / 1024}


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--cache", type=Path, default=Path("bench-out"))
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--modes", nargs="+", choices=["scan", "materialised"], default=["scan", "materialised"])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-materialise", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.cache, args.child_materialise)))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        for mode in args.modes:
            command = [sys.executable, __file__, "--child", str(size), "--cache", str(args.cache)]
            output = subprocess.run(command + (["--child-materialise"] if mode == "materialised" else []),
                                    check=True, capture_output=True, text=True)
            rows.append(json.loads(output.stdout.strip().splitlines()[-1]))
    columns = ("lines", "mode", "load_and_validate_s", "margin_by_region_s", "margin_by_sku_month_s", "variance_bridge_s",
               "peak_rss_mib")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
