"""A discrete-event check of the Erlang A formulas with Ciw (a test/benchmark dependency, imported on use)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["SimulatedQueue", "simulate_queue"]


@dataclass(frozen=True)
class SimulatedQueue:
    """Simulated service level, abandonment and ASA, each with the standard error across replications."""

    agents: int
    customers: int
    service_level: float
    service_level_se: float
    abandonment: float
    abandonment_se: float
    average_speed_of_answer: float

    def to_dict(self) -> dict:
        return asdict(self)


def simulate_queue(
    agents: int,
    volume: float,
    *,
    interval_seconds: float,
    aht_seconds: float,
    answer_seconds: float,
    patience_seconds: float,
    intervals: int = 20,
    replications: int = 10,
    seed: int = 0,
) -> SimulatedQueue:
    """Simulate an M/M/n+M queue with Ciw: ``replications`` runs of ``intervals`` intervals after a warm-up.

    Only callers arriving after a one-interval warm-up and early enough to have left before the end are counted,
    so neither the empty start nor callers still waiting at the end bias the figures.
    """
    import ciw
    import numpy as np

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=volume / interval_seconds)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / aht_seconds)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / patience_seconds)],
    )
    start, stop = interval_seconds, interval_seconds * (intervals + 1)
    levels, abandons, waits, counted = [], [], [], 0
    for replication in range(replications):
        ciw.seed(seed * 10_007 + replication)
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(stop + 20 * (aht_seconds + patience_seconds))
        records = [r for r in simulation.get_all_records() if start <= r.arrival_date < stop]
        served = [r for r in records if r.record_type == "service"]
        counted += len(records)
        levels.append(sum(r.waiting_time <= answer_seconds for r in served) / max(len(records), 1))
        abandons.append(1.0 - len(served) / max(len(records), 1))
        waits.append(float(np.mean([r.waiting_time for r in served])) if served else math.nan)

    def se(values: list[float]) -> float:
        return float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan

    return SimulatedQueue(
        agents=agents,
        customers=counted,
        service_level=float(np.mean(levels)),
        service_level_se=se(levels),
        abandonment=float(np.mean(abandons)),
        abandonment_se=se(abandons),
        average_speed_of_answer=float(np.nanmean(waits)),
    )
