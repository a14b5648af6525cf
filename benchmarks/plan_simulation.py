"""Simulation throughput: supply-chain replications per second (SimPy), Monte Carlo NPV draws per second,
Erlang A evaluations per second and Ciw callers per second.

Run from the project root::

    .venv/bin/python benchmarks/plan_simulation.py --replications 100 --json-out bench-out/plan_simulation.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from argentier.planning import (
    Project,
    compare_plans,
    erlang_a,
    load_network,
    parse_network,
    simulate_npv,
)
from argentier.planning._queue_sim import simulate_queue


def supply(replications: int) -> list[dict]:
    rows = []
    _, plans, _ = load_network(resources.files("argentier.planning") / "data" / "supply_network.yaml")
    result = compare_plans(plans, replications=replications, seed=7)
    rows.append(
        {
            "what": f"example network (6 nodes, 3 disruptions, 365 days), {len(plans)} plans x {replications}",
            "rate": f"{result.runs_per_second:.1f} replications/s",
            "detail": f"{result.seconds:.1f} s; {365 * result.runs_per_second:,.0f} simulated days/s",
        }
    )
    single = parse_network(
        {
            "horizon_days": 365,
            "nodes": {
                "s": {"type": "supplier"},
                "w": {
                    "type": "warehouse",
                    "policy": {"level": 60},
                    "sources": [{"from": "s", "lead_time": 3}],
                },
                "c": {"type": "customer", "served_by": "w", "demand": {"mean": 12}},
            },
        }
    )
    result = compare_plans({"single": single}, replications=replications * 4, seed=1)
    rows.append(
        {
            "what": f"single warehouse, base stock, 365 days x {replications * 4}",
            "rate": f"{result.runs_per_second:.1f} replications/s",
            "detail": f"{result.seconds:.1f} s",
        }
    )
    return rows


def monte_carlo() -> list[dict]:
    projects = [
        Project(
            f"p{i}",
            {2027: 10.0 + i % 7, 2028: 5.0},
            4.0,
            8,
            2029,
            capex_sd=0.2,
            benefit_sd=0.3,
            delay_prob=0.1,
        )
        for i in range(1000)
    ]
    started = time.perf_counter()
    simulate_npv(projects, discount_rate=0.08, base_year=2027, samples=5000, seed=0)
    seconds = time.perf_counter() - started
    return [
        {
            "what": "Monte Carlo NPV, 1,000 projects x 5,000 draws",
            "rate": f"{5e6 / seconds / 1e6:.1f} M draws/s",
            "detail": f"{seconds:.2f} s",
        }
    ]


def queues() -> list[dict]:
    timing = {"interval_seconds": 1800, "aht_seconds": 180, "answer_seconds": 20, "patience_seconds": 120}
    started, count = time.perf_counter(), 0
    for agents in range(8, 40):
        for volume in (100, 200, 300):
            erlang_a(agents, volume, **timing)
            count += 1
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    sim = simulate_queue(12, 100, intervals=50, replications=4, seed=0, **timing)
    ciw_seconds = time.perf_counter() - started
    return [
        {
            "what": "Erlang A evaluations (8-39 agents, 100-300 calls/30 min)",
            "rate": f"{count / seconds:,.0f} /s",
            "detail": f"{count} in {seconds:.2f} s",
        },
        {
            "what": "Ciw M/M/n+M simulation (check only)",
            "rate": f"{sim.customers / ciw_seconds:,.0f} callers/s",
            "detail": f"{sim.customers:,} callers in {ciw_seconds:.1f} s",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    rows = supply(args.replications) + monte_carlo() + queues()
    print("| what | throughput | detail |\n|---|---|---|")
    for row in rows:
        print(f"| {row['what']} | {row['rate']} | {row['detail']} |")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
