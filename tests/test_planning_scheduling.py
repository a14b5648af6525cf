"""Shift scheduling: the classic 23-people answer, exactness against brute force, shifts built from rules."""

import itertools
from datetime import datetime, timedelta

import numpy as np
import pytest

from argentier.errors import InfeasibleError, InputError
from argentier.planning import (
    ShiftPattern,
    ShiftRules,
    ShiftTemplate,
    build_patterns,
    consecutive_days_patterns,
    load_shift_rules,
    read_requirements,
    schedule_shifts,
)


def test_classic_five_consecutive_days_needs_23_people():
    needs = [17, 13, 15, 19, 14, 16, 11]
    result = schedule_shifts(needs, consecutive_days_patterns(7, 5))
    assert result.headcount == 23 and result.optimal and result.cost == 23
    assert all(c >= r for c, r in zip(result.covered, needs))
    # 22 people cannot do it: the solver proves it.
    with pytest.raises(InfeasibleError):
        schedule_shifts(needs, consecutive_days_patterns(7, 5), max_headcount=22)


def _brute_force(required, patterns):
    best = None
    for counts in itertools.product(range(max(required) + 1), repeat=len(patterns)):
        covered = [sum(c for c, p in zip(counts, patterns) if t in p.periods) for t in range(len(required))]
        if all(c >= r for c, r in zip(covered, required)):
            cost = sum(c * p.cost for c, p in zip(counts, patterns))
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("solver", ["scip", "cp-sat"])
@pytest.mark.parametrize("seed", range(5))
def test_minimum_cost_equals_brute_force(seed, solver):
    rng = np.random.default_rng(seed)
    periods = 6
    required = [int(v) for v in rng.integers(0, 4, periods)]
    patterns = [
        ShiftPattern(
            f"p{k}",
            tuple(sorted({int(t) for t in rng.choice(periods, rng.integers(1, 4), replace=False)})),
            float(rng.integers(1, 9)),
        )
        for k in range(4)
    ]
    patterns.append(ShiftPattern("all", tuple(range(periods)), 20.0))  # always feasible
    result = schedule_shifts(required, patterns, solver=solver)
    assert result.optimal
    assert result.cost == pytest.approx(_brute_force(required, patterns))


@pytest.mark.parametrize("solver", ["scip", "cp-sat"])
def test_soft_cover_reports_the_shortfall(solver):
    needs, patterns, cap, penalty = [3, 2, 3, 4, 2, 3, 1], consecutive_days_patterns(7, 5), 4, 3.0
    result = schedule_shifts(needs, patterns, max_headcount=cap, shortfall_cost=penalty, solver=solver)
    best = min(
        sum(counts)
        + penalty
        * sum(
            max(0, need - sum(c for c, p in zip(counts, patterns) if day in p.periods))
            for day, need in enumerate(needs)
        )
        for counts in itertools.product(range(cap + 1), repeat=len(patterns))
        if sum(counts) <= cap
    )
    assert result.headcount <= cap and sum(result.shortfall) > 0
    assert result.cost == pytest.approx(best)
    assert result.to_dict()["periods"][0]["shortfall"] == result.shortfall[0]


def test_uncoverable_period_is_named():
    with pytest.raises(InfeasibleError, match="period Sun needs 3"):
        schedule_shifts([1, 3], [ShiftPattern("weekday", (0,))], labels=["Sat", "Sun"])
    with pytest.raises(InputError, match="outside"):
        schedule_shifts([1], [ShiftPattern("late", (3,))])
    with pytest.raises(InputError, match="solver must be one of"):
        schedule_shifts([1], [ShiftPattern("a", (0,))], solver="gurobi")


def test_shift_patterns_from_rules_cover_hours_with_a_break():
    stamps = [datetime(2026, 11, 30, 8) + timedelta(minutes=30 * k) for k in range(20)]  # Monday 08:00-18:00
    rules = ShiftRules((ShiftTemplate("day", (480,), 8 * 60 + 30, 30, 20.0),))
    (pattern,) = build_patterns(stamps, 30, rules)
    assert len(pattern.periods) == 16  # 17 half-hours from 08:00, less the break
    assert 8 not in pattern.periods  # the break sits at mid-shift, 12:00
    assert pattern.cost == pytest.approx(8 * 20.0)
    required = [2] * 20
    result = schedule_shifts(
        required,
        build_patterns(
            stamps,
            30,
            ShiftRules(
                (
                    ShiftTemplate("day", (480, 600), 8 * 60 + 30, 30, 20.0),
                    ShiftTemplate("short", tuple(range(480, 1080, 30)), 180, 0, 30.0),
                )
            ),
        ),
    )
    assert all(c >= 2 for c in result.covered)


def test_week_of_intraday_requirements_with_five_days_on(tmp_path):
    rows = ["ds,required"]
    for day in range(7):
        for slot in range(4):
            when = datetime(2026, 11, 30, 9) + timedelta(days=day, hours=2 * slot)
            rows.append(f"{when:%Y-%m-%d %H:%M},{3 if day < 5 else 1}")
    (tmp_path / "needs.csv").write_text("\n".join(rows) + "\n")
    stamps, needs, minutes = read_requirements(tmp_path / "needs.csv")
    assert minutes == 120 and len(needs) == 28
    (tmp_path / "rules.yaml").write_text(
        "work_days: 5\nshifts:\n  - {name: day, starts: ['09:00'], hours: 8, cost_per_hour: 10}\n"
    )
    rules = load_shift_rules(tmp_path / "rules.yaml")
    patterns = build_patterns(stamps, minutes, rules)
    assert len(patterns) == 7 and patterns[0].name == "Mon-Fri day 09:00"
    result = schedule_shifts(needs, patterns)
    # Weekdays need 3, weekends 1: 15 + 2 = 17 person-days, at most 5 per person -> at least 4 people.
    assert result.headcount == 4 and result.cost == pytest.approx(4 * 5 * 8 * 10)


@pytest.mark.parametrize(
    "text,message",
    [
        ("shifts:\n  - {name: a, starts: ['25:00'], hours: 8}\n", "outside the day"),
        ("shifts:\n  - {name: a, hours: 8}\n", "give starts"),
        ("shifts:\n  - {name: a, starts: ['08:00'], hours: 30}\n", "hours must be"),
        ("work_days: -1\nshifts: []\n", "work_days"),
        ("shifts: [\n", "invalid YAML at line"),
    ],
)
def test_bad_shift_rules(tmp_path, text, message):
    (tmp_path / "rules.yaml").write_text(text)
    with pytest.raises(InputError, match=message):
        load_shift_rules(tmp_path / "rules.yaml")


def test_patterns_over_two_weeks_have_unique_names():
    stamps = [datetime(2026, 11, 30, 9) + timedelta(days=d) for d in range(14)]
    patterns = build_patterns(stamps, 24 * 60, ShiftRules((), work_days=5))
    assert len({p.name for p in patterns}) == 14 and patterns[0].name == "Mon 30.11-Fri 04.12"
    result = schedule_shifts([1] * 14, patterns)
    assert result.headcount == 3  # 14 person-days, 5 per person
