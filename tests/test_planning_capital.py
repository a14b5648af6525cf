"""Capital allocation: exact against brute force, Monte Carlo NPV, frontier, input contract."""

import itertools
import time
from importlib import resources

import numpy as np
import pytest

from argentier.errors import InfeasibleError, InputError
from argentier.planning import (
    CapitalRules,
    PortfolioRule,
    Project,
    allocate_capital,
    efficient_frontier,
    load_capital_rules,
    load_projects,
    simulate_npv,
)

DATA = resources.files("argentier.planning") / "data"


def _random_instance(seed, count=12):
    rng = np.random.default_rng(seed)
    projects = []
    for i in range(count):
        requires = (f"p{i - 1}",) if i % 4 == 1 else ()
        excludes = (f"p{i - 2}",) if i % 5 == 3 else ()
        projects.append(
            Project(
                f"p{i}",
                {2027: round(float(rng.uniform(5, 40)), 2), 2028: round(float(rng.uniform(0, 30)), 2)},
                round(float(rng.uniform(2, 15)), 2),
                int(rng.integers(3, 10)),
                2029,
                category="auto" if i % 3 == 0 else "other",
                requires=requires,
                excludes=excludes,
                mandatory=i == 5,
            )
        )
    rules = CapitalRules(
        {2027: 110.0, 2028: 70.0},
        0.07,
        (
            PortfolioRule("auto", min_count=2),
            PortfolioRule("other", max_count=5),
            PortfolioRule("", min_spend=60.0),
        ),
    )
    return projects, rules


def _brute_force(projects, rules):
    values = [round(p.npv(rules.discount_rate, rules.base_year) * 100) for p in projects]
    index = {p.id: i for i, p in enumerate(projects)}
    best = None
    for picks in itertools.product((0, 1), repeat=len(projects)):
        if any(
            sum(p.capex.get(y, 0) * x for p, x in zip(projects, picks)) > b + 1e-9
            for y, b in rules.budgets.items()
        ):
            continue
        if any(x and not picks[index[o]] for p, x in zip(projects, picks) for o in p.requires):
            continue
        if any(x and picks[index[o]] for p, x in zip(projects, picks) for o in p.excludes):
            continue
        if any(p.mandatory and not x for p, x in zip(projects, picks)):
            continue
        ok = True
        for rule in rules.rules:
            members = [i for i, p in enumerate(projects) if not rule.category or p.category == rule.category]
            chosen = sum(picks[i] for i in members)
            spend = sum(sum(projects[i].capex.values()) * picks[i] for i in members)
            ok &= rule.min_count is None or chosen >= rule.min_count
            ok &= rule.max_count is None or chosen <= rule.max_count
            ok &= rule.min_spend is None or spend >= rule.min_spend - 1e-9
        if ok:
            value = sum(v * x for v, x in zip(values, picks))
            best = value if best is None else max(best, value)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_optimum_equals_brute_force(seed):
    projects, rules = _random_instance(seed)
    plan = allocate_capital(projects, rules)
    assert plan.status == "optimal"
    cents = sum(
        round(p.npv(rules.discount_rate, rules.base_year) * 100) for p in projects if p.id in plan.selected
    )
    assert cents == _brute_force(projects, rules)
    chosen = set(plan.selected)
    for p in projects:
        if p.id in chosen:
            assert set(p.requires) <= chosen and not set(p.excludes) & chosen
    assert "p5" in chosen
    assert all(plan.spend[y] <= rules.budgets[y] + 1e-9 for y in rules.budgets)


def test_infeasible_rules_raise():
    projects, _ = _random_instance(0)
    with pytest.raises(InfeasibleError):
        allocate_capital(
            projects, CapitalRules({2027: 1.0, 2028: 1.0}, 0.07, (PortfolioRule("auto", min_count=2),))
        )


def test_monte_carlo_without_uncertainty_is_the_deterministic_npv_and_with_it_the_expected_value():
    steady = Project("a", {2027: 100.0}, 30.0, 5, 2028)
    sim = simulate_npv([steady], discount_rate=0.1, base_year=2027, samples=50)
    assert np.allclose(sim.samples, steady.npv(0.1, 2027))
    risky = Project("b", {2027: 100.0}, 30.0, 5, 2028, capex_sd=0.2, benefit_sd=0.1, delay_prob=0.5)
    sim = simulate_npv([risky], discount_rate=0.1, base_year=2027, samples=200_000, seed=4)
    # E[capex] is unchanged (overruns have mean 1); a delay with probability 1/2 discounts benefits by 1/1.1.
    benefits = steady.npv(0.1, 2027) + 100.0
    expected = benefits * (0.5 + 0.5 / 1.1) - 100.0
    assert sim.means[0] == pytest.approx(expected, abs=0.15)
    distribution = sim.project(0)
    assert distribution.p10 < distribution.p50 < distribution.p90
    assert sim.portfolio([True]).mean == pytest.approx(distribution.mean)


