"""The simulator follows the handbook's design: seeded, the three fraud scenarios, about 0.8 % fraud."""

import numpy as np
import pytest

from argentier.errors import InputError
from argentier.fraud import simulate_transactions
from argentier.fraud._simulate import SimulationConfig, _nearby_terminals


def test_same_seed_same_data_other_seed_other_data():
    first = simulate_transactions(200, 400, 20, seed=3)
    assert first.equals(simulate_transactions(200, 400, 20, seed=3))
    assert not first.equals(simulate_transactions(200, 400, 20, seed=4))


def test_the_handbook_sizes_give_about_08_percent_fraud_in_the_three_scenarios():
    tx = simulate_transactions(5000, 10_000, 183, seed=0)
    # The handbook's own run: 1,754,155 transactions, 0.84 % fraud.
    assert 1_600_000 < len(tx) < 1_950_000
    assert 0.006 < tx.is_fraud.mean() < 0.011
    scenarios = tx.fraud_scenario.value_counts()
    assert (
        scenarios[2] > scenarios[3] > scenarios[1] > 0
    )  # terminals > customers > large amounts, as published
    assert (tx.is_fraud == (tx.fraud_scenario > 0)).all()
    genuine = tx[tx.is_fraud == 0]
    assert genuine.amount.max() <= 220 and genuine.amount.min() >= 0
    assert tx.timestamp.is_monotonic_increasing and tx.transaction_id.is_unique
    assert (tx.timestamp.dt.normalize().nunique()) == 183


def test_compromised_terminals_are_all_fraud_for_28_days():
    tx = simulate_transactions(300, 100, 60, seed=1)
    day = (tx.timestamp - tx.timestamp.min().normalize()).dt.days
    terminal_fraud = tx[tx.fraud_scenario == 2]
    for terminal in terminal_fraud.terminal_id.unique()[:5]:
        start = day[terminal_fraud.index[terminal_fraud.terminal_id == terminal]].min()
        window = (tx.terminal_id == terminal) & (day >= start) & (day < start + 28)
        # Every transaction of the window is fraud (by this or another scenario).
        assert tx.is_fraud[window].all()


def test_customers_pay_only_at_terminals_within_the_radius():
    rng = np.random.default_rng(0)
    customers, terminals = rng.uniform(0, 100, (50, 2)), rng.uniform(0, 100, (300, 2))
    for customer, found in zip(customers, _nearby_terminals(customers, terminals, 5.0)):
        distances = np.hypot(*(terminals - customer).T)
        assert set(found) == set(np.flatnonzero(distances < 5.0))


def test_bad_sizes_are_refused():
    with pytest.raises(InputError):
        simulate_transactions(0, 10, 10)
    with pytest.raises(InputError, match="compromised terminals"):
        simulate_transactions(10, 1, 10)
    with pytest.raises(InputError, match="start must be a date"):
        simulate_transactions(10, 10, 10, start="April")
    assert SimulationConfig().radius == 5.0
