"""Queueing formulas for contact centres: Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M, with abandonment).

Everything is computed in a numerically stable way: Erlang B by its recursion (no factorials), Erlang A from the
birth-death stationary distribution in log space, so thousands of agents and heavy loads are fine.

Erlang A waiting-time results use two exact identities for a caller who finds ``j`` people queued ahead of him,
with ``n`` agents, service rate ``mu`` and patience rate ``theta`` (FCFS): the caller is served with probability
``n mu / (n mu + (j + 1) theta)`` and, given that he is served, his wait is a sum of exponentials with rates
``theta (m + i)``, ``i = 0..j``, ``m = n mu / theta + 1``, so ``1 - exp(-theta W)`` follows ``Beta(j + 1, m)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["QueueMetrics", "erlang_a", "erlang_b", "erlang_c"]

# Tail terms below exp(-45) of the largest stationary weight change no reported figure.
_LOG_TAIL = 45.0


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of one interval with a given number of agents on the floor.

    ``service_level`` is the share of offered contacts answered within the answer time (abandoned contacts count
    as not answered); ``average_speed_of_answer`` is the mean wait, in seconds, of answered contacts.
    """

    agents: int
    traffic_erlangs: float
    service_level: float
    probability_of_waiting: float
    average_speed_of_answer: float
    occupancy: float
    abandonment: float

    def to_dict(self) -> dict:
        return {
            key: (None if isinstance(v, float) and math.isinf(v) else v) for key, v in asdict(self).items()
        }


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of an M/M/n/n system (Erlang's loss formula), by the stable recursion.

    >>> round(erlang_b(5, 3.0), 4)
    0.1101
    """
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _rates(volume: float, interval_seconds: float, aht_seconds: float) -> tuple[float, float]:
    if volume < 0 or not math.isfinite(volume):
        raise ValueError(f"volume must be a finite number >= 0, got {volume}")
    if interval_seconds <= 0 or aht_seconds <= 0:
        raise ValueError("interval and handling time must be positive")
    return volume / interval_seconds, 1.0 / aht_seconds


def erlang_c(
    agents: int, volume: float, *, interval_seconds: float, aht_seconds: float, answer_seconds: float
) -> QueueMetrics:
    """Erlang C (M/M/n, infinitely patient callers) metrics for ``agents`` on the floor.

    The textbook case: 100 contacts in 30 minutes, 180 s handling time, 14 agents answer 88.8 % within 20 s.

    >>> m = erlang_c(14, 100, interval_seconds=1800, aht_seconds=180, answer_seconds=20)
    >>> round(m.service_level, 3), round(m.probability_of_waiting, 3), round(m.average_speed_of_answer, 1)
    (0.888, 0.174, 7.8)
    """
    arrival, service = _rates(volume, interval_seconds, aht_seconds)
    # Not arrival / service: 100 calls of 180 s in 1,800 s must stay exactly 10 Erlangs.
    traffic = volume * aht_seconds / interval_seconds
    if traffic == 0:  # no contact, nothing to answer late
        return QueueMetrics(agents, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents <= traffic:
        return QueueMetrics(agents, traffic, 0.0, 1.0, math.inf, 1.0 if agents else 0.0, 0.0)
    blocking = erlang_b(agents, traffic)
    waiting = agents * blocking / (agents - traffic * (1.0 - blocking))
    drain = agents * service - arrival
    return QueueMetrics(
        agents=agents,
        traffic_erlangs=traffic,
        service_level=1.0 - waiting * math.exp(-drain * answer_seconds),
        probability_of_waiting=waiting,
        average_speed_of_answer=waiting / drain,
        occupancy=traffic / agents,
        abandonment=0.0,
    )


def _stationary(agents: int, arrival: float, service: float, patience: float) -> np.ndarray:
    """Stationary probabilities of 0..n+K callers in an M/M/n+M system (arrival > 0), K large enough for the tail."""
    from scipy.special import gammaln

    busy = agents * service
    queue_peak = max(0.0, (arrival - busy) / patience)
    extra = int(queue_peak + 12 * math.sqrt(arrival / patience + 1.0) + 50)
    k = np.arange(agents + 1)
    head = k * math.log(arrival / service) - gammaln(k + 1)
    while True:
        tail = head[-1] + np.cumsum(math.log(arrival) - np.log(busy + patience * np.arange(1, extra + 1)))
        log_weights = np.concatenate([head, tail])
        top = log_weights.max()
        if log_weights[-1] < top - _LOG_TAIL:
            # Scaled by the largest term: nothing overflows, and what underflows is below exp(-45) of it.
            weights = np.exp(log_weights - top)
            return weights / weights.sum()
        extra *= 2


def erlang_a(
    agents: int,
    volume: float,
    *,
    interval_seconds: float,
    aht_seconds: float,
    answer_seconds: float,
    patience_seconds: float,
) -> QueueMetrics:
    """Erlang A (Palm's M/M/n+M: exponential patience of mean ``patience_seconds``) metrics for ``agents``.

    Stable even when the load exceeds the agents (callers abandon), and tends to Erlang C as patience grows.

    >>> m = erlang_a(14, 100, interval_seconds=1800, aht_seconds=180, answer_seconds=20, patience_seconds=1e9)
    >>> round(m.service_level, 3), round(m.average_speed_of_answer, 1)
    (0.888, 7.8)
    >>> m = erlang_a(8, 100, interval_seconds=1800, aht_seconds=180, answer_seconds=20, patience_seconds=120)
    >>> 0.2 < m.abandonment < 0.3, m.occupancy < 1
    (True, True)
    """
    from scipy.special import betainc, digamma

    if patience_seconds <= 0:
        raise ValueError(f"patience must be positive, got {patience_seconds}")
    arrival, service = _rates(volume, interval_seconds, aht_seconds)
    traffic = volume * aht_seconds / interval_seconds
    if arrival == 0:
        return QueueMetrics(agents, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:  # everyone waits until they give up
        return QueueMetrics(0, traffic, 0.0, 1.0, math.inf, 0.0, 1.0)
    patience = 1.0 / patience_seconds
    probabilities = _stationary(agents, arrival, service, patience)
    waiting = probabilities[agents:]  # an arrival finding n + j callers has j callers queued ahead of him
    j = np.arange(waiting.size)
    busy = agents * service
    served = busy / (busy + (j + 1) * patience)
    shape = busy / patience + 1.0
    within = betainc(j + 1, shape, -math.expm1(-patience * answer_seconds))
    p_wait = float(waiting.sum())
    p_served = 1.0 - p_wait + float(waiting @ served)
    mean_wait_served = (digamma(shape + j + 1) - digamma(shape)) / patience
    return QueueMetrics(
        agents=agents,
        traffic_erlangs=traffic,
        service_level=1.0 - p_wait + float(waiting @ (served * within)),
        probability_of_waiting=p_wait,
        average_speed_of_answer=float(waiting @ (served * mean_wait_served)) / p_served,
        occupancy=traffic * p_served / agents,
        abandonment=1.0 - p_served,
    )
