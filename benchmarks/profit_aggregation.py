"""Aggregation speed and peak memory of the profitability cube at 1M and 10M sales lines, per loader.

Each size, file format, mode and repeat runs in its own process (so peak memory is its own and no run warms
the next one's memory): generate the demo data once (cached in bench-out/, the CSV copy written from the
Parquet by DuckDB), then time loading + validation, contribution margin by region and by SKU x month, and a
year-on-year variance bridge over SKU x region (with its per-item breakdown, as ``profit drivers`` reads it).

Modes: ``reference`` (column-by-column checks, Parquet scanned by every query), ``reference-materialised``
(its joined lines kept in memory), ``fast`` (one pass into typed lines with their costs), ``fast-cache-cold``
(the same, written to an empty cache folder) and ``fast-cache-warm`` (a second run on the same files: opens
the cache). The best of ``--repeat`` runs is reported per column.

    .venv/bin/python benchmarks/profit_aggregation.py --sizes 1000000 10000000 --formats parquet csv \\
        --repeat 3 --json-out bench-out/profit_agg.json
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

LINES_PER_SKU = 4 * 104 * 2 * 0.96  # regions x weeks x channels x share of weeks with sales
MODES = ("reference", "reference-materialised", "fast", "fast-cache-cold", "fast-cache-warm")
TIMED = ("load_s", "by_region_s", "by_sku_month_s", "bridge_s")


def _data(lines: int, cache: Path, file_format: str) -> tuple[Path, Path]:
    from argentier.profitability import generate_profit_demo

    n_skus = max(3, round(lines / LINES_PER_SKU))
    directory = cache / f"profit-{n_skus}"
    if not (directory / "truth.json").exists():
        started = time.perf_counter()
        generate_profit_demo(directory, n_skus=n_skus, seed=0)
        print(f"generated {n_skus} SKUs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if file_format == "csv" and not (directory / "sales.csv").exists():
        import duckdb

        for stem in ("costs", "sales"):
            temporary = directory / f".{stem}.csv.tmp"
            duckdb.execute(f"COPY (SELECT * FROM read_parquet('{directory / (stem + '.parquet')}')) TO '{temporary}' "
                           "(HEADER, DELIMITER ',')")
            temporary.rename(directory / f"{stem}.csv")
    return directory / f"sales.{file_format}", directory / f"costs.{file_format}"


def _child(lines: int, cache: Path, file_format: str, mode: str) -> dict:
    from argentier.profitability import ProfitData, contribution_margin, parse_period, variance_bridge

    sales, costs = _data(lines, cache, file_format)
    options: dict = {"engine": "reference" if mode.startswith("reference") else "fast"}
    if mode == "reference-materialised":
        options["materialise"] = True
    if mode.startswith("fast-cache"):
        options["cache_dir"] = cache / f"profit-cache-{sales.parent.name}-{file_format}"
    timings: dict = {}
    started = time.perf_counter()
    data = ProfitData.load(sales, costs, **options)
    timings["load_s"] = time.perf_counter() - started
    timings["cache_hit"] = data.cache_hit
    for name, by in (("by_region_s", ["region"]), ("by_sku_month_s", ["sku", "month"])):
        started = time.perf_counter()
        report = contribution_margin(data, by=by)
        timings[name] = time.perf_counter() - started
        timings[name[: -len("_s")] + "_groups"] = report.n_groups
    started = time.perf_counter()
    bridge = variance_bridge(data, base_period=parse_period("2024"), compare_period=parse_period("2025"))
    timings["bridge_effects_s"] = time.perf_counter() - started
    timings["bridge_items"] = len(bridge.items)
    timings["bridge_s"] = time.perf_counter() - started
    n_lines = data.n_lines
    data.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"lines": n_lines, "format": file_format, "mode": mode, **timings, "peak_rss_mib": peak_kib / 1024}


def _run(size: int, cache: Path, file_format: str, mode: str) -> dict:
    if mode == "fast-cache-cold":
        shutil.rmtree(cache / f"profit-cache-profit-{max(3, round(size / LINES_PER_SKU))}-{file_format}",
                      ignore_errors=True)
    command = [sys.executable, __file__, "--child", str(size), "--cache", str(cache), "--formats", file_format,
               "--modes", mode]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _best(runs: list[dict]) -> dict:
    best = dict(runs[0])
    for key in (*TIMED, "bridge_effects_s", "peak_rss_mib"):
        best[key] = min(run[key] for run in runs)
    for name in ("by_region", "by_sku_month", "bridge"):
        best[f"{name}_end_to_end_s"] = min(run["load_s"] + run[f"{name}_s"] for run in runs)
    best["runs"] = len(runs)
    return best


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--formats", nargs="+", choices=["parquet", "csv"], default=["parquet", "csv"])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--repeat", type=int, default=3, help="Runs per cell; the best is reported.")
    parser.add_argument("--cache", type=Path, default=Path("bench-out"))
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.cache, args.formats[0], args.modes[0])))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        for file_format in args.formats:
            _data(size, args.cache, file_format)
            for mode in args.modes:
                if mode == "fast-cache-warm":  # one untimed run writes the entry if it is missing
                    _run(size, args.cache, file_format, mode)
                runs = [_run(size, args.cache, file_format, mode) for _ in range(args.repeat)]
                assert mode != "fast-cache-warm" or all(run["cache_hit"] for run in runs)
                rows.append(_best(runs))
                print(json.dumps(rows[-1]), file=sys.stderr)
    columns = ("lines", "format", "mode", "load_s", "by_region_end_to_end_s", "by_sku_month_end_to_end_s",
               "bridge_end_to_end_s", "by_region_s", "by_sku_month_s", "bridge_s", "peak_rss_mib")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
