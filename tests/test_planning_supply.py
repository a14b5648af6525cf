"""Supply-chain simulation: single-node known answers, disruptions, contingency plans, configuration errors."""

from importlib import resources

import pytest

from argentier.errors import InputError
from argentier.planning import (
    base_stock_fill_rate,
    compare_plans,
    load_network,
    merge_patch,
    newsvendor_cost,
    newsvendor_quantity,
    parse_network,
    run_supply_file,
    simulate_replication,
)


def _single_node(level, lead_time, demand, *, horizon=3000, backorders=True, extra=None):
    data = {
        "horizon_days": horizon,
        "warmup_days": 50 if horizon > 100 else 0,
        "backorders": backorders,
        "nodes": {
            "supplier": {"type": "supplier"},
            "store": {
                "type": "warehouse",
                "policy": {"level": level},
                "sources": [{"from": "supplier", "lead_time": lead_time}],
            },
            "customers": {"type": "customer", "served_by": "store", "demand": demand},
        },
    }
    return parse_network(merge_patch(data, extra or {}))


@pytest.mark.parametrize(
    "level,lead_time,demand,sd",
    [
        (30, 1, {"distribution": "poisson", "mean": 10}, None),
        (40, 2, {"distribution": "poisson", "mean": 10}, None),
        (190, 3, {"distribution": "normal", "mean": 40, "sd": 10}, 10.0),
    ],
)
def test_base_stock_fill_rate_matches_the_formula(level, lead_time, demand, sd):
    network = _single_node(level, lead_time, demand)
    runs = [simulate_replication(network, seed=11, replication=r) for r in range(4)]
    simulated = sum(r.filled for r in runs) / sum(r.demand for r in runs)
    expected = base_stock_fill_rate(level, float(demand["mean"]), lead_time, sd)
    assert expected < 0.999  # a case where stockouts matter
    assert simulated == pytest.approx(expected, abs=0.004)


def test_newsvendor_critical_fractile_and_cost():
    underage, overage, mean = 3.0, 1.0, 100.0
    best = newsvendor_quantity(mean, underage, overage)
    grid = range(90, 125)
    assert best == min(grid, key=lambda q: newsvendor_cost(q, mean, underage, overage))
    # One period: start with Q units, unmet demand lost at the underage cost, leftovers charged the overage.
    plans = {
        q: _single_node(
            0,
            1,
            {"distribution": "poisson", "mean": mean},
            horizon=1,
            backorders=False,
            extra={
                "lost_sales_penalty": underage,
                "nodes": {"store": {"initial_stock": q, "holding_cost": overage}},
            },
        )
        for q in (97, 107, 117)
    }
    result = compare_plans({str(q): n for q, n in plans.items()}, replications=1500, seed=5)
    costs = {int(o.plan): o.total_cost for o in result.outcomes}
    for quantity, estimate in costs.items():
        analytic = newsvendor_cost(quantity, mean, underage, overage)
        assert estimate.low - 0.3 <= analytic <= estimate.high + 0.3
    assert costs[107].mean < costs[97].mean and costs[107].mean < costs[117].mean


def test_common_random_numbers_and_determinism():
    lean = _single_node(60, 3, {"mean": 15}, horizon=200, backorders=False)
    rich = _single_node(90, 3, {"mean": 15}, horizon=200, backorders=False)
    first = compare_plans({"lean": lean, "rich": rich}, replications=5, seed=3)
    again = compare_plans({"lean": lean, "rich": rich}, replications=5, seed=3)
    assert first.outcomes[0].fill_rates == again.outcomes[0].fill_rates
    lean_run = simulate_replication(lean, seed=3, replication=0)
    rich_run = simulate_replication(rich, seed=3, replication=0)
    assert lean_run.demand == rich_run.demand  # both plans face the same customers
    assert rich_run.fill_rate > lean_run.fill_rate
    other = compare_plans({"lean": lean}, replications=5, seed=4)
    assert other.outcomes[0].fill_rates != first.outcomes[0].fill_rates


