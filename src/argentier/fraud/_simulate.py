"""A payment-card transaction simulator after the design published in the ULB *Fraud Detection Handbook*.

Le Borgne et al., "Reproducible Machine Learning for Credit Card Fraud Detection - Practical Handbook" (2022),
chapter 3.2: customers and terminals sit on a 100 x 100 grid; a customer pays at terminals within a radius of 5;
each day a customer makes a Poisson number of transactions (mean drawn uniformly in [0, 4]) at a normally
distributed time of day, with normally distributed amounts (mean uniform in [5, 100], sd half the mean). Three
fraud scenarios: (1) every amount over 220 is fraud; (2) each day two terminals are compromised for the next 28
days and all their transactions are fraud; (3) each day three customers are compromised for the next 14 days and
a third of their transactions get five times the amount and are fraud. The draws use NumPy's ``Generator``
instead of the handbook's global seeds, so the design is the same but the rows are not bit-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

_DAY = 86_400


@dataclass(frozen=True)
class SimulationConfig:
    """Sizes and parameters of a simulation; the defaults are the handbook's."""

    customers: int = 5000
    terminals: int = 10_000
    days: int = 183
    start: date = date(2018, 4, 1)
    seed: int = 0
    radius: float = 5.0
    large_amount: float = 220.0
    compromised_terminals_per_day: int = 2
    terminal_compromise_days: int = 28
    compromised_customers_per_day: int = 3
    customer_compromise_days: int = 14

    def validate(self) -> None:
        for name in ("customers", "terminals", "days"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.compromised_terminals_per_day > self.terminals:
            raise InputError("more compromised terminals per day than terminals")
        if self.compromised_customers_per_day > self.customers:
            raise InputError("more compromised customers per day than customers")


def _nearby_terminals(customer_xy: np.ndarray, terminal_xy: np.ndarray, radius: float) -> list[np.ndarray]:
    from scipy.spatial import cKDTree

    tree = cKDTree(terminal_xy)
    return [np.asarray(sorted(found), dtype=np.int64) for found in tree.query_ball_point(customer_xy, radius)]


def simulate_transactions(
    customers: int = 5000,
    terminals: int = 10_000,
    days: int = 183,
    *,
    start: date | str = date(2018, 4, 1),
    seed: int = 0,
    config: SimulationConfig | None = None,
) -> pd.DataFrame:
    """Simulated card transactions with labels, in time order (columns of the fraud data contract).

    Columns: ``transaction_id, timestamp, customer_id, terminal_id, amount, is_fraud, fraud_scenario``
    (0 = genuine, 1 = large amount, 2 = compromised terminal, 3 = compromised customer).

    >>> tx = simulate_transactions(customers=50, terminals=100, days=10, seed=1)
    >>> list(tx.columns)[:5]
    ['transaction_id', 'timestamp', 'customer_id', 'terminal_id', 'amount']
    >>> tx.timestamp.is_monotonic_increasing, tx.equals(simulate_transactions(50, 100, 10, seed=1))
    (True, True)
    """
    import pandas as pd

    if config is None:
        if isinstance(start, str):
            try:
                start = date.fromisoformat(start)
            except ValueError as exc:
                raise InputError(f"start must be a date like 2018-04-01, got {start!r}") from exc
        config = SimulationConfig(customers=customers, terminals=terminals, days=days, start=start, seed=seed)
    config.validate()
    rng = np.random.default_rng(config.seed)
    n_c, n_t = config.customers, config.terminals
    customer_xy = rng.uniform(0, 100, size=(n_c, 2))
    mean_amount = rng.uniform(5, 100, size=n_c)
    std_amount = mean_amount / 2
    mean_per_day = rng.uniform(0, 4, size=n_c)
    terminal_xy = rng.uniform(0, 100, size=(n_t, 2))
    nearby = _nearby_terminals(customer_xy, terminal_xy, config.radius)
    n_nearby = np.array([len(found) for found in nearby])
    offsets = np.concatenate([[0], np.cumsum(n_nearby)])
    flat_nearby = np.concatenate(nearby) if n_nearby.sum() else np.zeros(0, dtype=np.int64)

    counts = rng.poisson(mean_per_day[:, None], size=(n_c, config.days))
    counts[n_nearby == 0] = 0  # a customer with no terminal in reach cannot pay anywhere
    customer = np.repeat(np.repeat(np.arange(n_c), config.days), counts.ravel())
    day = np.repeat(np.tile(np.arange(config.days), n_c), counts.ravel())
    seconds = rng.normal(_DAY / 2, 20_000, size=customer.size).astype(np.int64)
    amount = rng.normal(mean_amount[customer], std_amount[customer])
    negative = amount < 0
    amount[negative] = rng.uniform(0, 2 * mean_amount[customer[negative]])
    pick = (rng.random(customer.size) * n_nearby[customer]).astype(np.int64)
    terminal = flat_nearby[np.minimum(offsets[customer] + pick, max(flat_nearby.size - 1, 0))]
    # The handbook drops the draws that fall outside the day rather than clipping them.
    keep = (seconds > 0) & (seconds < _DAY)
    customer, day, seconds, amount, terminal = (a[keep] for a in (customer, day, seconds, amount, terminal))
    amount = np.round(amount, 2)
    order = np.lexsort((customer, day * _DAY + seconds))
    customer, day, seconds, amount, terminal = (a[order] for a in (customer, day, seconds, amount, terminal))

    scenario = np.where(amount > config.large_amount, 1, 0)
    compromised = np.zeros((n_t, config.days), dtype=bool)
    for first in range(config.days):
        for t in rng.choice(n_t, size=config.compromised_terminals_per_day, replace=False):
            compromised[t, first : first + config.terminal_compromise_days] = True
    scenario[compromised[terminal, day]] = 2
    by_customer = np.argsort(customer, kind="stable")
    bounds = np.searchsorted(customer[by_customer], np.arange(n_c + 1))
    for first in range(config.days):
        for c in rng.choice(n_c, size=config.compromised_customers_per_day, replace=False):
            rows = by_customer[bounds[c] : bounds[c + 1]]
            rows = rows[(day[rows] >= first) & (day[rows] < first + config.customer_compromise_days)]
            chosen = rng.choice(rows, size=len(rows) // 3, replace=False)
            amount[chosen] = np.round(amount[chosen] * 5, 2)
            scenario[chosen] = 3

    origin = pd.Timestamp(datetime.combine(config.start, datetime.min.time()))
    return pd.DataFrame(
        {
            "transaction_id": np.arange(customer.size, dtype=np.int64),
            "timestamp": origin + pd.to_timedelta(day * _DAY + seconds, unit="s"),
            "customer_id": customer.astype(np.int64),
            "terminal_id": terminal.astype(np.int64),
            "amount": amount,
            "is_fraud": (scenario > 0).astype(np.int8),
            "fraud_scenario": scenario.astype(np.int8),
        }
    )
