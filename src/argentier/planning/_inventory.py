"""Closed-form single-node inventory answers that the supply simulation is checked against."""

from __future__ import annotations

import math

__all__ = ["base_stock_fill_rate", "expected_shortfall", "newsvendor_cost", "newsvendor_quantity"]


def expected_shortfall(level: float, mean: float, sd: float | None = None) -> float:
    """E[(X - level)+] for X Poisson(mean) (``sd`` None) or Normal(mean, sd): the standard loss function.

    >>> round(expected_shortfall(0, 3.0), 6), round(expected_shortfall(100, 100, 10), 4)
    (3.0, 3.9894)
    """
    from scipy import stats

    if mean <= 0:
        return max(0.0, -level)
    if sd is None:
        below = range(max(0, math.ceil(level)))
        return float(mean - level + sum((level - k) * stats.poisson.pmf(k, mean) for k in below))
    z = (level - mean) / sd
    return float(sd * (stats.norm.pdf(z) - z * stats.norm.sf(z)))


def base_stock_fill_rate(
    level: float, daily_mean: float, lead_time: int, daily_sd: float | None = None
) -> float:
    """Fill rate (share of demand met from stock) of a daily-review base-stock policy with backorders.

    Demand over the ``lead_time + 1`` days an order protects is Poisson (``daily_sd`` None) or normal; the
    expected shortage in a day is ``E[(D_{L+1} - S)+] - E[(D_L - S)+]``.

    >>> round(base_stock_fill_rate(30, 10.0, 1), 4)
    0.9968
    """

    def shortfall(days: int) -> float:
        if days == 0:
            return 0.0
        sd = None if daily_sd is None else daily_sd * math.sqrt(days)
        return expected_shortfall(level, daily_mean * days, sd)

    return 1.0 - (shortfall(lead_time + 1) - shortfall(lead_time)) / daily_mean


def newsvendor_quantity(mean: float, underage: float, overage: float, sd: float | None = None) -> float:
    """The order maximising expected profit for one period: the critical fractile ``cu / (cu + co)`` of demand.

    >>> newsvendor_quantity(100, 3.0, 1.0)  # Poisson(100), fractile 0.75
    107.0
    """
    from scipy import stats

    fractile = underage / (underage + overage)
    if sd is None:
        return float(stats.poisson.ppf(fractile, mean))
    return float(stats.norm.ppf(fractile, mean, sd))


def newsvendor_cost(
    quantity: float, mean: float, underage: float, overage: float, sd: float | None = None
) -> float:
    """Expected cost ``co E[(Q - D)+] + cu E[(D - Q)+]`` of ordering ``quantity``.

    >>> round(newsvendor_cost(107, 100, 3.0, 1.0), 3)
    12.849
    """
    short = expected_shortfall(quantity, mean, sd)
    left = quantity - mean + short
    return overage * left + underage * short