def test_disruptions_hurt_and_a_backup_supplier_helps():
    base = {
        "horizon_days": 200,
        "lost_sales_penalty": 5,
        "nodes": {
            "asia": {"type": "supplier"},
            "europe": {"type": "supplier"},
            "dc": {
                "type": "warehouse",
                "policy": {"level": 120},
                "sources": [{"from": "asia", "lead_time": 4}],
            },
            "shops": {"type": "customer", "served_by": "dc", "demand": {"mean": 20}},
        },
    }
    down = {"disruptions": [{"type": "node_down", "node": "asia", "start": 50, "end": 90}]}
    backup = {
        "nodes": {
            "dc": {
                "sources": [
                    {"from": "asia", "lead_time": 4},
                    {"from": "europe", "lead_time": 2, "unit_cost": 1, "backup": True},
                ]
            }
        }
    }
    spike = {
        "disruptions": [{"type": "demand_spike", "node": "shops", "start": 50, "end": 60, "multiplier": 2}]
    }
    delay = {
        "disruptions": [
            {"type": "lane_delay", "from": "asia", "to": "dc", "start": 50, "end": 90, "extra_days": 5}
        ]
    }
    plans = {
        "normal": parse_network(base),
        "outage": parse_network(merge_patch(base, down)),
        "outage+backup": parse_network(merge_patch(merge_patch(base, down), backup)),
        "spike": parse_network(merge_patch(base, spike)),
        "port delay": parse_network(merge_patch(base, delay)),
    }
    result = {o.plan: o for o in compare_plans(plans, replications=8, seed=1).outcomes}
    assert result["outage"].fill_rate.mean < result["normal"].fill_rate.mean - 0.1
    assert result["outage+backup"].fill_rate.mean > result["outage"].fill_rate.mean + 0.1
    assert result["outage+backup"].cost_breakdown["purchase"] > 0  # the backup's units are paid for
    assert result["spike"].lost_units.mean > result["normal"].lost_units.mean
    assert result["port delay"].fill_rate.mean < result["normal"].fill_rate.mean
    assert result["outage"].fill_rate_change.high < 0  # paired interval against the first plan


def test_expediting_is_used_when_stock_runs_low():
    plain = _single_node(60, 6, {"mean": 10}, horizon=300, backorders=False)
    fast = _single_node(
        60,
        6,
        {"mean": 10},
        horizon=300,
        backorders=False,
        extra={
            "nodes": {
                "store": {
                    "sources": [
                        {
                            "from": "supplier",
                            "lead_time": 6,
                            "unit_cost": 1,
                            "expedite": {"lead_time": 1, "unit_cost": 3, "below": 30},
                        }
                    ]
                }
            }
        },
    )
    slow_run = simulate_replication(plain, seed=2, replication=0)
    fast_run = simulate_replication(fast, seed=2, replication=0)
    assert fast_run.fill_rate > slow_run.fill_rate
    assert fast_run.purchase_cost > fast_run.filled  # some units paid at the expedited price


def test_example_network_runs_every_plan():
    path = resources.files("argentier.planning") / "data" / "supply_network.yaml"
    base, plans, settings = load_network(path)
    assert list(plans) == ["baseline", "safety_stock", "second_supplier", "expediting"]
    assert settings["replications"] == 100 and base.disruptions
    result = run_supply_file(path, replications=3, plans=["baseline", "second_supplier"])
    assert [o.plan for o in result.outcomes] == ["baseline", "second_supplier"]
    assert all(0 < o.fill_rate.mean <= 1 for o in result.outcomes)
    assert result.to_dict()["plans"][1]["cost_change"] is not None
    with pytest.raises(InputError, match="no plan named 'nope'"):
        run_supply_file(path, replications=1, plans=["nope"])


@pytest.mark.parametrize(
    "patch,message",
    [
        ({"nodes": {"store": {"sources": [{"from": "mars", "lead_time": 1}]}}}, "source 'mars'"),
        ({"nodes": {"customers": {"served_by": None}}}, "needs served_by"),
        ({"nodes": {"store": {"policy": {"type": "minmax"}}}}, "expected base_stock or sS"),
        ({"nodes": {"store": {"policy": {"type": "sS", "s": 10, "S": 5}}}}, "S must be >= s"),
        ({"disruptions": [{"type": "node_down", "node": "nowhere", "start": 1, "end": 2}]}, "unknown node"),
        ({"disruptions": [{"type": "flood"}]}, "type must be one of"),
        ({"horizon_days": 10, "warmup_days": 10}, "warmup_days"),
        ({"nodes": {"store": {"holding_cost": -1}}}, "must be >= 0"),
    ],
)
def test_bad_networks_are_named(patch, message):
    with pytest.raises(InputError, match=message):
        _single_node(10, 1, {"mean": 1}, extra=patch)


def test_network_file_errors(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text("nodes: [1, 2\n")
    with pytest.raises(InputError, match="invalid YAML at line"):
        load_network(path)
    path.write_text("- a list\n")
    with pytest.raises(InputError, match="mapping at the top level"):
        load_network(path)
