"""Planning known answers: Erlang C textbook case, Erlang A against Ciw, shift scheduling, newsvendor, base-stock
fill rate and capital allocation against brute force.

Run from the project root::

    .venv/bin/python benchmarks/plan_known_answers.py                 # everything (a few minutes)
    .venv/bin/python benchmarks/plan_known_answers.py --only erlang_a --json-out bench-out/plan_known.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from argentier.planning import (
    CapitalRules,
    PortfolioRule,
    Project,
    StaffingTargets,
    allocate_capital,
    base_stock_fill_rate,
    compare_plans,
    consecutive_days_patterns,
    erlang_a,
    merge_patch,
    newsvendor_cost,
    newsvendor_quantity,
    parse_network,
    required_agents,
    schedule_shifts,
    simulate_replication,
)
from argentier.planning._queue_sim import simulate_queue


def erlang_c_case() -> list[dict]:
    result = required_agents(
        100, interval_minutes=30, aht_seconds=180, targets=StaffingTargets(0.8, 20, shrinkage=0.3)
    )
    return [
        {
            "case": "Erlang C: 100 calls/30 min, AHT 180 s, 80/20, shrinkage 30 %",
            "expected": "14 / 20",
            "got": f"{result.agents} / {result.scheduled_agents}",
            "detail": f"SL {result.metrics.service_level:.4f}, ASA {result.metrics.average_speed_of_answer:.2f} s",
            "pass": (result.agents, result.scheduled_agents) == (14, 20),
        }
    ]


def erlang_a_cases(intervals: int, replications: int) -> list[dict]:
    rows = []
    cases = [
        (12, 100, 180, 120),
        (9, 100, 180, 60),
        (11, 100, 180, 600),
        (30, 300, 240, 300),
        (55, 600, 200, 45),
    ]
    for agents, volume, aht, patience in cases:
        timing = {"interval_seconds": 1800, "aht_seconds": aht, "answer_seconds": 20}
        formula = erlang_a(agents, volume, patience_seconds=patience, **timing)
        started = time.perf_counter()
        sim = simulate_queue(
            agents,
            volume,
            patience_seconds=patience,
            intervals=intervals,
            replications=replications,
            seed=3,
            **timing,
        )
        seconds = time.perf_counter() - started
        gap = abs(sim.service_level - formula.service_level)
        rows.append(
            {
                "case": f"Erlang A vs Ciw: n={agents}, {volume}/30 min, AHT {aht} s, patience {patience} s",
                "expected": f"SL {formula.service_level:.4f}, aband. {formula.abandonment:.4f}",
                "got": f"SL {sim.service_level:.4f} ± {sim.service_level_se:.4f}, aband. {sim.abandonment:.4f}",
                "detail": f"{sim.customers:,} callers in {seconds:.1f} s; |SL gap| {100 * gap:.2f} pts",
                "pass": gap < 0.01 and abs(sim.abandonment - formula.abandonment) < 0.01,
            }
        )
    return rows


def schedule_case() -> list[dict]:
    result = schedule_shifts([17, 13, 15, 19, 14, 16, 11], consecutive_days_patterns(7, 5))
    return [
        {
            "case": "Days off: 5 consecutive days, needs 17,13,15,19,14,16,11",
            "expected": "23",
            "got": str(result.headcount),
            "detail": f"{result.status} in {result.solve_seconds:.3f} s",
            "pass": result.headcount == 23 and result.optimal,
        }
    ]


def _single_node(level, lead_time, demand, horizon, backorders=True, extra=None):
    data = {
        "horizon_days": horizon,
        "warmup_days": 50 if horizon > 100 else 0,
        "backorders": backorders,
        "nodes": {
            "supplier": {"type": "supplier"},
            "store": {
                "type": "warehouse",
                "policy": {"level": level},
                "sources": [{"from": "supplier", "lead_time": lead_time}],
            },
            "customers": {"type": "customer", "served_by": "store", "demand": demand},
        },
    }
    return parse_network(merge_patch(data, extra or {}))


def inventory_cases(replications: int) -> list[dict]:
    rows = []
    for level, lead, demand, sd in [
        (30, 1, {"mean": 10}, None),
        (40, 2, {"mean": 10}, None),
        (75, 4, {"mean": 12}, None),
        (190, 3, {"distribution": "normal", "mean": 40, "sd": 10}, 10.0),
    ]:
        network = _single_node(level, lead, demand, horizon=5000)
        runs = [simulate_replication(network, seed=11, replication=r) for r in range(replications)]
        simulated = sum(r.filled for r in runs) / sum(r.demand for r in runs)
        expected = base_stock_fill_rate(level, float(demand["mean"]), lead, sd)
        kind = "Poisson" if sd is None else "normal"
        rows.append(
            {
                "case": f"Base stock S={level}, L={lead}, {kind} demand mean {demand['mean']}",
                "expected": f"fill {expected:.4f}",
                "got": f"fill {simulated:.4f}",
                "detail": f"{replications} x 5,000 days",
                "pass": abs(simulated - expected) < 0.003,
            }
        )
    best = newsvendor_quantity(100, 3.0, 1.0)
    plans = {
        str(q): _single_node(
            0,
            1,
            {"mean": 100},
            horizon=1,
            backorders=False,
            extra={"lost_sales_penalty": 3.0, "nodes": {"store": {"initial_stock": q, "holding_cost": 1.0}}},
        )
        for q in range(95, 121)
    }
    result = compare_plans(plans, replications=replications * 1000, seed=5)
    costs = {int(o.plan): o.total_cost.mean for o in result.outcomes}
    simulated_best = min(costs, key=costs.get)
    rows.append(
        {
            "case": "Newsvendor Poisson(100), cu=3, co=1 (fractile 0.75)",
            "expected": f"Q*={best:.0f}, cost {newsvendor_cost(best, 100, 3.0, 1.0):.3f}",
            "got": f"Q*={simulated_best}, cost {costs[int(best)]:.3f}",
            "detail": f"{replications * 1000} one-day runs per Q, common random numbers",
            "pass": abs(simulated_best - best) <= 1
            and abs(costs[int(best)] - newsvendor_cost(best, 100, 3.0, 1.0)) < 0.2,
        }
    )
    return rows


def capital_cases(instances: int, size: int) -> list[dict]:
    matched, slowest = 0, 0.0
    for seed in range(instances):
        rng = np.random.default_rng(seed)
        projects = [
            Project(
                f"p{i}",
                {2027: float(rng.integers(5, 40)), 2028: float(rng.integers(0, 30))},
                float(rng.integers(2, 15)),
                int(rng.integers(3, 10)),
                2029,
                category="a" if i % 3 == 0 else "b",
                requires=(f"p{i - 1}",) if i % 4 == 1 else (),
                excludes=(f"p{i - 2}",) if i % 5 == 3 else (),
            )
            for i in range(size)
        ]
        rules = CapitalRules(
            {2027: 8.0 * size, 2028: 5.0 * size},
            0.07,
            (PortfolioRule("a", min_count=2), PortfolioRule("", min_spend=4.0 * size)),
        )
        started = time.perf_counter()
        plan = allocate_capital(projects, rules)
        slowest = max(slowest, time.perf_counter() - started)
        cents = [round(p.npv(0.07, 2027) * 100) for p in projects]
        index = {p.id: i for i, p in enumerate(projects)}
        best = None
        for picks in itertools.product((0, 1), repeat=size):
            if any(
                sum(p.capex.get(y, 0) * x for p, x in zip(projects, picks)) > b
                for y, b in rules.budgets.items()
            ):
                continue
            if any(
                x
                and (not all(picks[index[o]] for o in p.requires) or any(picks[index[o]] for o in p.excludes))
                for p, x in zip(projects, picks)
            ):
                continue
            if sum(picks[i] for i in range(size) if projects[i].category == "a") < 2:
                continue
            if sum(sum(p.capex.values()) * x for p, x in zip(projects, picks)) < 4.0 * size:
                continue
            value = sum(c * x for c, x in zip(cents, picks))
            best = value if best is None else max(best, value)
        got = sum(c for c, p in zip(cents, projects) if p.id in set(plan.selected))
        matched += got == best
    return [
        {
            "case": f"Capital allocation, {instances} random instances of {size} projects",
            "expected": "brute-force optimum",
            "got": f"{matched}/{instances} equal to the cent",
            "detail": f"slowest solve {slowest * 1000:.0f} ms",
            "pass": matched == instances,
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["erlang_c", "erlang_a", "schedule", "inventory", "capital"])
    parser.add_argument("--intervals", type=int, default=100, help="Ciw: measured intervals per replication")
    parser.add_argument(
        "--replications", type=int, default=20, help="Ciw replications; inventory uses a fifth"
    )
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    parts = {
        "erlang_c": erlang_c_case,
        "erlang_a": lambda: erlang_a_cases(args.intervals, args.replications),
        "schedule": schedule_case,
        "inventory": lambda: inventory_cases(max(2, args.replications // 5)),
        "capital": lambda: capital_cases(10, 14),
    }
    rows = []
    for name, part in parts.items():
        if args.only in (None, name):
            rows += part()
    print("| case | expected | got | detail | pass |\n|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['case']} | {row['expected']} | {row['got']} | {row['detail']} | {'yes' if row['pass'] else 'NO'} |"
        )
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
