"""Compare contingency plans on a supply network: many seeded replications, means with 95 % intervals.

Every plan is run on the same seeds (common random numbers), so differences against the first plan are paired and
their intervals much tighter than the plans' own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from argentier.errors import InputError
from argentier.planning._io import money
from argentier.planning._supply_config import Network, load_network
from argentier.planning._supply_sim import ReplicationResult, simulate_replication

__all__ = ["Estimate", "PlanOutcome", "SupplyComparison", "compare_plans", "run_supply_file"]


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95 % confidence interval (Student t)."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        from scipy import stats

        mean = float(np.mean(values))
        if values.size < 2:
            return cls(mean, mean, mean)
        half = float(stats.t.ppf(0.975, values.size - 1) * np.std(values, ddof=1) / math.sqrt(values.size))
        return cls(mean, mean - half, mean + half)

    def to_dict(self, as_money: bool = False) -> dict:
        if as_money:
            return {"mean": str(money(self.mean)), "low": str(money(self.low)), "high": str(money(self.high))}
        return {"mean": round(self.mean, 6), "low": round(self.low, 6), "high": round(self.high, 6)}


@dataclass(frozen=True)
class PlanOutcome:
    """One plan's results: fill rate, lost units and cost with intervals, and paired differences to the first."""

    plan: str
    fill_rate: Estimate
    lost_units: Estimate
    total_cost: Estimate
    cost_breakdown: dict[str, float]
    fill_rate_change: Estimate | None
    cost_change: Estimate | None
    fill_rates: tuple[float, ...]
    costs: tuple[float, ...]

    def to_dict(self) -> dict:
        return {
            "plan": self.plan,
            "fill_rate": self.fill_rate.to_dict(),
            "lost_units": self.lost_units.to_dict(),
            "total_cost": self.total_cost.to_dict(as_money=True),
            "cost_breakdown": {key: str(money(value)) for key, value in self.cost_breakdown.items()},
            "fill_rate_change": self.fill_rate_change.to_dict() if self.fill_rate_change else None,
            "cost_change": self.cost_change.to_dict(as_money=True) if self.cost_change else None,
        }


@dataclass(frozen=True)
class SupplyComparison:
    """All plans' outcomes, in the order given; the first plan is the reference for changes."""

    outcomes: tuple[PlanOutcome, ...]
    replications: int
    seed: int
    seconds: float

    @property
    def runs_per_second(self) -> float:
        return len(self.outcomes) * self.replications / self.seconds if self.seconds else math.inf

    def to_dict(self) -> dict:
        return {
            "replications": self.replications,
            "seed": self.seed,
            "runs_per_second": round(self.runs_per_second, 2),
            "plans": [outcome.to_dict() for outcome in self.outcomes],
        }


def compare_plans(
    plans: Mapping[str, Network],
    *,
    replications: int = 100,
    seed: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> SupplyComparison:
    """Run every plan ``replications`` times on the same seeds and summarise.

    >>> from argentier.planning._supply_config import parse_network
    >>> def network(level):
    ...     return parse_network({"horizon_days": 60, "lost_sales_penalty": 10, "nodes": {
    ...         "s": {"type": "supplier"},
    ...         "w": {"type": "warehouse", "policy": {"level": level}, "sources": [{"from": "s", "lead_time": 3}]},
    ...         "c": {"type": "customer", "served_by": "w", "demand": {"mean": 20}}}})
    >>> result = compare_plans({"lean": network(70), "buffer": network(110)}, replications=10)
    >>> lean, buffer = result.outcomes
    >>> buffer.fill_rate.mean > lean.fill_rate.mean, buffer.fill_rate_change.low > 0
    (True, True)
    """
    if replications < 1:
        raise InputError("replications must be >= 1")
    if not plans:
        raise InputError("no plan to simulate")
    started = time.perf_counter()
    results: dict[str, list[ReplicationResult]] = {name: [] for name in plans}
    for replication in range(replications):
        for name, network in plans.items():
            results[name].append(simulate_replication(network, seed=seed, replication=replication))
        if on_progress is not None:
            on_progress(replication + 1)
    seconds = time.perf_counter() - started
    reference = None
    outcomes = []
    for name, runs in results.items():
        fill = np.array([r.fill_rate for r in runs])
        cost = np.array([r.total_cost for r in runs])
        if reference is None:
            reference = (fill, cost)
        changes = (
            (Estimate.of(fill - reference[0]), Estimate.of(cost - reference[1])) if outcomes else (None, None)
        )
        outcomes.append(
            PlanOutcome(
                plan=name,
                fill_rate=Estimate.of(fill),
                lost_units=Estimate.of(np.array([r.lost for r in runs])),
                total_cost=Estimate.of(cost),
                cost_breakdown={
                    part: float(np.mean([getattr(r, f"{part}_cost") for r in runs]))
                    for part in ("holding", "ordering", "purchase", "shortage")
                },
                fill_rate_change=changes[0],
                cost_change=changes[1],
                fill_rates=tuple(fill.tolist()),
                costs=tuple(cost.tolist()),
            )
        )
    return SupplyComparison(tuple(outcomes), replications, seed, seconds)


def run_supply_file(
    path: str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    plans: list[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SupplyComparison:
    """Load a network YAML and compare its plans; arguments override the file's ``simulation`` section."""
    _, networks, settings = load_network(path)
    if plans:
        unknown = [name for name in plans if name not in networks]
        if unknown:
            raise InputError(f"no plan named {unknown[0]!r} (plans: {', '.join(networks)})", source=str(path))
        networks = {name: networks[name] for name in plans}
    return compare_plans(
        networks,
        replications=int(replications if replications is not None else settings.get("replications", 100)),
        seed=int(seed if seed is not None else settings.get("seed", 0)),
        on_progress=on_progress,
    )
