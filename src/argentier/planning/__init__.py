"""Operational planning: staffing (Erlang C/A), shift scheduling, peak plans, supply-chain simulation, capital
allocation and a forward view tying forecasts to operations and money.

>>> from argentier.planning import StaffingTargets, required_agents
>>> required_agents(100, interval_minutes=30, aht_seconds=180,
...                 targets=StaffingTargets(0.8, 20, shrinkage=0.3)).scheduled_agents
20
"""

from argentier.planning._capital import CapitalPlan, FrontierPoint, allocate_capital, efficient_frontier
from argentier.planning._capital_data import (
    CapitalRules,
    PortfolioRule,
    Project,
    load_capital_rules,
    load_projects,
)
from argentier.planning._capital_mc import Distribution, NPVSimulation, simulate_npv
from argentier.planning._erlang import QueueMetrics, erlang_a, erlang_b, erlang_c
from argentier.planning._forward import ForwardMonth, ForwardView, forward_view, forward_view_file
from argentier.planning._inventory import (
    base_stock_fill_rate,
    expected_shortfall,
    newsvendor_cost,
    newsvendor_quantity,
)
from argentier.planning._peak import PeakPlan, PeakWeek, Workforce, peak_volumes, plan_peak, plan_peak_file
from argentier.planning._scheduling import (
    ShiftPattern,
    ShiftSchedule,
    consecutive_days_patterns,
    schedule_shifts,
)
from argentier.planning._shifts import (
    ShiftRules,
    ShiftTemplate,
    build_patterns,
    load_shift_rules,
    read_requirements,
)
from argentier.planning._staffing import (
    IntervalStaffing,
    StaffingPlan,
    StaffingTargets,
    read_volumes,
    required_agents,
    staff_intervals,
)
from argentier.planning._supply import Estimate, PlanOutcome, SupplyComparison, compare_plans, run_supply_file
from argentier.planning._supply_config import Network, load_network, merge_patch, parse_network
from argentier.planning._supply_sim import ReplicationResult, simulate_replication

__all__ = [
    "CapitalPlan",
    "CapitalRules",
    "Distribution",
    "Estimate",
    "ForwardMonth",
    "ForwardView",
    "FrontierPoint",
    "IntervalStaffing",
    "NPVSimulation",
    "Network",
    "PeakPlan",
    "PeakWeek",
    "PlanOutcome",
    "PortfolioRule",
    "Project",
    "QueueMetrics",
    "ReplicationResult",
    "ShiftPattern",
    "ShiftRules",
    "ShiftSchedule",
    "ShiftTemplate",
    "StaffingPlan",
    "StaffingTargets",
    "SupplyComparison",
    "Workforce",
    "allocate_capital",
    "base_stock_fill_rate",
    "build_patterns",
    "compare_plans",
    "consecutive_days_patterns",
    "efficient_frontier",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "expected_shortfall",
    "forward_view",
    "forward_view_file",
    "load_capital_rules",
    "load_network",
    "load_projects",
    "load_shift_rules",
    "merge_patch",
    "newsvendor_cost",
    "newsvendor_quantity",
    "parse_network",
    "peak_volumes",
    "plan_peak",
    "plan_peak_file",
    "read_requirements",
    "read_volumes",
    "required_agents",
    "run_supply_file",
    "schedule_shifts",
    "simulate_npv",
    "simulate_replication",
    "staff_intervals",
]
