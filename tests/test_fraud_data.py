"""The transaction data contract: mapping, validation errors naming row and column, skipping, labels, scores."""

from datetime import timedelta

import pandas as pd
import pytest

from argentier.errors import InputError
from argentier.fraud import load_transactions, parse_day, prepare_transactions
from argentier.fraud._data import apply_labels, attach_scores, day_mask, write_table

HEADER = "transaction_id,timestamp,customer_id,terminal_id,amount,is_fraud"


def _csv(tmp_path, *lines, header=HEADER, name="tx.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_a_valid_file_is_typed_sorted_and_labels_get_the_delay(tmp_path):
    path = _csv(tmp_path, "007,2024-01-02T10:00:00Z,c1,t1,10.50,1", "8,2024-01-01 09:00,c2,t1,3,")
    frame = load_transactions(path, label_delay=timedelta(days=3)).frame
    assert frame.transaction_id.tolist() == ["8", "007"]  # time order, ids kept as text
    assert frame.amount.tolist() == [3.0, 10.5]
    assert pd.isna(frame.is_fraud[0]) and pd.isna(frame.label_time[0])
    assert frame.label_time[1] == pd.Timestamp("2024-01-05 10:00")


def test_columns_are_mapped_and_extras_kept(tmp_path):
    path = _csv(
        tmp_path, "1,2024-01-01,alice,shop,5,0,web", header="id,when,card,merchant,value,is_fraud,channel"
    )
    frame = load_transactions(
        path,
        columns={
            "transaction_id": "id",
            "timestamp": "when",
            "customer_id": "card",
            "terminal_id": "merchant",
            "amount": "value",
        },
    ).frame
    assert frame.customer_id.tolist() == ["alice"] and frame.channel.tolist() == ["web"]


def test_a_missing_column_is_named(tmp_path):
    path = _csv(tmp_path, "1,2024-01-01,c,5", header="transaction_id,timestamp,customer_id,amount")
    with pytest.raises(InputError, match=r"missing column\(s\) 'terminal_id'"):
        load_transactions(path)
    with pytest.raises(InputError, match=r"'customer_id' \(as 'card'\)"):
        load_transactions(path, columns={"customer_id": "card"})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2,2024-01-01,c,t,abc,0", "line 3, column 'amount': 'abc' is not a finite number"),
        ("2,not a date,c,t,5,0", "line 3, column 'timestamp': 'not a date' is not a date-time"),
        ("2,2024-01-01,,t,5,0", "line 3, column 'customer_id'"),
        ("1,2024-01-01,c,t,5,0", "line 3, column 'transaction_id': '1' is a duplicate"),
        ("2,2024-01-01,c,t,5,maybe", "line 3, column 'is_fraud': 'maybe' is not 0/1"),
        ("2,2024-01-01,c,t,inf,0", "line 3, column 'amount'"),
    ],
)
def test_a_bad_row_names_its_line_and_column(tmp_path, line, message):
    path = _csv(tmp_path, "1,2024-01-01,c,t,5,0", line)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        load_transactions(path)
    assert str(error.value).startswith(str(path))
    loaded = load_transactions(path, skip_bad_rows=True)
    assert loaded.skipped == 1 and loaded.frame.transaction_id.tolist() == ["1"]


def test_label_time_before_the_transaction_is_refused(tmp_path):
    path = _csv(tmp_path, "1,2024-01-05,c,t,5,1,2024-01-01", header=HEADER + ",label_time")
    with pytest.raises(InputError, match="label_time.*before the transaction"):
        load_transactions(path)


def test_text_labels_and_aware_timestamps(tmp_path):
    raw = pd.DataFrame(
        {
            "transaction_id": [1, 2, 3],
            "customer_id": [1, 1, 2],
            "terminal_id": [1, 2, 3],
            "timestamp": pd.to_datetime(["2024-01-01 12:00"] * 3).tz_localize("Europe/Paris"),
            "amount": [1, 2, 3],
            "is_fraud": ["yes", "No", None],
        }
    )
    frame = prepare_transactions(raw).frame
    assert frame.timestamp[0] == pd.Timestamp("2024-01-01 11:00")
    assert frame.is_fraud.tolist()[:2] == [1.0, 0.0] and pd.isna(frame.is_fraud[2])


def test_empty_unknown_and_all_bad_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        load_transactions(_csv(tmp_path))
    with pytest.raises(InputError, match="unknown file type"):
        load_transactions(_csv(tmp_path, "1,2024-01-01,c,t,5,0", name="tx.xlsx"))
    with pytest.raises(InputError, match="no such file"):
        load_transactions(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="every row is bad"):
        load_transactions(_csv(tmp_path, "1,2024-01-01,c,t,x,0"), skip_bad_rows=True)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="cannot read"):
        load_transactions(tmp_path / "broken.parquet")


def test_parquet_round_trip_is_atomic_and_equal(tmp_path):
    frame = load_transactions(_csv(tmp_path, "1,2024-01-01,c,t,5,0")).frame
    write_table(frame, tmp_path / "tx.parquet")
    assert load_transactions(tmp_path / "tx.parquet").frame.equals(frame)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(InputError):
        write_table(frame, tmp_path / "tx.json")


def test_scores_and_labels_attach_by_transaction_id(tmp_path):
    frame = load_transactions(_csv(tmp_path, "1,2024-01-01,c,t,5,", "2,2024-01-02,c,t,6,0")).frame
    scored = attach_scores(frame, pd.DataFrame({"transaction_id": ["2"], "score": [10.0]}))
    assert scored.transaction_id.tolist() == ["2"] and scored.score.tolist() == [10.0]
    with pytest.raises(InputError, match="not in the data"):
        attach_scores(frame, pd.DataFrame({"transaction_id": ["9"], "score": [1.0]}))
    with pytest.raises(InputError, match="line 2, column 'score'"):
        attach_scores(frame, pd.DataFrame({"transaction_id": ["1"], "score": [1200.0]}))
    labels = pd.DataFrame(
        {"transaction_id": ["1", "1"], "is_fraud": [0, 1], "label_time": ["2024-01-03", "2024-01-04"]}
    )
    labelled = apply_labels(frame, labels)
    assert labelled.is_fraud.tolist() == [1.0, 0.0]  # the later verdict wins
    assert labelled.label_time[0] == pd.Timestamp("2024-01-04")
    with pytest.raises(InputError, match="before its transaction"):
        apply_labels(
            frame, pd.DataFrame({"transaction_id": ["2"], "is_fraud": [1], "label_time": ["2023-12-01"]})
        )


def test_periods_are_inclusive_days():
    frame = pd.DataFrame(
        {"timestamp": pd.to_datetime(["2024-01-01 00:00:00", "2024-01-02 23:59:59", "2024-01-03 00:00:00"])}
    )
    assert day_mask(frame, parse_day("2024-01-01", "--from"), parse_day("2024-01-02", "--to")).tolist() == [
        True,
        True,
        False,
    ]
    with pytest.raises(InputError, match="--from must be a date"):
        parse_day("yesterday", "--from")
    with pytest.raises(InputError, match="ends"):
        day_mask(frame, parse_day("2024-01-02", "a"), parse_day("2024-01-01", "b"))