def test_same_seed_same_draws_and_portfolio_of_independent_projects():
    projects, _rules = _random_instance(1)
    risky = [
        Project(p.id, p.capex, p.annual_benefit, p.life_years, p.benefit_start, benefit_sd=0.3, capex_sd=0.2)
        for p in projects
    ]
    one = simulate_npv(risky, discount_rate=0.07, base_year=2027, samples=3000, seed=9)
    two = simulate_npv(risky, discount_rate=0.07, base_year=2027, samples=3000, seed=9)
    assert np.array_equal(one.samples, two.samples)
    independent = simulate_npv(
        risky, discount_rate=0.07, base_year=2027, samples=20000, seed=9, demand_correlation=0
    )
    picks = np.ones(len(risky), dtype=bool)
    assert independent.portfolio(picks).sd == pytest.approx(np.sqrt((independent.sds**2).sum()), rel=0.05)


def test_frontier_runs_from_low_risk_to_best_value():
    projects = load_projects(DATA / "capital_projects.csv")
    rules = load_capital_rules(DATA / "capital_rules.yaml")
    sim = simulate_npv(
        projects, discount_rate=rules.discount_rate, base_year=rules.base_year, samples=3000, seed=2
    )
    points = efficient_frontier(projects, rules, sim, points=5, time_limit_seconds=10)
    best = allocate_capital(projects, rules, simulation=sim)
    assert len(points) >= 3
    assert points[0].distribution.sd < points[-1].distribution.sd
    assert max(p.distribution.mean for p in points) == pytest.approx(best.distribution.mean)
    efficient = [p for p in points if p.efficient]
    assert all(b.distribution.mean > a.distribution.mean for a, b in itertools.pairwise(efficient))
    cautious = allocate_capital(projects, rules, simulation=sim, objective="risk_adjusted", risk_aversion=3.0)
    assert cautious.distribution.sd <= best.distribution.sd
    assert best.to_dict()["distribution"]["chance_of_loss"] < 0.5


def test_thousand_projects_in_seconds():
    rng = np.random.default_rng(0)
    projects = [
        Project(
            f"p{i}",
            {2027: float(rng.uniform(1, 50)), 2028: float(rng.uniform(0, 30))},
            float(rng.uniform(2, 20)),
            int(rng.integers(5, 12)),
            2029,
            category=("a", "b", "c")[i % 3],
            capex_sd=0.2,
            benefit_sd=0.3,
            requires=(f"p{i - 1}",) if i % 10 == 1 else (),
        )
        for i in range(1000)
    ]
    rules = CapitalRules({2027: 5000.0, 2028: 3000.0}, 0.08, (PortfolioRule("a", min_count=20),))
    started = time.perf_counter()
    sim = simulate_npv(projects, discount_rate=0.08, base_year=2027, samples=1000)
    plan = allocate_capital(projects, rules, simulation=sim, time_limit_seconds=60)
    assert time.perf_counter() - started < 20
    chosen_cents = sum(round(v * 100) for p, v in zip(projects, sim.means) if p.id in set(plan.selected))
    assert plan.status == "optimal" and chosen_cents >= round(plan.best_bound * 100) - 1  # proven to the cent
    assert plan.spend[2027] <= 5000.0


@pytest.mark.parametrize(
    "text,message",
    [
        ("id,annual_benefit,life_years\na,1,2\n", "no capex_<year>"),
        ("id,capex_2027,annual_benefit,life_years\na,1,x,2\n", "row 2, column 'annual_benefit'"),
        ("id,capex_2027,annual_benefit,life_years\na,1,1,2\na,2,1,2\n", "row 3, column 'id': duplicate"),
        (
            "id,capex_2027,annual_benefit,life_years,requires\na,1,1,2,zz\n",
            "row 2, column 'requires': unknown id",
        ),
        ("id,capex_2027,annual_benefit,life_years,delay_prob\na,1,1,2,1.5\n", "delay_prob"),
        ("id,capex_2027,annual_benefit,life_years\na,-3,1,2\n", "row 2, column 'capex_2027'"),
    ],
)
def test_bad_projects_tables(tmp_path, text, message):
    path = tmp_path / "projects.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_projects(path)


def test_rules_file_and_budget_overrides(tmp_path):
    rules = load_capital_rules(DATA / "capital_rules.yaml", budgets={2027: 1.0})
    assert rules.budgets[2027] == 1.0 and rules.budgets[2028] == 230 and rules.base_year == 2027
    with pytest.raises(InputError, match="no budget"):
        load_capital_rules(None)
    (tmp_path / "rules.yaml").write_text("budgets: {2027: -5}\n")
    with pytest.raises(InputError, match="budgets must be >= 0"):
        load_capital_rules(tmp_path / "rules.yaml")
