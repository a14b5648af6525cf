"""Erlang B/C/A: textbook answers, limits, monotonicity, stability, and Erlang A against a Ciw simulation."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argentier.errors import InputError
from argentier.planning import StaffingTargets, erlang_a, erlang_b, erlang_c, required_agents
from argentier.planning._queue_sim import simulate_queue

TEXTBOOK = {"interval_seconds": 1800, "aht_seconds": 180, "answer_seconds": 20}


def test_textbook_case_14_on_the_floor_20_scheduled():
    result = required_agents(
        100, interval_minutes=30, aht_seconds=180, targets=StaffingTargets(0.8, 20, shrinkage=0.3)
    )
    assert (result.agents, result.scheduled_agents) == (14, 20)
    assert erlang_c(13, 100, **TEXTBOOK).service_level < 0.8 <= result.metrics.service_level
    assert result.metrics.traffic_erlangs == pytest.approx(10.0)
    assert result.metrics.occupancy == pytest.approx(10 / 14)
    # Published figures for 10 Erlangs on 14 agents: P(wait) 17.4 %, ASA 7.8 s, 88.8 % within 20 s.
    assert result.metrics.probability_of_waiting == pytest.approx(0.1741, abs=1e-4)
    assert result.metrics.average_speed_of_answer == pytest.approx(7.84, abs=0.01)
    assert result.metrics.service_level == pytest.approx(0.8884, abs=1e-4)


def test_erlang_b_matches_the_factorial_formula():
    traffic, agents = 7.3, 9
    terms = [traffic**k / math.factorial(k) for k in range(agents + 1)]
    assert erlang_b(agents, traffic) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_erlang_c_is_stable_for_thousands_of_agents():
    metrics = erlang_c(5200, 100_000, interval_seconds=1800, aht_seconds=90, answer_seconds=20)
    assert 0.0 <= metrics.probability_of_waiting <= 1.0 and 0.99 < metrics.service_level <= 1.0
    overloaded = erlang_c(10, 100, **TEXTBOOK)  # agents == traffic: the queue never empties
    assert overloaded.service_level == 0.0 and math.isinf(overloaded.average_speed_of_answer)


def test_erlang_a_tends_to_erlang_c_and_handles_overload():
    patient = erlang_a(14, 100, patience_seconds=1e9, **TEXTBOOK)
    exact = erlang_c(14, 100, **TEXTBOOK)
    assert patient.service_level == pytest.approx(exact.service_level, abs=1e-6)
    assert patient.average_speed_of_answer == pytest.approx(exact.average_speed_of_answer, rel=1e-5)
    overloaded = erlang_a(5, 100, patience_seconds=60, **TEXTBOOK)  # twice the load the agents can carry
    assert 0.45 < overloaded.abandonment < 0.6 and overloaded.occupancy < 1.0
    huge = erlang_a(
        3000, 60_000, patience_seconds=90, interval_seconds=1800, aht_seconds=100, answer_seconds=20
    )
    # 3,333 Erlangs on 3,000 agents: for large systems the fluid limit says a tenth of callers abandon.
    assert huge.abandonment == pytest.approx(0.1, abs=0.002) and math.isfinite(huge.average_speed_of_answer)


def test_erlang_a_little_law_identity():
    # With exponential patience, P(abandon) = theta * E[queue length] / lambda (Little's law on the queue).
    import numpy as np

    from argentier.planning._erlang import _stationary

    arrival, service, patience, agents = 100 / 1800, 1 / 180, 1 / 120, 9
    probabilities = _stationary(agents, arrival, service, patience)
    queue = float(np.arange(probabilities.size - agents) @ probabilities[agents:])
    metrics = erlang_a(agents, 100, patience_seconds=120, **TEXTBOOK)
    assert metrics.abandonment == pytest.approx(patience * queue / arrival, rel=1e-9)


@pytest.mark.parametrize("patience", [None, 90.0])
def test_more_agents_never_serve_worse(patience):
    levels = []
    for agents in range(11, 25):
        if patience is None:
            levels.append(erlang_c(agents, 100, **TEXTBOOK).service_level)
        else:
            levels.append(erlang_a(agents, 100, patience_seconds=patience, **TEXTBOOK).service_level)
    assert all(b >= a for a, b in itertools.pairwise(levels))


def test_each_target_can_bind():
    base = {"interval_minutes": 30, "aht_seconds": 180}
    asa = required_agents(100, targets=StaffingTargets(0.8, 20, asa_seconds=2.0), **base)
    assert asa.binding == "asa" and asa.metrics.average_speed_of_answer <= 2.0 and asa.agents > 14
    assert erlang_c(asa.agents - 1, 100, **TEXTBOOK).average_speed_of_answer > 2.0
    occupancy = required_agents(100, targets=StaffingTargets(0.5, 20, max_occupancy=0.6), **base)
    assert occupancy.binding == "occupancy" and occupancy.agents == 17  # ceil(10 / 0.6)
    abandon = required_agents(
        100, targets=StaffingTargets(0.5, 20, patience_seconds=120, max_abandonment=0.01), **base
    )
    assert abandon.binding == "abandonment" and abandon.metrics.abandonment <= 0.01
    idle = required_agents(0, targets=StaffingTargets(), **base)
    assert (
        idle.agents == 0 and idle.metrics.service_level == 1.0 and idle.metrics.probability_of_waiting == 0.0
    )


def test_bad_targets_are_input_errors():
    with pytest.raises(InputError, match="shrinkage"):
        StaffingTargets(shrinkage=1.0)
    with pytest.raises(InputError, match="patience"):
        StaffingTargets(max_abandonment=0.05)
    with pytest.raises(InputError, match="volume"):
        required_agents(float("nan"), aht_seconds=180)


@pytest.mark.parametrize("agents,patience", [(12, 120.0), (9, 60.0)])
def test_erlang_a_agrees_with_a_ciw_simulation(agents, patience):
    formula = erlang_a(agents, 100, patience_seconds=patience, **TEXTBOOK)
    simulated = simulate_queue(
        agents, 100, patience_seconds=patience, intervals=20, replications=8, seed=1, **TEXTBOOK
    )
    assert simulated.customers > 10_000
    # Within a point of service level and abandonment (about three standard errors of this run).
    assert abs(simulated.service_level - formula.service_level) < 0.01 + 3 * simulated.service_level_se
    assert abs(simulated.abandonment - formula.abandonment) < 0.01


@pytest.mark.slow
@pytest.mark.parametrize(
    "agents,volume,aht,patience",
    [(12, 100, 180, 120), (11, 100, 180, 600), (30, 300, 240, 300), (55, 600, 200, 45)],
)
def test_erlang_a_within_one_point_of_a_long_simulation(agents, volume, aht, patience):
    timing = {"interval_seconds": 1800, "aht_seconds": aht, "answer_seconds": 20}
    formula = erlang_a(agents, volume, patience_seconds=patience, **timing)
    simulated = simulate_queue(
        agents, volume, patience_seconds=patience, intervals=100, replications=20, seed=3, **timing
    )
    assert abs(simulated.service_level - formula.service_level) < 0.01
    assert abs(simulated.abandonment - formula.abandonment) < 0.01


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(1, 400),
    volume=st.floats(0.1, 3000),
    aht=st.floats(10, 900),
    patience=st.floats(5, 3600),
)
def test_erlang_a_figures_are_probabilities_and_consistent(agents, volume, aht, patience):
    metrics = erlang_a(
        agents, volume, interval_seconds=1800, aht_seconds=aht, answer_seconds=20, patience_seconds=patience
    )
    for value in (
        metrics.service_level,
        metrics.probability_of_waiting,
        metrics.abandonment,
        metrics.occupancy,
    ):
        assert -1e-9 <= value <= 1 + 1e-9
    # Answered within 20 s never exceeds answered at all; abandoning callers all waited first.
    assert metrics.service_level <= 1 - metrics.abandonment + 1e-9
    assert metrics.abandonment <= metrics.probability_of_waiting + 1e-9
    assert metrics.average_speed_of_answer >= 0
