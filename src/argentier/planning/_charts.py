"""PNG charts of planning results (matplotlib, Agg backend), written atomically."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from argentier.planning._io import atomic_path

__all__ = [
    "forward_chart",
    "frontier_chart",
    "peak_chart",
    "schedule_chart",
    "staffing_chart",
    "supply_chart",
]


@contextmanager
def _figure(path: str | Path, title: str, rows: int = 1) -> Iterator[Sequence]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, 1, figsize=(11, 4 + 2.5 * (rows - 1)), squeeze=False)
    figure.suptitle(title)
    try:
        yield [row[0] for row in axes]
        figure.tight_layout()
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format="png", dpi=110)
    finally:
        plt.close(figure)


def staffing_chart(plan, path: str | Path) -> Path:
    """Volume per interval (bars) and agents on the floor / scheduled (lines)."""
    with _figure(path, f"Staffing per interval ({plan.targets.model.replace('_', ' ').title()})") as (axis,):
        positions = range(len(plan.intervals))
        axis.bar(positions, [i.volume for i in plan.intervals], color="#c8d6e5", label="volume")
        axis.set_ylabel("contacts per interval")
        twin = axis.twinx()
        twin.step(
            positions, [i.agents for i in plan.intervals], where="mid", color="#10ac84", label="on the floor"
        )
        twin.step(
            positions,
            [i.scheduled_agents for i in plan.intervals],
            where="mid",
            color="#ee5253",
            label="scheduled",
        )
        twin.set_ylabel("agents")
        twin.legend(loc="upper right")
        axis.set_xlabel("interval")
    return Path(path)


def schedule_chart(schedule, path: str | Path) -> Path:
    """Requirement against coverage per period."""
    with _figure(path, f"Shift schedule: {schedule.headcount} people, {schedule.status}") as (axis,):
        positions = range(len(schedule.required))
        axis.bar(positions, schedule.covered, color="#c8d6e5", label="covered")
        axis.step(positions, schedule.required, where="mid", color="#ee5253", label="required")
        step = max(1, len(positions) // 14)
        axis.set_xticks(list(positions)[::step], list(schedule.labels)[::step], rotation=30, ha="right")
        axis.set_ylabel("people")
        axis.legend()
    return Path(path)


def peak_chart(plan, path: str | Path) -> Path:
    """Hours needed per week against the hours of staff, temporary staff and overtime."""
    with _figure(path, "Peak plan: hours needed and how they are covered") as (axis,):
        weeks = [w.week_start for w in plan.weeks]
        axis.bar(weeks, [w.headcount for w in plan.weeks], color="#c8d6e5", label="headcount")
        axis.set_ylabel("people")
        twin = axis.twinx()
        twin.plot(
            weeks, [w.required_hours for w in plan.weeks], color="#ee5253", marker="o", label="hours needed"
        )
        twin.plot(
            weeks, [w.overtime_hours for w in plan.weeks], color="#ff9f43", marker="s", label="overtime"
        )
        twin.set_ylabel("hours")
        twin.legend(loc="upper left")
        axis.tick_params(axis="x", rotation=30)
    return Path(path)


def supply_chart(comparison, path: str | Path) -> Path:
    """Fill rate and cost per replication, one box per plan."""
    with _figure(path, f"Contingency plans over {comparison.replications} replications", rows=2) as (
        top,
        bottom,
    ):
        names = [o.plan for o in comparison.outcomes]
        top.boxplot([o.fill_rates for o in comparison.outcomes], tick_labels=names)
        top.set_ylabel("fill rate")
        bottom.boxplot([o.costs for o in comparison.outcomes], tick_labels=names)
        bottom.set_ylabel("total cost")
    return Path(path)


def frontier_chart(points, path: str | Path) -> Path:
    """Expected NPV against spread, with the P10-P90 range of each frontier portfolio."""
    with _figure(path, "Efficient frontier of the capital portfolio") as (axis,):
        for point in points:
            d = point.distribution
            color = "#10ac84" if point.efficient else "#8395a7"
            axis.errorbar(
                d.sd, d.mean, yerr=[[d.mean - d.p10], [d.p90 - d.mean]], fmt="o", color=color, capsize=3
            )
        axis.plot([p.distribution.sd for p in points], [p.distribution.mean for p in points], color="#10ac84")
        axis.set_xlabel("standard deviation of portfolio NPV")
        axis.set_ylabel("expected NPV (bars: P10-P90)")
    return Path(path)


def forward_chart(view, path: str | Path) -> Path:
    """Headcount by month, with revenue, spend and operating margin."""
    with _figure(path, "Forward view by month", rows=2) as (top, bottom):
        months = [m.month for m in view.months]
        top.bar(months, [m.fte for m in view.months], color="#c8d6e5")
        top.set_ylabel("FTE")
        bottom.plot(months, [m.revenue for m in view.months], marker="o", label="revenue")
        bottom.plot(
            months,
            [m.staff_cost + m.other_costs + m.capex for m in view.months],
            marker="s",
            label="spend (staff, other, capex)",
        )
        bottom.plot(months, [m.operating_margin for m in view.months], marker="^", label="operating margin")
        bottom.legend()
        bottom.tick_params(axis="x", rotation=30)
    return Path(path)
