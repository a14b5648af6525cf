"""Peak planning and the forward view: known answers on small cases, the shipped examples, input errors."""

from importlib import resources

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.planning import (
    StaffingTargets,
    Workforce,
    forward_view,
    forward_view_file,
    peak_volumes,
    plan_peak,
    plan_peak_file,
    required_agents,
)

DATA = resources.files("argentier.planning") / "data"
TARGETS = StaffingTargets(0.8, 20)


def _weeks(volumes_per_week):
    ds = pd.date_range("2026-11-02", periods=len(volumes_per_week) * 7 * 24, freq="h")
    return pd.DataFrame({"ds": ds, "volume": [v for v in volumes_per_week for _ in range(7 * 24)]})


def test_hiring_waits_for_the_lead_time_and_overtime_fills_the_gap():
    # 60 calls an hour at 300 s need 8 agents every hour: 1,344 paid hours a week.
    assert required_agents(60, interval_minutes=60, aht_seconds=300, targets=TARGETS).agents == 8
    hourly = _weeks([0.0, 60.0, 60.0])
    workforce = Workforce(
        headcount=30,
        hours_per_week=40,
        hourly_cost=20,
        max_overtime_hours=5,
        overtime_premium=1.5,
        hiring_lead_weeks=2,
        cost_per_hire=100,
        hire_hourly_cost=30,
        shortfall_cost_per_hour=1000,
    )
    plan = plan_peak(hourly, aht_seconds=300, targets=TARGETS, workforce=workforce)
    first, second, third = plan.weeks
    assert (first.required_hours, second.required_hours) == (0.0, 1344.0)
    # Week 2: no hire can start yet; 30 x 40 = 1,200 h plus at most 30 x 5 = 150 h overtime covers 1,344 h.
    assert second.hires_starting == 0 and second.overtime_hours == 144 and second.shortfall_hours == 0
    # Week 3: a temp costs (40 h x 30 + 100) / 40 h = 32.5 an hour, overtime 20 x 1.5 = 30: overtime wins.
    assert third.hires_starting == 0 and third.overtime_hours == 144
    assert plan.cost_overtime == pytest.approx(2 * 144 * 30)
    assert plan.total_cost == pytest.approx(3 * 30 * 40 * 20 + 2 * 144 * 30)


def test_shortfall_is_costed_not_hidden_and_hires_cover_a_long_peak():
    workforce = Workforce(
        headcount=20,
        hours_per_week=40,
        max_overtime_hours=0,
        hiring_lead_weeks=1,
        cost_per_hire=500,
        hire_hourly_cost=25,
        shortfall_cost_per_hour=100,
    )
    plan = plan_peak(_weeks([60.0, 60.0, 60.0]), aht_seconds=300, targets=TARGETS, workforce=workforce)
    assert plan.weeks[0].shortfall_hours == 1344 - 800  # nobody can be hired in week one
    assert plan.weeks[1].hires_starting == 14 and plan.weeks[1].headcount == 34  # ceil(1344 / 40)
    assert plan.weeks[1].hire_by == "2026-11-02"
    assert plan.weeks[2].hires_starting == 0 and plan.weeks[2].headcount == 34
    assert plan.shortfall_hours == 544


def test_peak_profile_multiplies_the_baseline_by_day_and_hour():
    baseline = pd.DataFrame({"weekday": [4, 4], "hour": [9, 10], "volume": [10.0, 20.0]})
    profile = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-11-27", "2026-11-27"]),
            "hour": [float("nan"), 10.0],
            "multiplier": [2.0, 5.0],
        }
    )
    hourly = peak_volumes(baseline, profile, pd.Timestamp("2026-11-23").date(), weeks=2).set_index("ds")[
        "volume"
    ]
    assert hourly[pd.Timestamp("2026-11-27 09:00")] == 20.0  # the day's multiplier
    assert hourly[pd.Timestamp("2026-11-27 10:00")] == 100.0  # the hour's multiplier wins
    assert hourly[pd.Timestamp("2026-12-04 10:00")] == 20.0  # the next Friday is a normal one
    assert hourly.sum() == 20.0 + 100.0 + 30.0


def test_example_peak_plan():
    plan = plan_peak_file(DATA / "peak_plan.yaml")
    assert plan.status == "optimal" and len(plan.weeks) == 8
    black_friday_week = plan.weeks[4]
    assert black_friday_week.week_start == "2026-11-23"
    assert black_friday_week.required_hours == max(w.required_hours for w in plan.weeks)
    assert black_friday_week.hires_starting > 0 and black_friday_week.hire_by == "2026-10-26"
    assert plan.to_dict()["total_cost"] == f"{plan.total_cost:.2f}"


def test_bad_peak_files(tmp_path):
    (tmp_path / "peak.yaml").write_text("start: 2026-11-02\nweeks: 2\n")
    with pytest.raises(InputError, match="missing key"):
        plan_peak_file(tmp_path / "peak.yaml")
    (tmp_path / "base.csv").write_text("weekday,hour,volume\nFunday,9,10\n")
    (tmp_path / "profile.csv").write_text("date,multiplier\n2026-11-02,2\n")
    (tmp_path / "peak.yaml").write_text(
        "start: 2026-11-02\nbaseline: base.csv\npeak_profile: profile.csv\naht_seconds: 300\n"
        "workforce: {headcount: 5}\n"
    )
    with pytest.raises(InputError, match="row 2, column 'weekday'"):
        plan_peak_file(tmp_path / "peak.yaml")


def test_forward_view_known_month_and_example():
    shape = pd.DataFrame({"weekday": list(range(7)), "hour": 12, "volume": 1.0})
    volumes = pd.DataFrame(
        {"ds": pd.to_datetime(["2027-02-01", "2027-03-01"]), "volume": [28 * 60.0, 31 * 60.0]}
    )
    view = forward_view(
        volumes,
        shape=shape,
        aht_seconds=300,
        targets=TARGETS,
        hours_per_fte=100,
        cost_per_fte=3000,
        revenue_per_unit=2.0,
        gross_margin=0.5,
        seats=10,
        capex={"2027-03": 500.0},
        other_costs=100.0,
    )
    february, march = view.months
    # One busy hour a day with 60 calls: 8 agents, 28 x 8 = 224 paid hours -> 3 FTE.
    assert (february.paid_hours, february.fte, february.peak_agents) == (224.0, 3, 8)
    assert february.capacity_used == pytest.approx(0.8)
    assert february.operating_margin == pytest.approx(28 * 60 * 2 * 0.5 - 3 * 3000 - 100)
    assert (
        march.capex == 500.0 and march.to_dict()["cash_after_capex"] == f"{march.operating_margin - 500:.2f}"
    )
    example = forward_view_file(DATA / "forward_view.yaml")
    assert [m.month for m in example.months][:2] == ["2027-01", "2027-02"]
    assert example.months[-1].fte > example.months[0].fte  # December's volume is higher
    assert sum(m.capex for m in example.months) > 0
    higher = forward_view_file(DATA / "forward_view.yaml", volume_column="yhat_hi_80")
    assert higher.months[0].fte > example.months[0].fte
