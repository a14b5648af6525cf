"""``argentier plan supply`` and ``capital``: simulation of a supply network under disruptions, and the choice of
capital projects under budgets with Monte Carlo NPV. Registered on ``plan_group`` by ``argentier.cli``."""

from __future__ import annotations

import click

from argentier.cli._common import console, json_option, print_json, progress_bar
from argentier.cli._plan import FILE, chart_option, pct, print_table, saved, write_chart


@click.command("supply")
@click.argument("network", type=FILE)
@click.option(
    "--replications", type=click.IntRange(min=1), help="Runs per plan [default: the file's, else 100]."
)
@click.option("--seed", type=int, help="Seed of the first run [default: the file's, else 0].")
@click.option(
    "--plan", "plans", multiple=True, help="Only these plans (repeatable; the first is the reference)."
)
@chart_option
@json_option
def supply(network, replications, seed, plans, chart, as_json):
    """Simulate a supply network (SimPy) under disruptions and compare contingency plans."""
    from argentier.planning import load_network, run_supply_file

    total = replications or int(load_network(network)[2].get("replications", 100))
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("simulating", total=total)
        result = run_supply_file(
            network,
            replications=replications,
            seed=seed,
            plans=list(plans) or None,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    write_chart("supply", result, chart)
    if as_json:
        print_json(result.to_dict())
        return

    def interval(estimate, percent=False):
        if estimate is None:
            return ""
        show = (lambda v: f"{100 * v:.2f}") if percent else (lambda v: f"{v:,.0f}")
        return f"{show(estimate.mean)} [{show(estimate.low)}, {show(estimate.high)}]"

    print_table(
        f"{result.replications} replications per plan, 95 % intervals ({result.runs_per_second:.1f} runs/s)",
        ["plan", "fill rate %", "lost units", "total cost", "fill rate change (pts)", "cost change"],
        [
            [
                o.plan,
                interval(o.fill_rate, True),
                interval(o.lost_units),
                interval(o.total_cost),
                interval(o.fill_rate_change, True),
                interval(o.cost_change),
            ]
            for o in result.outcomes
        ],
    )
    saved(chart)


@click.command("capital")
@click.argument("projects", type=FILE)
@click.option(
    "--rules", "rules_path", type=FILE, help="YAML with budgets, discount rate and portfolio rules."
)
@click.option(
    "--budget", "budgets", multiple=True, metavar="YEAR=AMOUNT", help="Budget of a year (repeatable)."
)
@click.option("--objective", type=click.Choice(["npv", "risk_adjusted"]), default="npv", show_default=True)
@click.option(
    "--risk-aversion",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="risk_adjusted value = mean NPV - this x its standard deviation.",
)
@click.option(
    "--samples", default=2000, show_default=True, type=click.IntRange(min=2), help="Monte Carlo draws."
)
@click.option(
    "--correlation",
    default=0.3,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Weight of the demand factor common to all projects.",
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--frontier", "frontier_points", type=click.IntRange(min=2), help="Also trace a frontier of N points."
)
@click.option(
    "--time-limit", default=60.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds."
)
@chart_option
@json_option
def capital(
    projects,
    rules_path,
    budgets,
    objective,
    risk_aversion,
    samples,
    correlation,
    seed,
    frontier_points,
    time_limit,
    chart,
    as_json,
):
    """Choose capital projects under budgets and rules; Monte Carlo NPV; efficient frontier."""
    from argentier.planning import (
        allocate_capital,
        efficient_frontier,
        load_capital_rules,
        load_projects,
        simulate_npv,
    )

    overrides = {}
    for item in budgets:
        year, _sep, amount = item.partition("=")
        try:
            overrides[int(year)] = float(amount)
        except ValueError:
            raise click.BadParameter(f"expected YEAR=AMOUNT, got {item!r}", param_hint="--budget") from None
    candidates = load_projects(projects)
    rules = load_capital_rules(rules_path, budgets=overrides)
    simulation = simulate_npv(
        candidates,
        discount_rate=rules.discount_rate,
        base_year=rules.base_year,
        samples=samples,
        demand_correlation=correlation,
        seed=seed,
    )
    plan = allocate_capital(
        candidates,
        rules,
        simulation=simulation,
        objective=objective,
        risk_aversion=risk_aversion,
        time_limit_seconds=time_limit,
    )
    points = None
    if frontier_points or chart:
        points = efficient_frontier(
            candidates, rules, simulation, points=frontier_points or 6, time_limit_seconds=time_limit
        )
    write_chart("frontier", points, chart)
    projects_out = [
        {
            "id": p.id,
            "name": p.name,
            "category": p.category,
            "selected": p.id in plan.selected,
            "npv": simulation.project(i).to_dict(),
        }
        for i, p in enumerate(candidates)
    ]
    if as_json:
        print_json(
            {
                "plan": plan.to_dict(),
                "projects": projects_out,
                "frontier": [point.to_dict() for point in points] if points is not None else None,
            }
        )
        return
    data = plan.to_dict()
    print_table(
        f"{len(plan.selected)} of {len(candidates)} projects ({plan.status}): expected NPV {data['expected_npv']}",
        ["project", "category", "chosen", "mean NPV", "P10", "P90", "chance of loss"],
        [
            [
                p["id"],
                p["category"],
                "yes" if p["selected"] else "",
                p["npv"]["mean"],
                p["npv"]["p10"],
                p["npv"]["p90"],
                pct(p["npv"]["chance_of_loss"]),
            ]
            for p in projects_out
        ],
    )
    d = data["distribution"]
    print_table(
        "portfolio",
        ["budget year", "budget", "spend"],
        [[y["year"], y["budget"], y["spend"]] for y in data["budget_years"]],
    )
    console.print(
        f"portfolio NPV: P10 {d['p10']}  P50 {d['p50']}  P90 {d['p90']}  chance of loss "
        f"{pct(d['chance_of_loss'])}",
        highlight=False,
    )
    if points is not None:
        print_table(
            "efficient frontier",
            ["projects", "mean NPV", "sd", "P10", "P90", "efficient"],
            [
                [
                    len(p.selected),
                    p.to_dict()["mean"],
                    p.to_dict()["sd"],
                    p.to_dict()["p10"],
                    p.to_dict()["p90"],
                    "yes" if p.efficient else "",
                ]
                for p in points
            ],
        )
    saved(chart)
