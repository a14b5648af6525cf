"""Reading user tables and YAML with one-line errors naming the file, row and column; atomic writes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argentier.core.files import atomic_path, write_atomic
from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_path",
    "money",
    "numeric_column",
    "read_table",
    "read_yaml",
    "require_columns",
    "write_atomic",
]


def money(value: float) -> Decimal:
    """A float amount from a solver or a simulation as a Decimal to the cent, for results and reports.

    >>> money(1234.5678)
    Decimal('1234.57')
    """
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame; unreadable, empty or unknown files raise :class:`InputError`."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in (".csv", ".txt", ".tsv"):
            frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", skipinitialspace=True)
        else:
            raise InputError(f"unknown file type {suffix!r} (expected .csv or .parquet)", source=str(path))
    except InputError:
        raise
    except ImportError as exc:
        raise InputError(f"reading {suffix} files needs an extra package: {exc}", source=str(path)) from exc
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputError(f"cannot read table: {str(exc).splitlines()[0]}", source=str(path)) from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    if frame.empty:
        raise InputError("no data rows", source=str(path))
    return frame


def read_yaml(path: str | Path) -> dict[str, Any]:
    """A YAML mapping from a file; syntax errors name the line."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"invalid YAML{where}: {getattr(exc, 'problem', exc)}", source=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("expected a YAML mapping at the top level", source=str(path))
    return data


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} (found: {', '.join(map(str, frame.columns))})",
            source=source,
        )


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    source: str,
    *,
    minimum: float | None = 0.0,
    allow_missing: bool = False,
) -> pd.Series:
    """The column as floats; the first non-numeric, missing, infinite or too small value is named by its row.

    Rows are numbered as in the file (header is line 1, so the first data row is row 2).
    """
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = values.isna() & ~(frame[column].isna() & allow_missing)
    bad |= np.isinf(values)
    if minimum is not None:
        bad |= values < minimum
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        shown = frame[column].iloc[position]
        need = "a finite number" + (f" >= {minimum:g}" if minimum is not None else "")
        raise InputError(f"row {position + 2}, column {column!r}: {shown!r} is not {need}", source=source)
    return values


