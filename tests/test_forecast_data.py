"""The data contract: long series read from CSV/Parquet, checked once, problems named by file, row and column."""

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.forecast import default_season_length, load_forecast, load_series


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_gaps_missing_and_negatives_are_reported_and_filled(tmp_path):
    path = _write(
        tmp_path,
        "unique_id,ds,y\na,2024-01-01,10\na,2024-02-01,\na,2024-04-01,16\na,2024-05-01,-1\n"
        "b,2024-01-01,5\nb,2024-02-01,6\nb,2024-03-01,7\n",
    )
    data = load_series(path)
    assert data.freq == "MS" and data.season_length == 12
    kinds = {(issue.kind, issue.unique_id): issue for issue in data.report.issues}
    assert kinds[("gap", "a")].count == 1 and kinds[("gap", "a")].first_ds == "2024-03-01"
    assert kinds[("missing", "a")].count == 1 and kinds[("negative", "a")].count == 1
    a = data.frame[data.frame.unique_id == "a"]["y"].tolist()
    assert a == pytest.approx([10.0, 12.0, 14.0, 16.0, -1.0])  # linear interpolation over the gap and the NaN
    zero = load_series(path, fill="zero").frame
    assert zero[zero.unique_id == "a"]["y"].tolist() == [10.0, 0.0, 0.0, 16.0, -1.0]
    with pytest.raises(InputError, match="no value at 2024-02-01"):
        load_series(path, fill="error")


def test_errors_name_the_file_row_and_column(tmp_path):
    with pytest.raises(InputError, match=r"data.csv: missing column\(s\) y"):
        load_series(_write(tmp_path, "unique_id,ds,value\na,2024-01-01,1\n"))
    with pytest.raises(InputError, match=r"row 3, column ds: 'soon' is not a date"):
        load_series(_write(tmp_path, "unique_id,ds,y\na,2024-01-01,1\na,soon,2\n"))
    with pytest.raises(InputError, match=r"row 2, column y: 'ten' is not a number"):
        load_series(_write(tmp_path, "unique_id,ds,y\na,2024-01-01,ten\n"))
    with pytest.raises(InputError, match=r"rows 2 and 3: duplicate"):
        load_series(_write(tmp_path, "unique_id,ds,y\na,2024-01-01,1\na,2024-01-01,2\na,2024-02-01,2\n"))
    with pytest.raises(InputError, match="no such file"):
        load_series(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="no rows"):
        load_series(_write(tmp_path, "unique_id,ds,y\n"))
    with pytest.raises(InputError, match="unknown file type"):
        load_series(_write(tmp_path, "x", name="data.xml"))
    with pytest.raises(InputError, match="more than one value of the hierarchy"):
        load_series(_write(tmp_path, "unique_id,ds,y,region\na,1,1,N\na,2,1,S\n"), hierarchy=["region"])
    with pytest.raises(InputError, match="not on the MS grid"):
        load_series(_write(tmp_path, "unique_id,ds,y\na,2024-01-01,1\na,2024-01-15,2\n"), freq="MS")


def test_duplicates_can_be_summed(tmp_path):
    path = _write(tmp_path, "unique_id,ds,y\na,1,1\na,1,2\na,2,5\n")
    assert load_series(path, duplicates="sum").frame["y"].tolist() == [3.0, 5.0]
    assert load_series(path, duplicates="last").frame["y"].tolist() == [2.0, 5.0]


def test_periods_quarters_integers_and_parquet(tmp_path):
    quarters = load_series(_write(tmp_path, "unique_id,ds,y\na,2015Q4,1\na,2016Q1,2\na,2016Q2,3\n"))
    assert quarters.freq.startswith("QS") and quarters.season_length == 4
    assert quarters.frame["ds"].dt.month.tolist() == [10, 1, 4]
    integers = load_series(_write(tmp_path, "unique_id,ds,y\na,3,1\na,5,2\n"))
    assert integers.freq == 1 and integers.frame["ds"].tolist() == [3, 4, 5]
    weekly = pd.DataFrame(
        {"unique_id": "w", "ds": pd.date_range("2024-01-07", periods=6, freq="W-SUN"), "y": range(6)}
    ).drop(index=2)
    weekly.to_parquet(tmp_path / "weekly.parquet")
    data = load_series(tmp_path / "weekly.parquet")
    assert data.freq == "W-SUN" and len(data.frame) == 6 and data.season_length == 52


def test_hierarchy_builds_ids_and_exogenous_columns(tmp_path):
    path = _write(tmp_path, "region,category,ds,y,price\nN,a,1,1,9.5\nN,a,2,2,9.5\nS,b,1,3,8\nS,b,2,4,8\n")
    data = load_series(path, hierarchy=["region", "category"])
    assert sorted(data.frame.unique_id.unique()) == ["N/a", "S/b"]
    assert data.exog == ("price",) and data.hierarchy == ("region", "category")


def test_default_season_lengths():
    assert [default_season_length(f) for f in ("h", "D", "W-MON", "MS", "QS-JAN", "YS-JAN", 1)] == [
        24,
        7,
        52,
        12,
        4,
        1,
        1,
    ]


def test_load_forecast_checks_its_columns(tmp_path):
    with pytest.raises(InputError, match="missing column"):
        load_forecast(_write(tmp_path, "unique_id,ds\na,1\n"))
    with pytest.raises(InputError, match="row 2, column yhat_lo_80"):
        load_forecast(_write(tmp_path, "unique_id,ds,yhat,yhat_lo_80\na,1,2,x\n"))
