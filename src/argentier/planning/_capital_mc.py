"""Monte Carlo NPV of capital projects: uncertain costs, demand (benefits) and timing, and portfolio outcomes.

Cost overruns are lognormal with mean 1 (``capex_sd`` its relative spread); benefits scale with
``1 + benefit_sd * Z``, floored at zero, where ``Z`` mixes a demand factor common to all projects (weight
``demand_correlation``) with a project's own shock; with probability ``delay_prob`` benefits start a year late.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from argentier.planning._capital_data import Project
from argentier.planning._io import money

__all__ = ["Distribution", "NPVSimulation", "simulate_npv"]


@dataclass(frozen=True)
class Distribution:
    """Summary of simulated NPVs: mean, spread, P10/P50/P90 and the chance of losing money."""

    mean: float
    sd: float
    p10: float
    p50: float
    p90: float
    chance_of_loss: float

    @classmethod
    def of(cls, samples: np.ndarray) -> Distribution:
        p10, p50, p90 = np.percentile(samples, [10, 50, 90])
        return cls(
            float(samples.mean()),
            float(samples.std(ddof=1)) if samples.size > 1 else 0.0,
            float(p10),
            float(p50),
            float(p90),
            float((samples < 0).mean()),
        )

    def to_dict(self) -> dict:
        return {
            "mean": str(money(self.mean)),
            "sd": str(money(self.sd)),
            "p10": str(money(self.p10)),
            "p50": str(money(self.p50)),
            "p90": str(money(self.p90)),
            "chance_of_loss": round(self.chance_of_loss, 6),
        }


@dataclass(frozen=True)
class NPVSimulation:
    """Simulated NPVs: ``samples[s, i]`` is project i's NPV in draw s (same draws for every portfolio)."""

    project_ids: tuple[str, ...]
    samples: np.ndarray
    deterministic: np.ndarray
    seed: int

    def project(self, index: int) -> Distribution:
        return Distribution.of(self.samples[:, index])

    def portfolio(self, selected: Sequence[bool] | np.ndarray) -> Distribution:
        return Distribution.of(self.samples @ np.asarray(selected, dtype=float))

    @property
    def means(self) -> np.ndarray:
        return self.samples.mean(axis=0)

    @property
    def sds(self) -> np.ndarray:
        return self.samples.std(axis=0, ddof=1)


def simulate_npv(
    projects: Sequence[Project],
    *,
    discount_rate: float,
    base_year: int,
    samples: int = 2000,
    demand_correlation: float = 0.3,
    seed: int = 0,
) -> NPVSimulation:
    """Draw ``samples`` NPVs of every project (vectorised; 1,000 projects x 2,000 draws in well under a second).

    With no uncertainty every draw equals the deterministic NPV:

    >>> sim = simulate_npv([Project("a", {2027: 100.0}, 30.0, 5, 2028)], discount_rate=0.1, base_year=2027)
    >>> round(float(sim.samples.min()), 3), round(float(sim.samples.max()), 3)
    (13.724, 13.724)
    """
    if samples < 2:
        raise ValueError("at least two samples are needed")
    if not 0 <= demand_correlation <= 1:
        raise ValueError("demand_correlation must be between 0 and 1")
    rng = np.random.default_rng(seed)
    factor = 1.0 / (1.0 + discount_rate)
    count = len(projects)
    capex_pv = np.array([sum(a * factor ** (y - base_year) for y, a in p.capex.items()) for p in projects])
    benefit_pv = np.array(
        [
            p.annual_benefit
            * factor ** (p.benefit_start - base_year)
            * sum(factor**k for k in range(p.life_years))
            for p in projects
        ]
    )
    capex_sd = np.array([p.capex_sd for p in projects])
    benefit_sd = np.array([p.benefit_sd for p in projects])
    delay = np.array([p.delay_prob for p in projects])
    sigma = np.sqrt(np.log1p(capex_sd**2))
    overrun = np.exp(sigma * rng.standard_normal((samples, count)) - sigma**2 / 2)
    shock = math.sqrt(demand_correlation) * rng.standard_normal((samples, 1)) + math.sqrt(
        1 - demand_correlation
    ) * rng.standard_normal((samples, count))
    demand = np.maximum(0.0, 1.0 + benefit_sd * shock)
    late = np.where(rng.random((samples, count)) < delay, factor, 1.0)
    draws = benefit_pv * demand * late - capex_pv * overrun
    return NPVSimulation(tuple(p.id for p in projects), draws, benefit_pv - capex_pv, seed)
