"""Writing result tables: CSV or Parquet by suffix, through a temporary file renamed into place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from argentier.core.files import write_atomic as _write_atomic

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["write_atomic", "write_table"]


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; the folder must exist (a missing one is an :class:`InputError`)."""
    return _write_atomic(path, data, make_parents=False)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV, or Parquet when ``path`` ends in ``.parquet``/``.pq``.

    >>> import pandas as pd
    >>> write_table(pd.DataFrame({"a": [1]}), "t.csv").read_text()
    'a\\n1\\n'
    """
    import io

    path = Path(path)
    buffer = io.BytesIO()
    if path.suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(buffer, index=False)
    else:
        buffer.write(frame.to_csv(index=False).encode("utf-8"))
    return write_atomic(path, buffer.getvalue())
