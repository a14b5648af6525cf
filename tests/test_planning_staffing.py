"""Per-interval staffing from volume files, including the forecast format, and one-line input errors."""

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.planning import StaffingTargets, read_volumes, required_agents, staff_intervals

TARGETS = StaffingTargets(0.8, 20, shrinkage=0.3)


def _write(tmp_path, text, name="volumes.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_forecast_format_is_accepted_and_a_bound_can_be_staffed(tmp_path):
    path = _write(
        tmp_path,
        "unique_id,ds,yhat,yhat_lo_80,yhat_hi_80\n"
        "sales,2026-11-30 08:00,100,80,130\n"
        "sales,2026-11-30 08:30,50,40,-1\n"
        "support,2026-11-30 08:00,0,0,0\n"
        "support,2026-11-30 08:30,100,90,110\n",
    )
    volumes = read_volumes(path)
    assert list(volumes.columns) == ["unique_id", "ds", "volume"]
    plan = staff_intervals(volumes, aht_seconds=180, targets=TARGETS)
    assert plan.intervals[0].interval_minutes == 30  # inferred from the timestamps
    assert [i.agents for i in plan.intervals] == [14, 8, 0, 14]
    assert plan.peak_scheduled_agents == 20
    assert plan.agent_hours == pytest.approx((14 + 8 + 14) / 2)
    upper = staff_intervals(read_volumes(path, volume_column="yhat_hi_80"), aht_seconds=180, targets=TARGETS)
    # A negative forecast means no calls.
    assert upper.intervals[0].agents > 14 and upper.intervals[1].volume == 0.0
    frame = plan.to_frame()
    assert list(frame["unique_id"]) == ["sales", "sales", "support", "support"]
    assert plan.to_dict()["totals"]["peak_agents"] == 14


def test_plain_table_with_per_row_handling_time(tmp_path):
    path = _write(
        tmp_path, "interval,volume,aht_seconds\n2026-11-30 09:00,100,180\n2026-11-30 10:00,100,360\n"
    )
    plan = staff_intervals(read_volumes(path), interval_minutes=30, targets=TARGETS)
    assert plan.intervals[0].agents == 14
    assert plan.intervals[1].agents == required_agents(100, aht_seconds=360, targets=TARGETS).agents
    with pytest.raises(InputError, match="single row"):
        staff_intervals(read_volumes(path).head(1), aht_seconds=180, targets=TARGETS)


@pytest.mark.parametrize(
    "text,message",
    [
        ("ds,calls\n2026-11-30,1\n", "missing column"),
        ("ds,volume\n2026-11-30 08:00,1\n2026-11-30 08:30,abc\n", "row 3, column 'volume'"),
        ("ds,volume\n2026-11-30 08:00,1\n2026-11-30 08:30,\n", "row 3, column 'volume'"),
        ("ds,volume\nnot a date,1\n", "row 2, column 'ds'"),
        ("ds,volume\n2026-11-30 08:00,1\n2026-11-30 08:00,2\n", "row 3: duplicate"),
        ("ds,volume\n", "no data rows"),
        ("", "cannot read table"),
    ],
)
def test_bad_volume_files_name_the_row_and_column(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as error:
        read_volumes(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown file type"):
        read_volumes(_write(tmp_path, "x", name="volumes.xlsx"))
    with pytest.raises(InputError, match="no such file"):
        read_volumes(tmp_path / "absent.csv")


def test_parquet_input(tmp_path):
    path = tmp_path / "volumes.parquet"
    pd.DataFrame(
        {"ds": pd.date_range("2026-11-30", periods=2, freq="15min"), "volume": [50.0, 50.0]}
    ).to_parquet(path)
    plan = staff_intervals(read_volumes(path), aht_seconds=180, targets=TARGETS)
    assert plan.intervals[0].interval_minutes == 15
    assert (
        plan.intervals[0].agents
        == required_agents(50, interval_minutes=15, aht_seconds=180, targets=TARGETS).agents
    )


def test_integer_timestamps_of_a_forecast_need_the_interval(tmp_path):
    path = _write(tmp_path, "unique_id,ds,yhat\nq,101,100\nq,102,50\n")
    with pytest.raises(InputError, match="give interval_minutes"):
        staff_intervals(read_volumes(path), aht_seconds=180, targets=TARGETS)
    plan = staff_intervals(read_volumes(path), aht_seconds=180, interval_minutes=30, targets=TARGETS)
    assert [i.agents for i in plan.intervals] == [14, 8] and plan.timestamps == ("101", "102")
