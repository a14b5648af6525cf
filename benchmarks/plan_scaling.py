"""Solve time against instance size: intraday shift scheduling (SCIP and CP-SAT) and capital allocation (SCIP
MILP, with a CP-SAT baseline on the same capital instances).

Run from the project root::

    .venv/bin/python benchmarks/plan_scaling.py                              # both parts
    .venv/bin/python benchmarks/plan_scaling.py --only capital --projects 100 1000 3000 --json-out bench-out/x.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from argentier.planning import (
    CapitalRules,
    PortfolioRule,
    Project,
    ShiftRules,
    ShiftTemplate,
    StaffingTargets,
    allocate_capital,
    build_patterns,
    required_agents,
    schedule_shifts,
    simulate_npv,
)


def scheduling(days_list: list[int], time_limit: float, solvers: list[str]) -> list[dict]:
    rows = []
    targets = StaffingTargets(0.8, 20, shrinkage=0.3)
    shifts = (
        ShiftTemplate("full", tuple(range(480, 781, 30)), 510, 30, 24.0),
        ShiftTemplate("part", tuple(range(600, 1021, 60)), 240, 0, 26.0),
    )
    for days in days_list:
        rules = ShiftRules(shifts, work_days=5 if days >= 7 else None)  # five days on in the repeating cycle
        stamps, needs = [], []
        for day in range(days):
            for slot in range(24):  # 08:00-20:00 in half-hours
                when = datetime(2026, 11, 30, 8) + timedelta(days=day, minutes=30 * slot)
                hour = when.hour + when.minute / 60
                volume = (1.1 if when.weekday() < 5 else 0.6) * (
                    35 + 45 * math.exp(-((hour - 11) ** 2) / 5) + 30 * math.exp(-((hour - 16) ** 2) / 4)
                )
                stamps.append(when)
                needs.append(
                    required_agents(
                        volume, interval_minutes=30, aht_seconds=240, targets=targets
                    ).scheduled_agents
                )
        patterns = build_patterns(stamps, 30, rules)
        for solver in solvers:
            result = schedule_shifts(needs, patterns, time_limit_seconds=time_limit, solver=solver)
            gap = (result.cost - result.best_bound) / result.cost if result.cost else 0.0
            rows.append(
                {
                    "part": "scheduling",
                    "size": f"{days} days x 24 half-hours, {len(patterns)} patterns",
                    "solver": solver,
                    "status": result.status,
                    "seconds": round(result.solve_seconds, 2),
                    "gap": round(gap, 5),
                    "value": f"{result.headcount} people, cost {result.cost:,.0f}",
                }
            )
    return rows


def capital_instance(count: int, seed: int = 0) -> tuple[list[Project], CapitalRules]:
    rng = np.random.default_rng(seed)
    projects = [
        Project(
            f"p{i}",
            {2027: float(rng.uniform(1, 50)), 2028: float(rng.uniform(0, 30))},
            float(rng.uniform(2, 20)),
            int(rng.integers(5, 12)),
            2029,
            category=("a", "b", "c")[i % 3],
            capex_sd=0.2,
            benefit_sd=0.3,
            delay_prob=0.1,
            requires=(f"p{i - 1}",) if i % 10 == 1 else (),
        )
        for i in range(count)
    ]
    rules = CapitalRules(
        {2027: 5.0 * count, 2028: 3.0 * count}, 0.08, (PortfolioRule("a", min_count=count // 50),)
    )
    return projects, rules


def cpsat_capital(projects: list[Project], rules: CapitalRules, values: np.ndarray, time_limit: float):
    """The same instance as a CP-SAT model (budgets, dependencies, the minimum count), for comparison only."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    chosen = [model.new_bool_var(p.id) for p in projects]
    index = {p.id: i for i, p in enumerate(projects)}
    for year, budget in rules.budgets.items():
        model.add(
            sum(round(p.capex.get(year, 0.0) * 100) * x for p, x in zip(projects, chosen))
            <= int(budget * 100)
        )
    for p, x in zip(projects, chosen):
        for other in p.requires:
            model.add_implication(x, chosen[index[other]])
    (rule,) = rules.rules
    model.add(sum(x for p, x in zip(projects, chosen) if p.category == rule.category) >= rule.min_count)
    model.maximize(sum(round(v * 100) * x for v, x in zip(values, chosen)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    started = time.perf_counter()
    status = solver.solve(model)
    return (
        solver.status_name(status).lower(),
        time.perf_counter() - started,
        solver.objective_value / 100,
        solver.best_objective_bound / 100,
    )


def capital(counts: list[int], time_limit: float, cpsat_up_to: int) -> list[dict]:
    rows = []
    for count in counts:
        projects, rules = capital_instance(count)
        started = time.perf_counter()
        simulation = simulate_npv(projects, discount_rate=0.08, base_year=2027, samples=2000, seed=1)
        simulate_seconds = time.perf_counter() - started
        plan = allocate_capital(projects, rules, simulation=simulation, time_limit_seconds=time_limit)
        # The solver's objective is in whole cents: compare the bound with the chosen projects' values in cents.
        chosen = (
            sum(round(v * 100) for p, v in zip(projects, simulation.means) if p.id in set(plan.selected))
            / 100
        )
        gap = (plan.best_bound - chosen) / abs(chosen)
        rows.append(
            {
                "part": "capital",
                "size": f"{count} projects (Monte Carlo 2,000 draws: {simulate_seconds:.2f} s)",
                "solver": "SCIP",
                "status": plan.status,
                "seconds": round(plan.solve_seconds, 2),
                "gap": round(max(gap, 0.0), 6),
                "value": f"{len(plan.selected)} chosen, E[NPV] {plan.value:,.2f}",
            }
        )
        if count <= cpsat_up_to:
            status, seconds, value, bound = cpsat_capital(projects, rules, simulation.means, time_limit)
            rows.append(
                {
                    "part": "capital",
                    "size": f"{count} projects",
                    "solver": "CP-SAT (baseline)",
                    "status": status,
                    "seconds": round(seconds, 2),
                    "gap": round((bound - value) / abs(value), 6),
                    "value": f"E[NPV] {value:,.2f}",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["scheduling", "capital"])
    parser.add_argument("--days", type=int, nargs="+", default=[1, 7, 14, 28])
    parser.add_argument("--projects", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--solvers", nargs="+", default=["scip", "cp-sat"], help="scheduling solvers to time")
    parser.add_argument(
        "--cpsat-up-to", type=int, default=1000, help="also run the CP-SAT baseline up to this size"
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    rows = []
    if args.only in (None, "scheduling"):
        rows += scheduling(args.days, args.time_limit, args.solvers)
    if args.only in (None, "capital"):
        rows += capital(args.projects, args.time_limit, args.cpsat_up_to)
    print("| part | size | solver | status | seconds | gap | result |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['part']} | {r['size']} | {r['solver']} | {r['status']} | {r['seconds']} | {r['gap']} | {r['value']} |"
        )
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
