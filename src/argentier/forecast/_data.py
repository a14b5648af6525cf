"""The data contract: long series ``unique_id, ds, y`` (+ hierarchy and exogenous columns), read and checked once.

``ds`` is a date/timestamp (``2024-01-31``, ``2024Q1`` ...) or an integer period index. Every problem with the
input is either an :class:`~argentier.errors.InputError` naming the file, row and column, or, when the data can
still be used, a :class:`DataIssue` in the report (gaps, missing values, negatives, short series).

>>> import pandas as pd
>>> frame = pd.DataFrame({"unique_id": ["a"] * 4, "ds": ["2024-01-01", "2024-02-01", "2024-04-01", "2024-05-01"],
...                       "y": [10.0, 12.0, 11.0, -1.0]})
>>> data = load_series(frame)
>>> data.freq, data.season_length, len(data.frame)
('MS', 12, 5)
>>> [(issue.kind, issue.count) for issue in data.report.issues]
[('gap', 1), ('negative', 1), ('short', 5)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DataIssue",
    "DataReport",
    "SeriesData",
    "default_season_length",
    "load_forecast",
    "load_series",
    "parse_ds",
    "period_label",
    "read_table",
    "require_periods",
]

_SEASONS = {"h": 24, "H": 24, "D": 7, "B": 5, "W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4}
FillPolicy = Literal["interpolate", "zero", "error"]
DuplicatePolicy = Literal["error", "sum", "last"]


@dataclass(frozen=True)
class DataIssue:
    """Something wrong but usable in the input: its kind, the series, how many periods, the first one."""

    kind: str  # gap | missing | negative | short | constant
    unique_id: str
    count: int
    first_ds: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DataReport:
    """What was read: sizes, span, frequency and the issues found (and how they were handled)."""

    source: str
    n_series: int
    n_rows: int
    start: str
    end: str
    freq: str
    season_length: int
    issues: tuple[DataIssue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "issues": [issue.to_dict() for issue in self.issues]}


@dataclass(frozen=True)
class SeriesData:
    """Validated long data: ``frame`` is sorted, regular (gaps filled) and has no missing ``y``."""

    frame: pd.DataFrame = field(repr=False)
    freq: str | int
    season_length: int
    hierarchy: tuple[str, ...]
    exog: tuple[str, ...]
    report: DataReport

    @property
    def integer_index(self) -> bool:
        return isinstance(self.freq, int)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.csv.gz``, ``.txt``) or Parquet (``.parquet``, ``.pq``) file into a DataFrame."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            return pd.read_csv(path, sep="\t" if name.endswith(".tsv") else ",", low_memory=False)
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", source=str(path)
        ) from exc
    raise InputError("unknown file type (expected .csv or .parquet)", source=str(path))


MIN_PERIODS = 3


def require_periods(frame: pd.DataFrame, minimum: int = MIN_PERIODS) -> None:
    """Raise :class:`InputError` naming the first series with fewer than ``minimum`` periods.

    >>> import pandas as pd
    >>> require_periods(pd.DataFrame({"unique_id": ["a", "a", "b"], "y": [1.0, 2.0, 3.0]}), 2)
    Traceback (most recent call last):
    ...
    argentier.errors.InputError: series 'b' has 1 period(s); at least 2 are needed
    """
    sizes = frame.groupby("unique_id", sort=False)["y"].size()
    short = sizes[sizes < minimum]
    if len(short):
        raise InputError(
            f"series {short.index[0]!r} has {int(short.iloc[0])} period(s); at least {minimum} are needed"
        )


def period_label(ds: Any) -> str:
    """A period as text: ``2025-03-01`` rather than ``2025-03-01 00:00:00``; integers as they are.

    >>> import pandas as pd
    >>> period_label(pd.Timestamp("2025-03-01")), period_label(pd.Timestamp("2025-03-01 13:00")), period_label(7)
    ('2025-03-01', '2025-03-01 13:00:00', '7')
    """
    text = str(ds)
    return text.removesuffix(" 00:00:00")


def load_forecast(path: str | Path) -> pd.DataFrame:
    """Read a forecast file written by ``argentier forecast run`` (``unique_id, ds, yhat`` + intervals).

    >>> import pandas as pd
    >>> _ = pd.DataFrame({"unique_id": ["a"], "ds": ["2027Q1"], "yhat": [1.0]}).to_csv("f.csv", index=False)
    >>> load_forecast("f.csv")["ds"].tolist()
    [Timestamp('2027-01-01 00:00:00')]
    """
    import pandas as pd

    frame = read_table(path)
    missing = [c for c in ("unique_id", "ds", "yhat") if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} of a forecast file", source=str(path))
    for column in [c for c in frame.columns if c.startswith("yhat")]:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            index = int(values.isna().to_numpy().nonzero()[0][0])
            raise InputError(f"row {index + 2}, column {column}: missing or not a number", source=str(path))
        frame[column] = values.astype("float64")
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame["ds"] = parse_ds(frame["ds"], str(path), True)
    return frame


def default_season_length(freq: str | int) -> int:
    """The usual seasonal period of a frequency: 24 for hourly, 7 daily, 52 weekly, 12 monthly, 4 quarterly.

    >>> default_season_length("QS-OCT"), default_season_length("W-SUN"), default_season_length(1)
    (4, 52, 1)
    """
    if isinstance(freq, int):
        return 1
    return _SEASONS.get(str(freq).split("-")[0].lstrip("0123456789"), 1)


def _row(index: int, csv_like: bool) -> int:
    """The 1-based line of a data row in its file (header on line 1)."""
    return index + 2 if csv_like else index + 1


def parse_ds(values: pd.Series, source: str, csv_like: bool) -> pd.Series:
    """Dates, quarters (``2016Q1``) or integer periods; a bad value is an error naming its row."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(values):
        return values.astype("int64")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None) if values.dt.tz is not None else values
    text = values.astype("string").str.strip()
    if text.str.fullmatch(r"-?\d+").fillna(False).all():
        return text.astype("int64")
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    quarters = text.str.fullmatch(r"\d{4}\s*-?\s*Q[1-4]", case=False).fillna(False)
    if quarters.any():
        cleaned = text[quarters].str.replace(r"[\s-]", "", regex=True).str.upper()
        parsed[quarters] = pd.PeriodIndex(cleaned, freq="Q").to_timestamp()
    bad = parsed.isna()
    if bad.any():
        index = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"row {_row(index, csv_like)}, column ds: {values.iloc[index]!r} is not a date or period",
            source=source,
        )
    return parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed


