"""Price recommendation on a ladder: maximise contribution under business constraints, MILP or CP-SAT.

Each item (a SKU, or a SKU in a region) has a current price, a variable unit cost, baseline units per period
and an elasticity; at price ``p`` it sells ``units * (p / current) ** elasticity``. Candidate prices are the
current price moved by each step of the ladder, to the cent. Constraints:

- margin floor: ``(p - unit cost) / p >= margin_floor`` (an item that cannot reach it within the maximum
  change gets the highest price it may take, and is listed in ``below_floor``);
- maximum change per period: ``|p / current - 1| <= max_change``;
- good / better / best: within a family, a higher tier's price is at least ``1 + tier_gap`` times the lower's;
- optional volume floor: total units at least ``min_units_ratio`` of today's (couples every item).

The objective is in integer cents, and units in thousandths; :func:`brute_force_prices` enumerates every
combination with the same integers, so on small instances the two must agree exactly.

>>> from decimal import Decimal
>>> items = [PricingItem("A", Decimal("10.00"), Decimal("6.00"), 100.0, -2.0),
...          PricingItem("B", Decimal("10.00"), Decimal("2.00"), 100.0, -1.5)]
>>> result = recommend_prices(items, ladder=(-0.1, 0.0, 0.1), max_change=0.1)
>>> [(c.item, str(c.new_price)) for c in result.choices], result.status
([('A', '11.00'), ('B', '9.00')], 'optimal')
>>> result.contribution_after == brute_force_prices(items, ladder=(-0.1, 0.0, 0.1), max_change=0.1).contribution_after
True
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from argentier.errors import InfeasibleError, InputError
from argentier.profitability._files import atomic_write_text
from argentier.profitability._money import from_cents

__all__ = ["DEFAULT_LADDER", "PriceChoice", "PriceRecommendation", "PricingItem", "brute_force_prices", "recommend_prices"]

DEFAULT_LADDER = (-0.15, -0.10, -0.07, -0.05, -0.03, 0.0, 0.03, 0.05, 0.07, 0.10, 0.15)


@dataclass(frozen=True)
class PricingItem:
    """What the optimiser needs about one item; ``tier`` orders prices within a ``family`` (0 = good)."""

    item: str
    price: Decimal
    unit_cost: Decimal
    units: float
    elasticity: float
    family: str | None = None
    tier: int | None = None


@dataclass(frozen=True)
class PriceChoice:
    """The chosen price of one item and what it does to units and contribution."""

    item: str
    current_price: Decimal
    new_price: Decimal
    units: float
    new_units: float
    contribution: Decimal
    new_contribution: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "current_price": str(self.current_price),
            "new_price": str(self.new_price),
            "change": round(float(self.new_price / self.current_price - 1), 6),
            "units": round(self.units, 3),
            "new_units": round(self.new_units, 3),
            "contribution": str(self.contribution),
            "new_contribution": str(self.new_contribution),
        }


@dataclass(frozen=True)
class PriceRecommendation:
    """The chosen prices, contribution before and after (per period, modelled), solver status and time."""

    choices: tuple[PriceChoice, ...]
    contribution_before: Decimal
    contribution_after: Decimal
    status: str
    solve_seconds: float
    constraints: dict[str, Any]
    bound: Decimal
    below_floor: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "below_margin_floor": list(self.below_floor),
            "solve_seconds": round(self.solve_seconds, 4),
            "contribution_before": str(self.contribution_before),
            "contribution_after": str(self.contribution_after),
            "bound": str(self.bound),
            "constraints": self.constraints,
            "choices": [c.to_dict() for c in self.choices],
        }

    def to_csv(self, path) -> None:
        """Write one row per item (prices, units, contributions), atomically."""
        import pandas as pd

        atomic_write_text(path, pd.DataFrame([c.to_dict() for c in self.choices]).to_csv(index=False))


@dataclass(frozen=True)
class _Candidates:
    prices: list[list[Decimal]]
    units_m: list[list[int]]
    contribution_c: list[list[int]]
    orderings: list[tuple[int, int]]  # (lower tier item, higher tier item)
    below_floor: list[str]  # items that cannot reach the margin floor within the maximum change


def _candidates(items: Sequence[PricingItem], ladder, max_change, margin_floor, tier_gap) -> _Candidates:
    if not items:
        raise InputError("no items to price")
    names = [item.item for item in items]
    if len(set(names)) != len(names):
        raise InputError("each item must appear once")
    prices, units, contributions, below_floor = [], [], [], []
    for item in items:
        if item.price <= 0 or item.units < 0 or not math.isfinite(item.elasticity):
            raise InputError(f"item {item.item!r}: needs a positive price, units >= 0 and a finite elasticity")
        options = sorted(
            {(item.price * Decimal(1 + step)).quantize(Decimal("0.01"), ROUND_HALF_UP) for step in ladder} | {item.price}
        )
        allowed = [
            p
            for p in options
            if p > 0
            and abs(float(p / item.price) - 1) <= max_change + 1e-9
            and (p - item.unit_cost) >= Decimal(str(margin_floor)) * p
        ]
        if not allowed:
            # The floor cannot be met within the allowed change: the item moves as far towards it as it may.
            allowed = [max(p for p in options if abs(float(p / item.price) - 1) <= max_change + 1e-9)]
            below_floor.append(item.item)
        volume = [item.units * float(p / item.price) ** item.elasticity for p in allowed]
        prices.append(allowed)
        units.append([round(v * 1000) for v in volume])
        contributions.append([round(v * float(p - item.unit_cost) * 100) for v, p in zip(volume, allowed)])
    orderings = []
    families: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if item.family is not None and item.tier is not None:
            families.setdefault(item.family, []).append(index)
    for members in families.values():
        members.sort(key=lambda i: items[i].tier)
        orderings += [(a, b) for a, b in itertools.pairwise(members) if items[a].tier < items[b].tier]
    for low, high in orderings:
        if not _ordered(prices[low][0], prices[high][-1], tier_gap):
            raise InfeasibleError(
                f"items {items[low].item!r} (tier {items[low].tier}) and {items[high].item!r} (tier {items[high].tier}): "
                f"no allowed prices keep the higher tier at least {tier_gap:.0%} above the lower "
                f"({prices[low][0]} vs at most {prices[high][-1]})"
            )
    return _Candidates(prices, units, contributions, orderings, below_floor)


def _ordered(low: Decimal, high: Decimal, tier_gap: float) -> bool:
    return high * 10_000 >= (low * Decimal(str(1 + tier_gap)) * 10_000).quantize(Decimal(1))


def recommend_prices(
    items: Sequence[PricingItem],
    *,
    ladder: Sequence[float] = DEFAULT_LADDER,
    max_change: float = 0.10,
    margin_floor: float = 0.0,
    tier_gap: float = 0.0,
    min_units_ratio: float | None = None,
    solver: str = "milp",
    time_limit: float = 30.0,
    relative_gap: float = 1e-6,
    seed: int = 0,
) -> PriceRecommendation:
    """Choose one ladder price per item to maximise total contribution under the constraints.

    ``solver`` is ``milp`` (OR-Tools with CBC: its LP bound suits the knapsack-like volume floor) or ``cp-sat``.
    The search stops when the contribution is proven within ``relative_gap`` of the best possible, or at
    ``time_limit`` seconds; ``status`` is ``optimal`` then, else ``feasible``, and ``bound`` the proven upper
    limit on the contribution either way.
    """
    if solver not in ("milp", "cp-sat"):
        raise InputError(f"unknown solver {solver!r}; choose milp or cp-sat")
    started = time.perf_counter()
    candidates = _candidates(items, ladder, max_change, margin_floor, tier_gap)
    conflicts = [
        (low, k, high, m)
        for low, high in candidates.orderings
        for k, low_price in enumerate(candidates.prices[low])
        for m, high_price in enumerate(candidates.prices[high])
        if not _ordered(low_price, high_price, tier_gap)
    ]
    floor = None
    if min_units_ratio is not None:
        floor = math.ceil(min_units_ratio * sum(round(item.units * 1000) for item in items))
    solve = _solve_milp if solver == "milp" else _solve_cp_sat
    picks, optimal, bound_c = solve(candidates, conflicts, floor, time_limit, relative_gap, seed)
    return _result(
        items, candidates, picks, "optimal" if optimal else "feasible", time.perf_counter() - started,
        _constraints(max_change, margin_floor, tier_gap, min_units_ratio, ladder) | {"solver": solver},
        bound_c=bound_c,
    )


def _solve_milp(candidates: _Candidates, conflicts, floor, time_limit, relative_gap, seed):
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("CBC")
    choose = [[solver.BoolVar(f"x{i}_{k}") for k in range(len(p))] for i, p in enumerate(candidates.prices)]
    for row in choose:
        solver.Add(solver.Sum(row) == 1)
    for low, k, high, m in conflicts:
        solver.Add(choose[low][k] + choose[high][m] <= 1)
    if floor is not None:
        solver.Add(solver.Sum(u * x for us, xs in zip(candidates.units_m, choose) for u, x in zip(us, xs)) >= floor)
    solver.Maximize(solver.Sum(c * x for cs, xs in zip(candidates.contribution_c, choose) for c, x in zip(cs, xs)))
    solver.SetTimeLimit(int(time_limit * 1000))
    parameters = pywraplp.MPSolverParameters()
    parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, relative_gap)
    status = solver.Solve(parameters)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise InfeasibleError("no set of ladder prices meets the tier ordering and volume floor together")
    picks = [max(range(len(row)), key=lambda k: row[k].solution_value()) for row in choose]
    return picks, status == pywraplp.Solver.OPTIMAL, math.floor(solver.Objective().BestBound() + 1e-6)


def _solve_cp_sat(candidates: _Candidates, conflicts, floor, time_limit, relative_gap, seed):
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    choose = [[model.NewBoolVar(f"x{i}_{k}") for k in range(len(p))] for i, p in enumerate(candidates.prices)]
    for row in choose:
        model.AddExactlyOne(row)
    for low, k, high, m in conflicts:
        model.AddBoolOr([choose[low][k].Not(), choose[high][m].Not()])
    if floor is not None:
        model.Add(sum(u * x for us, xs in zip(candidates.units_m, choose) for u, x in zip(us, xs)) >= floor)
    model.Maximize(sum(c * x for cs, xs in zip(candidates.contribution_c, choose) for c, x in zip(cs, xs)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 2
    solver.parameters.linearization_level = 2
    solver.parameters.relative_gap_limit = relative_gap
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError("no set of ladder prices meets the tier ordering and volume floor together")
    picks = [next(k for k, x in enumerate(row) if solver.BooleanValue(x)) for row in choose]
    return picks, status == cp_model.OPTIMAL, int(solver.BestObjectiveBound())


def brute_force_prices(
    items: Sequence[PricingItem],
    *,
    ladder: Sequence[float] = DEFAULT_LADDER,
    max_change: float = 0.10,
    margin_floor: float = 0.0,
    tier_gap: float = 0.0,
    min_units_ratio: float | None = None,
    max_combinations: int = 2_000_000,
) -> PriceRecommendation:
    """Enumerate every combination of ladder prices (small instances only): the reference for the solver."""
    started = time.perf_counter()
    candidates = _candidates(items, ladder, max_change, margin_floor, tier_gap)
    count = math.prod(len(p) for p in candidates.prices)
    if count > max_combinations:
        raise InputError(f"{count} combinations: too many to enumerate (limit {max_combinations})")
    floor = None if min_units_ratio is None else math.ceil(min_units_ratio * sum(round(i.units * 1000) for i in items))
    best, best_value = None, None
    for picks in itertools.product(*(range(len(p)) for p in candidates.prices)):
        if floor is not None and sum(candidates.units_m[i][k] for i, k in enumerate(picks)) < floor:
            continue
        if any(
            not _ordered(candidates.prices[low][picks[low]], candidates.prices[high][picks[high]], tier_gap)
            for low, high in candidates.orderings
        ):
            continue
        value = sum(candidates.contribution_c[i][k] for i, k in enumerate(picks))
        if best_value is None or value > best_value:
            best, best_value = picks, value
    if best is None:
        raise InfeasibleError("no set of ladder prices meets the tier ordering and volume floor together")
    return _result(
        items, candidates, list(best), "optimal", time.perf_counter() - started,
        _constraints(max_change, margin_floor, tier_gap, min_units_ratio, ladder),
    )


def _constraints(max_change, margin_floor, tier_gap, min_units_ratio, ladder) -> dict[str, Any]:
    return {
        "max_change": max_change,
        "margin_floor": margin_floor,
        "tier_gap": tier_gap,
        "min_units_ratio": min_units_ratio,
        "ladder": list(ladder),
    }


def _result(items, candidates: _Candidates, picks, status, seconds, constraints, bound_c=None) -> PriceRecommendation:
    choices = []
    before = after = 0
    for item, prices, units_m, contributions, k in zip(
        items, candidates.prices, candidates.units_m, candidates.contribution_c, picks
    ):
        current_c = round(item.units * float(item.price - item.unit_cost) * 100)
        before += current_c
        after += contributions[k]
        choices.append(
            PriceChoice(
                item=item.item,
                current_price=item.price,
                new_price=prices[k],
                units=item.units,
                new_units=units_m[k] / 1000,
                contribution=from_cents(current_c),
                new_contribution=from_cents(contributions[k]),
            )
        )
    bound = from_cents(after if bound_c is None else bound_c)
    return PriceRecommendation(
        tuple(choices), from_cents(before), from_cents(after), status, seconds, constraints, bound,
        tuple(candidates.below_floor),
    )
