"""Writing result tables: CSV or Parquet by suffix, through a temporary file renamed into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from argentier.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["write_atomic", "write_table"]


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never half of it.

    >>> write_atomic("note.txt", b"ok").read_bytes()
    b'ok'
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InputError("folder does not exist", source=str(path.parent))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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