def _infer_freq(frame: pd.DataFrame, source: str) -> str | int:
    """The coarsest calendar frequency whose grid holds every ``ds`` (so gaps do not defeat it)."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(frame["ds"]):
        return 1
    stamps = pd.DatetimeIndex(frame["ds"].drop_duplicates()).sort_values()
    first, last = stamps[0], stamps[-1]
    months = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    quarter_anchor = months[(first.month - 1) % 3]
    candidates = (
        f"YS-{months[first.month - 1]}",
        f"YE-{months[first.month - 1]}",
        f"QS-{quarter_anchor}",
        f"QE-{months[(first.month - 1) % 3 + 9]}",
        "MS",
        "ME",
        f"W-{first.day_name()[:3].upper()}",
        "D",
        "h",
        "min",
    )
    for candidate in candidates:
        grid = pd.date_range(first, last, freq=candidate)
        if len(grid) and grid[0] == first and stamps.isin(grid).all():
            return candidate
    raise InputError("cannot infer the frequency of ds; pass it (--freq MS, W-SUN, D, h ...)", source=source)


def _check_freq(freq: str | int) -> str | int:
    import pandas as pd

    if isinstance(freq, int) or (isinstance(freq, str) and freq.isdigit()):
        return int(freq)
    try:
        return pd.tseries.frequencies.to_offset(freq).freqstr
    except ValueError as exc:
        raise InputError(f"invalid frequency {freq!r}: {exc}") from exc


def _regularise(frame: pd.DataFrame, freq: str | int, keys: Sequence[str], source: str) -> pd.DataFrame:
    """Reindex every series on its full grid from first to last period; new rows have ``y`` missing."""
    import pandas as pd

    parts = []
    for uid, group in frame.groupby("unique_id", sort=False):
        first, last = group["ds"].iloc[0], group["ds"].iloc[-1]
        if isinstance(freq, int):
            grid = pd.Index(range(int(first), int(last) + freq, freq), name="ds")
        else:
            grid = pd.date_range(first, last, freq=freq, name="ds")
        off_grid = ~group["ds"].isin(grid)
        if off_grid.any():
            raise InputError(
                f"series {uid!r}: ds {group['ds'][off_grid].iloc[0]} is not on the {freq} grid"
                f" starting at {first} (wrong --freq?)",
                source=source,
            )
        full = group.set_index("ds").reindex(grid).reset_index()
        full["unique_id"] = uid
        for key in keys:
            full[key] = group[key].iloc[0]
        parts.append(full)
    return pd.concat(parts, ignore_index=True)


def _issues(raw_missing: pd.DataFrame, frame: pd.DataFrame, season_length: int) -> list[DataIssue]:
    issues = []
    for kind, mask, noun in (
        ("gap", raw_missing["gap"], "missing period(s)"),
        ("missing", raw_missing["nan"], "missing value(s) of y"),
    ):
        for uid, rows in frame[mask.to_numpy()].groupby("unique_id", sort=False):
            first = period_label(rows["ds"].iloc[0])
            issues.append(
                DataIssue(kind, str(uid), len(rows), first, f"{uid}: {len(rows)} {noun}, first at {first}")
            )
    for uid, rows in frame[frame["y"] < 0].groupby("unique_id", sort=False):
        first = period_label(rows["ds"].iloc[0])
        issues.append(
            DataIssue(
                "negative",
                str(uid),
                len(rows),
                first,
                f"{uid}: {len(rows)} negative value(s), first at {first}",
            )
        )
    for uid, group in frame.groupby("unique_id", sort=False):
        if len(group) < 2 * season_length + 2:
            issues.append(
                DataIssue(
                    "short",
                    str(uid),
                    len(group),
                    period_label(group["ds"].iloc[0]),
                    f"{uid}: only {len(group)} periods; seasonal models need"
                    f" {2 * season_length + 2}, simpler ones are used",
                )
            )
    return issues


def load_series(
    data: str | Path | pd.DataFrame,
    *,
    freq: str | int | None = None,
    season_length: int | None = None,
    hierarchy: Sequence[str] = (),
    exog: Sequence[str] | None = None,
    fill: FillPolicy = "interpolate",
    duplicates: DuplicatePolicy = "error",
) -> SeriesData:
    """Read and check long data; fill gaps and missing ``y`` per ``fill``; resolve duplicates per ``duplicates``.

    Without ``unique_id`` but with ``hierarchy`` columns, a series is one combination of them (joined by ``/``).
    ``exog=None`` takes every other numeric column as an exogenous driver. Example in the module docstring.
    """
    import numpy as np
    import pandas as pd

    source = str(data) if not isinstance(data, pd.DataFrame) else "<data>"
    csv_like = not source.lower().endswith((".parquet", ".pq"))
    frame = read_table(data) if not isinstance(data, pd.DataFrame) else data.reset_index(drop=True).copy()
    frame.columns = [str(column).strip() for column in frame.columns]
    hierarchy = tuple(hierarchy)
    if "unique_id" not in frame.columns and hierarchy:
        missing = [c for c in hierarchy if c not in frame.columns]
        if not missing:
            frame["unique_id"] = frame[list(hierarchy)].astype(str).agg("/".join, axis=1)
    required = ["unique_id", "ds", "y", *hierarchy]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(frame.columns) or 'none'}",
            source=source,
        )
    if frame.empty:
        raise InputError("no rows", source=source)
    for column in ("unique_id", "ds", *hierarchy):
        nulls = frame[column].isna()
        if nulls.any():
            raise InputError(
                f"row {_row(int(nulls.to_numpy().nonzero()[0][0]), csv_like)}, column {column}: empty",
                source=source,
            )
    frame["unique_id"] = frame["unique_id"].astype(str)
    for column in hierarchy:
        frame[column] = frame[column].astype(str)
    frame["ds"] = parse_ds(frame["ds"], source, csv_like)
    y = pd.to_numeric(frame["y"], errors="coerce")
    bad = y.isna() & frame["y"].notna() & (frame["y"].astype(str).str.strip() != "")
    if bad.any():
        index = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"row {_row(index, csv_like)}, column y: {frame['y'].iloc[index]!r} is not a number",
            source=source,
        )
    frame["y"] = y.astype("float64")
    if np.isinf(frame["y"]).any():
        index = int(np.isinf(frame["y"]).to_numpy().nonzero()[0][0])
        raise InputError(f"row {_row(index, csv_like)}, column y: infinite value", source=source)
    others = [c for c in frame.columns if c not in ("unique_id", "ds", "y", *hierarchy)]
    if exog is None:
        exog = tuple(c for c in others if pd.api.types.is_numeric_dtype(frame[c]))
    exog = tuple(exog)
    for column in exog:
        if column not in frame.columns:
            raise InputError(f"exogenous column {column!r} not found", source=source)
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            index = int(values.isna().to_numpy().nonzero()[0][0])
            raise InputError(
                f"row {_row(index, csv_like)}, column {column}: missing or not a number", source=source
            )
        frame[column] = values.astype("float64")
    if hierarchy:
        per_id = frame.groupby("unique_id")[list(hierarchy)].nunique().max(axis=1)
        if (per_id > 1).any():
            raise InputError(
                f"series {per_id[per_id > 1].index[0]!r} has more than one value of the hierarchy"
                f" columns {', '.join(hierarchy)}",
                source=source,
            )
    frame = frame[["unique_id", "ds", "y", *hierarchy, *exog]]
    dup = frame.duplicated(["unique_id", "ds"], keep=False)
    if dup.any():
        if duplicates == "error":
            rows = dup.to_numpy().nonzero()[0][:2]
            raise InputError(
                f"rows {' and '.join(str(_row(int(r), csv_like)) for r in rows)}: duplicate"
                f" (unique_id, ds) = ({frame['unique_id'].iloc[rows[0]]}, {frame['ds'].iloc[rows[0]]});"
                " use duplicates='sum' (--duplicates sum) to add them up",
                source=source,
            )
        agg = {
            "y": (lambda s: s.sum(min_count=1)) if duplicates == "sum" else "last",
            **{c: "first" for c in hierarchy},
            **{c: "last" for c in exog},
        }
        frame = frame.groupby(["unique_id", "ds"], sort=False, as_index=False).agg(agg)
    frame = frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    freq = _check_freq(freq) if freq is not None else _infer_freq(frame, source)
    season_length = season_length or default_season_length(freq)
    nan_before = frame.set_index(["unique_id", "ds"])["y"].isna()
    frame = _regularise(frame, freq, hierarchy, source)
    key = pd.MultiIndex.from_frame(frame[["unique_id", "ds"]])
    flags = pd.DataFrame(
        {"gap": ~key.isin(nan_before.index), "nan": nan_before.reindex(key).eq(True).to_numpy()}
    )
    issues = _issues(flags, frame, season_length)
    if frame["y"].isna().any():
        if fill == "error":
            first = frame[frame["y"].isna()].iloc[0]
            raise InputError(
                f"series {first['unique_id']!r}: no value at {first['ds']} (gap or missing y)", source=source
            )
        if fill == "zero":
            frame["y"] = frame["y"].fillna(0.0)
        else:
            frame["y"] = frame.groupby("unique_id", sort=False)["y"].transform(
                lambda s: s.interpolate(limit_direction="both")
            )
        if frame["y"].isna().any():
            raise InputError(
                f"series {frame[frame['y'].isna()]['unique_id'].iloc[0]!r} has no values", source=source
            )
    for column in exog:
        frame[column] = frame.groupby("unique_id", sort=False)[column].transform(lambda s: s.ffill().bfill())
    report = DataReport(
        source=source,
        n_series=int(frame["unique_id"].nunique()),
        n_rows=len(frame),
        start=period_label(frame["ds"].min()),
        end=period_label(frame["ds"].max()),
        freq=str(freq),
        season_length=int(season_length),
        issues=tuple(issues),
    )
    return SeriesData(frame, freq, int(season_length), hierarchy, exog, report)
