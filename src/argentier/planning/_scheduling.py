"""Shift scheduling: cover a per-period requirement with allowed shift patterns at minimum cost (MILP or CP-SAT).

A pattern is any set of periods one person works (a 5-days-on week, an 8-hour shift with a break, both at once)
with a cost; the solver picks how many people follow each pattern. Costs go to the solver in integer cents.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from argentier.errors import InfeasibleError, InputError
from argentier.planning._io import money

__all__ = ["ShiftPattern", "ShiftSchedule", "consecutive_days_patterns", "schedule_shifts"]


@dataclass(frozen=True)
class ShiftPattern:
    """The periods one person following this pattern covers, and what the pattern costs per person."""

    name: str
    periods: tuple[int, ...]
    cost: float = 1.0
    max_people: int | None = None

    def __post_init__(self) -> None:
        if not self.periods:
            raise InputError(f"shift pattern {self.name!r} covers no period")
        if not (self.cost >= 0 and math.isfinite(self.cost)):
            raise InputError(f"shift pattern {self.name!r}: cost must be a finite number >= 0")


@dataclass(frozen=True)
class ShiftSchedule:
    """How many people follow each pattern, the coverage it gives and its cost; ``optimal`` if proven."""

    people: dict[str, int]
    cost: float
    headcount: int
    required: tuple[int, ...]
    covered: tuple[int, ...]
    labels: tuple[str, ...]
    status: str
    best_bound: float
    solve_seconds: float
    shortfall: tuple[int, ...] = field(default=())

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def surplus(self) -> tuple[int, ...]:
        return tuple(max(0, c - r) for c, r in zip(self.covered, self.required))

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "headcount": self.headcount,
            "cost": str(money(self.cost)),
            "best_bound": str(money(self.best_bound)),
            "solve_seconds": round(self.solve_seconds, 4),
            "people": self.people,
            "periods": [
                {"period": label, "required": r, "covered": c, "surplus": max(0, c - r), "shortfall": s}
                for label, r, c, s in zip(
                    self.labels, self.required, self.covered, self.shortfall or (0,) * len(self.required)
                )
            ],
        }


Outcome = tuple[list[int], list[int], str, float]  # people per pattern, shortfall per period, status, bound


def _solve_scip(required, covering, caps, cents, penalty, max_headcount, time_limit) -> Outcome | None:
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    people = [solver.IntVar(0, cap, f"x{i}") for i, cap in enumerate(caps)]
    short = [solver.IntVar(0, need if penalty is not None else 0, f"s{t}") for t, need in enumerate(required)]
    for period, need in enumerate(required):
        if need:
            solver.Add(solver.Sum([people[i] for i in covering[period]]) + short[period] >= need)
    if max_headcount is not None:
        solver.Add(solver.Sum(people) <= max_headcount)
    solver.Minimize(solver.Sum([c * x for c, x in zip(cents, people)]) + (penalty or 0) * solver.Sum(short))
    solver.SetTimeLimit(int(time_limit * 1000))
    parameters = pywraplp.MPSolverParameters()
    parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, 0.0)  # costs are whole cents: prove the optimum
    status = solver.Solve(parameters)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    label = "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible"
    values = [round(x.solution_value()) for x in people], [round(s.solution_value()) for s in short]
    return (*values, label, solver.Objective().BestBound())


def _solve_cpsat(required, covering, caps, cents, penalty, max_headcount, time_limit) -> Outcome | None:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    people = [model.new_int_var(0, cap, f"x{i}") for i, cap in enumerate(caps)]
    short = [
        model.new_int_var(0, need if penalty is not None else 0, f"s{t}") for t, need in enumerate(required)
    ]
    for period, need in enumerate(required):
        if need:
            model.add(sum(people[i] for i in covering[period]) + short[period] >= need)
    if max_headcount is not None:
        model.add(sum(people) <= max_headcount)
    model.minimize(sum(c * x for c, x in zip(cents, people)) + (penalty or 0) * sum(short))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    label = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return (
        [solver.value(x) for x in people],
        [solver.value(s) for s in short],
        label,
        solver.best_objective_bound,
    )


_SOLVERS = {"scip": _solve_scip, "cp-sat": _solve_cpsat}


def consecutive_days_patterns(
    days: int = 7, work_days: int = 5, *, cost: float = 1.0, day_names: Sequence[str] | None = None
) -> list[ShiftPattern]:
    """Cyclic patterns of ``work_days`` consecutive days on out of ``days`` (the week repeats).

    >>> [p.name for p in consecutive_days_patterns(day_names="Mon Tue Wed Thu Fri Sat Sun".split())][:2]
    ['Mon-Fri', 'Tue-Sat']
    """
    if not 1 <= work_days <= days:
        raise InputError(f"work_days must be between 1 and {days}, got {work_days}")
    names = list(day_names) if day_names is not None else [f"day{d + 1}" for d in range(days)]
    patterns = []
    for first in range(days if work_days < days else 1):
        periods = tuple(sorted((first + k) % days for k in range(work_days)))
        last = (first + work_days - 1) % days
        label = names[first] if work_days == 1 else f"{names[first]}-{names[last]}"
        patterns.append(ShiftPattern(label, periods, cost))
    return patterns


def schedule_shifts(
    required: Sequence[int],
    patterns: Sequence[ShiftPattern],
    *,
    labels: Sequence[str] | None = None,
    max_headcount: int | None = None,
    shortfall_cost: float | None = None,
    time_limit_seconds: float = 30.0,
    solver: str = "scip",
) -> ShiftSchedule:
    """The cheapest number of people on each pattern so that every period's requirement is covered.

    ``solver`` is ``"scip"`` (a MILP: its LP bound proves a week of half-hour shifts optimal in about a second)
    or ``"cp-sat"`` (finds the same schedules but left a gap after 30 s on a week; benchmarks/plan_scaling.py).
    With ``shortfall_cost`` the cover becomes soft: each person-period left uncovered costs that much, so an
    impossible requirement (a headcount cap, a period no pattern covers) still gets the best plan.
    The classic problem: 5 consecutive days on, daily needs 17, 13, 15, 19, 14, 16, 11 -> 23 people.

    >>> needs = [17, 13, 15, 19, 14, 16, 11]
    >>> result = schedule_shifts(needs, consecutive_days_patterns(7, 5))
    >>> result.headcount, result.optimal, schedule_shifts(needs, consecutive_days_patterns(7, 5), solver="cp-sat").headcount
    (23, True, 23)
    """
    required = [int(r) for r in required]
    if any(r < 0 for r in required):
        raise InputError("requirements must be >= 0")
    labels = tuple(labels) if labels is not None else tuple(str(i) for i in range(len(required)))
    if len(labels) != len(required):
        raise InputError("one label per period is needed")
    if not patterns:
        raise InputError("no shift pattern given")
    for pattern in patterns:
        if max(pattern.periods) >= len(required) or min(pattern.periods) < 0:
            raise InputError(f"shift pattern {pattern.name!r} covers periods outside the requirement")
    names = [pattern.name for pattern in patterns]
    if len(set(names)) != len(names):
        raise InputError("shift pattern names must be unique")
    covering: list[list[int]] = [[] for _ in required]
    for index, pattern in enumerate(patterns):
        for period in pattern.periods:
            covering[period].append(index)
    if shortfall_cost is None:
        for period, need in enumerate(required):
            if need > 0 and not covering[period]:
                raise InfeasibleError(f"period {labels[period]} needs {need} but no shift pattern covers it")

    upper = max(required, default=0)
    caps = [upper if p.max_people is None else min(upper, p.max_people) for p in patterns]
    cents = [round(pattern.cost * 100) for pattern in patterns]
    penalty = None if shortfall_cost is None else round(shortfall_cost * 100)
    if solver not in _SOLVERS:
        raise InputError(f"solver must be one of {', '.join(_SOLVERS)}, got {solver!r}")
    started = time.perf_counter()
    outcome = _SOLVERS[solver](required, covering, caps, cents, penalty, max_headcount, time_limit_seconds)
    elapsed = time.perf_counter() - started
    if outcome is None:
        reason = "no schedule exists or none was found in the time limit"
        raise InfeasibleError(f"{reason} (headcount cap {max_headcount})" if max_headcount else reason)
    counts, shorts, status, bound = outcome
    covered = tuple(sum(counts[i] for i in covering[period]) for period in range(len(required)))
    return ShiftSchedule(
        people={name: count for name, count in zip(names, counts) if count},
        cost=sum(pattern.cost * count for pattern, count in zip(patterns, counts))
        + (shortfall_cost or 0.0) * sum(shorts),
        headcount=sum(counts),
        required=tuple(required),
        covered=covered,
        labels=labels,
        status=status,
        best_bound=bound / 100.0,
        solve_seconds=elapsed,
        shortfall=tuple(max(0, r - c) for r, c in zip(required, covered)),
    )
