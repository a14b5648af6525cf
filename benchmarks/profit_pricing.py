"""Price optimiser vs brute force on small instances, and solve time on large ones (MILP/CBC and CP-SAT).

Instances: families of good/better/best items with random prices, unit costs (30-80 % of price), volumes and
elasticities (-3.5 to -0.8); constraints: 10 % maximum change, 15 % margin floor, 5 % tier gap and a volume floor
(97 % of today's units) that couples every item.

    .venv/bin/python benchmarks/profit_pricing.py --json-out bench-out/profit_pricing.json
"""

from __future__ import annotations

import argparse
import json
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

LADDER = (-0.15, -0.10, -0.07, -0.05, -0.03, 0.0, 0.03, 0.05, 0.07, 0.10, 0.15)
SMALL_LADDER = (-0.10, -0.06, -0.03, 0.0, 0.03, 0.06, 0.10)  # 7 ** 6 = 117,649 combinations to enumerate
OPTIONS = {"max_change": 0.10, "margin_floor": 0.15, "tier_gap": 0.05, "min_units_ratio": 0.97}


def instance(n: int, seed: int):
    from argentier.profitability import PricingItem

    rng = np.random.default_rng(seed)
    families = [Decimal(str(round(rng.uniform(5, 60), 2))) for _ in range(n // 3 + 1)]
    return [
        PricingItem(
            item=f"I{i}",
            price=(families[i // 3] * Decimal(str(1 + 0.3 * (i % 3)))).quantize(Decimal("0.01")),
            unit_cost=(families[i // 3] * Decimal(str(round(rng.uniform(0.3, 0.8), 2)))).quantize(Decimal("0.01")),
            units=float(rng.uniform(10, 500)),
            elasticity=float(rng.uniform(-3.5, -0.8)),
            family=f"F{i // 3}",
            tier=i % 3,
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50, help="Number of small instances.")
    parser.add_argument("--small-items", type=int, default=6)
    parser.add_argument("--large", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    from argentier.profitability import brute_force_prices, recommend_prices

    small = {"milp": [], "cp-sat": []}
    brute_seconds = []
    for seed in range(args.small):
        items = instance(args.small_items, seed)
        started = time.perf_counter()
        reference = brute_force_prices(items, ladder=SMALL_LADDER, **OPTIONS)
        brute_seconds.append(time.perf_counter() - started)
        for solver, outcomes in small.items():
            result = recommend_prices(items, ladder=SMALL_LADDER, solver=solver, **OPTIONS)
            outcomes.append((result.contribution_after == reference.contribution_after, result.solve_seconds))
    print(f"{args.small} small instances of {args.small_items} items x {len(SMALL_LADDER)} rungs "
          f"(brute force {np.mean(brute_seconds):.2f} s each on average)")
    print("| solver | equal to brute force | mean solve s |")
    print("|---|---|---|")
    summary = {"small": {}, "large": []}
    for solver, outcomes in small.items():
        equal = sum(ok for ok, _ in outcomes)
        summary["small"][solver] = {"equal": equal, "n": len(outcomes), "mean_s": float(np.mean([s for _, s in outcomes]))}
        print(f"| {solver} | {equal}/{len(outcomes)} | {np.mean([s for _, s in outcomes]):.3f} |")

    print("\n| items | solver | status | solve s | contribution gain | gap to bound |")
    print("|---|---|---|---|---|---|")
    for n in args.large:
        items = instance(n, 1000 + n)
        for solver in ("milp", "cp-sat"):
            result = recommend_prices(items, ladder=LADDER, solver=solver, time_limit=args.time_limit, **OPTIONS)
            gain = float(result.contribution_after / result.contribution_before - 1)
            gap = float((result.bound - result.contribution_after) / result.contribution_after)
            summary["large"].append({"items": n, "solver": solver, "status": result.status,
                                     "seconds": result.solve_seconds, "gain": gain, "gap": gap})
            print(f"| {n:,} | {solver} | {result.status} | {result.solve_seconds:.1f} | {gain:+.2%} | {gap:.2e} |")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
