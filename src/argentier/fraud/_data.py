"""The transaction data contract: read CSV or Parquet, map column names, validate every row once.

Required: ``transaction_id, timestamp, customer_id, terminal_id, amount``. Optional: ``is_fraud`` (0/1, empty
when unknown) and ``label_time`` (when the label became known; without it the label is known ``label_delay``
after the transaction). Any other column is kept as an extra (channel, country, mcc, ...). Timestamps are read as
UTC (aware ones are converted) and stored naive. Ids are kept as text, so ``007`` stays ``007``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

REQUIRED_COLUMNS = ("transaction_id", "timestamp", "customer_id", "terminal_id", "amount")
LABEL_COLUMNS = ("is_fraud", "label_time")
DEFAULT_LABEL_DELAY = timedelta(days=7)
_ID_COLUMNS = ("transaction_id", "customer_id", "terminal_id")
_TRUE = {"1", "1.0", "true", "t", "yes", "y", "fraud"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "genuine", "legit"}


@dataclass(frozen=True)
class LoadedTransactions:
    """Validated transactions in time order, and how many bad rows were skipped."""

    frame: pd.DataFrame
    source: str
    skipped: int
    first_skipped: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": len(self.frame),
            "skipped": self.skipped,
            "first_skipped": self.first_skipped,
        }


def read_table(path: str | Path, *, id_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (the named columns read as text); errors name the file.

    >>> _ = Path("t.csv").write_text("transaction_id,amount\\n007,1.5\\n")
    >>> read_table("t.csv", id_columns=("transaction_id",)).transaction_id.tolist()
    ['007']
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt", ".gz"):
            return pd.read_csv(path, dtype={name: str for name in id_columns}, low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", source=str(path)
        ) from exc
    except Exception as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    raise InputError(f"unknown file type {suffix or '(none)'}: expected .csv or .parquet", source=str(path))


def _row_name(position: int, csv: bool) -> str:
    return f"line {position + 2}" if csv else f"row {position + 1}"


def _bad(mask: Any, column: str, what: str, raw: pd.Series, bad: dict[int, str]) -> None:
    for position in mask.to_numpy().nonzero()[0][:1000]:
        bad.setdefault(int(position), f"column {column!r}: {raw.iloc[position]!r} {what}")


def _parse_label(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        invalid = values.notna() & ~values.isin([0.0, 1.0])
        return values.where(~invalid), invalid
    text = raw.astype("string").str.strip().str.lower()
    values = pd.Series(
        np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, np.nan)), index=raw.index
    )
    invalid = text.notna() & (text != "") & values.isna()
    return values, invalid


def _parse_time(raw: pd.Series) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw if raw.dt.tz is None else raw.dt.tz_convert("UTC").dt.tz_localize(None)
        return parsed.astype("datetime64[ns]")
    try:  # the fast path for the usual ISO 8601 text; anything else is parsed value by value
        parsed = pd.to_datetime(raw, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(raw, errors="coerce", utc=True, format="mixed")
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def prepare_transactions(
    table: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    label_delay: timedelta = DEFAULT_LABEL_DELAY,
    skip_bad_rows: bool = False,
    source: str = "<data>",
    csv: bool = False,
) -> LoadedTransactions:
    """Validate a table against the contract: rename, type, check each row, fill label times, sort by time.

    ``columns`` maps contract names to the table's (``{"customer_id": "card"}``). A bad row raises
    :class:`InputError` naming its row and column, or is dropped and counted with ``skip_bad_rows``.

    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": ["a", "b"], "timestamp": ["2024-01-02 10:00", "2024-01-01"],
    ...                     "customer_id": [1, 1], "terminal_id": [7, 8], "amount": ["12.50", "x"]})
    >>> prepare_transactions(raw, columns={"transaction_id": "id"})
    Traceback (most recent call last):
    argentier.errors.InputError: <data>: row 2, column 'amount': 'x' is not a finite number (...)
    >>> loaded = prepare_transactions(raw, columns={"transaction_id": "id"}, skip_bad_rows=True)
    >>> loaded.frame.transaction_id.tolist(), loaded.skipped
    (['a'], 1)
    """
    import numpy as np
    import pandas as pd

    mapping = dict(columns or {})
    unknown = set(mapping) - set(REQUIRED_COLUMNS) - set(LABEL_COLUMNS)
    if unknown:
        raise InputError(f"cannot map unknown contract column(s) {', '.join(sorted(unknown))}", source=source)
    renamed = {mapping.get(name, name): name for name in (*REQUIRED_COLUMNS, *LABEL_COLUMNS)}
    missing = [
        f"{name!r}" + (f" (as {mapping[name]!r})" if name in mapping else "")
        for name in REQUIRED_COLUMNS
        if mapping.get(name, name) not in table.columns
    ]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(map(str, table.columns))}",
            source=source,
        )
    if table.empty:
        raise InputError("no transactions (the table is empty)", source=source)
    raw = table.rename(columns=renamed).reset_index(drop=True)
    bad: dict[int, str] = {}
    out = pd.DataFrame(index=raw.index)
    for name in _ID_COLUMNS:
        text = raw[name].astype("string").str.strip()
        _bad(text.isna() | (text == ""), name, "is empty", raw[name], bad)
        out[name] = text.astype(object)
    _bad(
        out.transaction_id.duplicated(keep="first") & out.transaction_id.notna(),
        "transaction_id",
        "is a duplicate",
        raw.transaction_id,
        bad,
    )
    out["timestamp"] = _parse_time(raw.timestamp)
    _bad(out.timestamp.isna(), "timestamp", "is not a date-time", raw.timestamp, bad)
    amount = pd.to_numeric(raw.amount, errors="coerce").astype(float)
    _bad(~np.isfinite(amount), "amount", "is not a finite number", raw.amount, bad)
    out["amount"] = amount
    if "is_fraud" in raw:
        labels, invalid = _parse_label(raw.is_fraud)
        _bad(invalid, "is_fraud", "is not 0/1 (or empty when unknown)", raw.is_fraud, bad)
        out["is_fraud"] = labels
    else:
        out["is_fraud"] = np.nan
    known = out.is_fraud.notna()
    label_time = out.timestamp + label_delay
    if "label_time" in raw:
        given = _parse_time(raw.label_time)
        text = raw.label_time.astype("string").str.strip()
        _bad(
            given.isna() & text.notna() & (text != ""),
            "label_time",
            "is not a date-time",
            raw.label_time,
            bad,
        )
        _bad(
            given.notna() & (given < out.timestamp),
            "label_time",
            "is before the transaction",
            raw.label_time,
            bad,
        )
        label_time = given.fillna(label_time)
    out["label_time"] = label_time.where(known)
    for name in raw.columns:
        if name not in out and name not in LABEL_COLUMNS:
            out[name] = raw[name]
    skipped, first = 0, None
    if bad:
        position = min(bad)
        first = f"{_row_name(position, csv)}, {bad[position]}"
        if not skip_bad_rows:
            raise InputError(first + " (--skip-bad-rows drops bad rows)", source=source)
        skipped = len(bad)
        out = out.drop(index=list(bad))
        if out.empty:
            raise InputError(f"every row is bad; first: {first}", source=source)
    out = out.sort_values("timestamp", kind="stable").reset_index(drop=True)
    return LoadedTransactions(frame=out, source=source, skipped=skipped, first_skipped=first)


def load_transactions(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    label_delay: timedelta = DEFAULT_LABEL_DELAY,
    skip_bad_rows: bool = False,
) -> LoadedTransactions:
    """Read and validate a CSV or Parquet file of transactions (see :func:`prepare_transactions`).

    >>> _ = Path("tx.csv").write_text("transaction_id,timestamp,customer_id,terminal_id,amount,is_fraud\\n"
    ...                               "1,2024-01-01T09:00,c1,t1,10.00,0\\n2,2024-01-01T08:00,c1,t2,20.00,\\n")
    >>> frame = load_transactions("tx.csv").frame
    >>> frame.transaction_id.tolist(), str(frame.label_time[1])
    (['2', '1'], '2024-01-08 09:00:00')
    """
    path = Path(path)
    id_columns = tuple(dict(columns or {}).get(name, name) for name in _ID_COLUMNS)
    table = read_table(path, id_columns=id_columns)
    return prepare_transactions(
        table,
        columns=columns,
        label_delay=label_delay,
        skip_bad_rows=skip_bad_rows,
        source=str(path),
        csv=path.suffix.lower() != ".parquet" and path.suffix.lower() != ".pq",
    )


def parse_day(value: str | date, what: str) -> date:
    """``"2018-07-25"`` -> ``date(2018, 7, 25)``; anything else is an :class:`InputError` naming ``what``.

    >>> parse_day("2018-07-25", "--from")
    datetime.date(2018, 7, 25)
    """
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InputError(f"{what} must be a date like 2018-07-25, got {value!r}") from exc


def day_mask(frame: pd.DataFrame, start: date, end: date) -> pd.Series:
    """Rows whose timestamp falls on a day in ``[start, end]`` (both inclusive)."""
    import pandas as pd

    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    low = pd.Timestamp(start)
    high = pd.Timestamp(end) + pd.Timedelta(days=1)
    return (frame.timestamp >= low) & (frame.timestamp < high)


def attach_scores(frame: pd.DataFrame, scores: pd.DataFrame, *, source: str = "<scores>") -> pd.DataFrame:
    """The rows of ``frame`` that were scored, with a ``score`` column, in time order.

    ``scores`` needs ``transaction_id`` and ``score`` (0-1000); an id the data does not have is an error.

    >>> import pandas as pd
    >>> data = pd.DataFrame({"transaction_id": ["1", "2"], "amount": [5.0, 7.0]})
    >>> attach_scores(data, pd.DataFrame({"transaction_id": [2], "score": [812.5]})).to_dict("records")
    [{'transaction_id': '2', 'amount': 7.0, 'score': 812.5}]
    """
    import pandas as pd

    for name in ("transaction_id", "score"):
        if name not in scores.columns:
            raise InputError(
                f"missing column {name!r}; the file has {', '.join(map(str, scores.columns))}", source=source
            )
    if scores.empty:
        raise InputError("no scores (the file is empty)", source=source)
    ids = scores.transaction_id.astype("string").str.strip()
    values = pd.to_numeric(scores.score, errors="coerce")
    bad = values.isna() | (values < 0) | (values > 1000)
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"line {position + 2}, column 'score': {scores.score.iloc[position]!r} is not a number"
            " between 0 and 1000",
            source=source,
        )
    lookup = pd.Series(values.to_numpy(), index=ids.to_numpy())
    if lookup.index.duplicated().any():
        raise InputError(
            f"transaction {lookup.index[lookup.index.duplicated()][0]!r} is scored twice", source=source
        )
    unknown = ~lookup.index.isin(frame.transaction_id)
    if unknown.any():
        raise InputError(
            f"{int(unknown.sum())} scored transaction(s) are not in the data, e.g."
            f" {lookup.index[unknown][0]!r}",
            source=source,
        )
    scored = frame[frame.transaction_id.isin(lookup.index)].copy()
    scored["score"] = lookup.loc[scored.transaction_id.to_numpy()].to_numpy()
    return scored


def apply_labels(frame: pd.DataFrame, labels: pd.DataFrame, *, source: str = "<labels>") -> pd.DataFrame:
    """Overlay labels (analyst verdicts, chargebacks) on the data: ``transaction_id, is_fraud, label_time``.

    A later label of the same transaction wins; labels of unknown transactions are an error.

    >>> import pandas as pd
    >>> data = pd.DataFrame({"transaction_id": ["1", "2"], "timestamp": pd.to_datetime(["2024-01-01"] * 2),
    ...                      "is_fraud": [float("nan"), 0.0], "label_time": pd.to_datetime([None, "2024-01-08"])})
    >>> labels = pd.DataFrame({"transaction_id": ["1"], "is_fraud": [1], "label_time": ["2024-01-03"]})
    >>> apply_labels(data, labels).is_fraud.tolist()
    [1.0, 0.0]
    """
    for name in ("transaction_id", "is_fraud", "label_time"):
        if name not in labels.columns:
            raise InputError(
                f"missing column {name!r}; the file has {', '.join(map(str, labels.columns))}", source=source
            )
    ids = labels.transaction_id.astype("string").str.strip()
    values, invalid = _parse_label(labels.is_fraud)
    times = _parse_time(labels.label_time)
    bad = invalid | values.isna() | times.isna() | ids.isna()
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"line {position + 2}: needs a transaction_id, is_fraud 0/1 and a label_time", source=source
        )
    latest = (
        labels.assign(transaction_id=ids, is_fraud=values, label_time=times)
        .sort_values("label_time", kind="stable")
        .drop_duplicates("transaction_id", keep="last")
        .set_index("transaction_id")
    )
    unknown = ~latest.index.isin(frame.transaction_id)
    if unknown.any():
        raise InputError(f"label for unknown transaction {latest.index[unknown][0]!r}", source=source)
    out = frame.copy()
    at = out.transaction_id.isin(latest.index).to_numpy()
    keys = out.transaction_id[at].to_numpy()
    out.loc[at, "is_fraud"] = latest.is_fraud.loc[keys].to_numpy()
    label_times = latest.label_time.loc[keys].to_numpy()
    if (label_times < out.timestamp[at].to_numpy()).any():
        raise InputError("a label_time is before its transaction", source=source)
    out.loc[at, "label_time"] = label_times
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV or Parquet (by suffix) through a temporary file, so a failure leaves nothing.

    >>> import pandas as pd
    >>> write_table(pd.DataFrame({"a": [1]}), "out.csv").read_text()
    'a\\n1\\n'
    """
    from argentier.core.files import atomic_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError("must end in .csv or .parquet", source=str(path))
    with atomic_path(path) as temporary:
        if suffix == ".csv":
            frame.to_csv(temporary, index=False)
        else:
            frame.to_parquet(temporary, index=False)
    return path
