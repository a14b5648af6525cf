"""Datasets: tabular files (CSV, Parquet) uploaded once and used by the analytical endpoints by id.

A dataset lives in ``<home>/datasets/<id>/``: the file under the name it was uploaded with, and a JSON sidecar
``.dataset.json`` (name, groups, owner, columns, row count, size, hash) written atomically *after* the file, so
a directory without a sidecar is an upload that did not finish and is never listed. There is no store table
(and no migration): listing reads the sidecars, fine for hundreds of datasets, not for millions.

The id hashes the bytes with the name and groups: uploading the same file again is ``unchanged``, the same
file uploaded for other groups is a dataset of its own. A dataset is readable by a caller who shares one of its
groups (or when it is in the public group), like documents.

>>> datasets = DatasetStore("datasets", public_group="public")
>>> info, created = datasets.add(b"ds,y\\n2024-01-01,3\\n", "sales.csv", groups=["finance"], owner="ana")
>>> created, info.rows, [c["name"] for c in info.columns]
(True, 1, ['ds', 'y'])
>>> [item.id for item in datasets.list(groups=["hr"])]
[]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argentier.core.files import safe_file_name, write_atomic
from argentier.errors import AccessDeniedError, InputError, NotFoundError

__all__ = ["DATASET_SUFFIXES", "DatasetInfo", "DatasetStore", "read_frame", "safe_dataset_name"]

DATASET_SUFFIXES = (".csv", ".parquet", ".pq")
_SIDECAR = ".dataset.json"
_ID = re.compile(r"^[0-9a-f]{32}$")


def safe_dataset_name(filename: str) -> str:
    """The base name of ``filename`` if it is a plain CSV or Parquet file name, else an :class:`InputError`.

    >>> safe_dataset_name("../../etc/sales.csv"), safe_dataset_name("C:\\\\tmp\\\\plan.parquet")
    ('sales.csv', 'plan.parquet')
    """
    return safe_file_name(filename, DATASET_SUFFIXES, what="dataset")


def read_frame(path: Path, *, nrows: int | None = None) -> Any:
    """The table in ``path`` as a pandas DataFrame (CSV or Parquet); unreadable files are an :class:`InputError`."""
    import pandas as pd

    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            return frame.head(nrows) if nrows is not None else frame
        return pd.read_csv(path, nrows=nrows)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise InputError(f"cannot read the table: {reason}", source=path.name) from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises its own error types for corrupt files
        raise InputError(f"cannot read the table: {type(exc).__name__}", source=path.name) from None


@dataclass(frozen=True)
class DatasetInfo:
    """One uploaded dataset's metadata (the sidecar), with the path of its file."""

    id: str
    name: str
    format: str
    groups: tuple[str, ...]
    owner: str
    size: int
    sha256: str
    rows: int
    columns: tuple[dict[str, str], ...]
    created_at: datetime
    path: Path

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column["name"] for column in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "format": self.format,
            "groups": list(self.groups),
            "owner": self.owner,
            "size": self.size,
            "sha256": self.sha256,
            "rows": self.rows,
            "columns": [dict(column) for column in self.columns],
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def _from_sidecar(cls, directory: Path, data: dict[str, Any]) -> DatasetInfo:
        return cls(
            id=data["id"],
            name=data["name"],
            format=data["format"],
            groups=tuple(data["groups"]),
            owner=data["owner"],
            size=int(data["size"]),
            sha256=data["sha256"],
            rows=int(data["rows"]),
            columns=tuple(data["columns"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            path=directory / data["name"],
        )


class DatasetStore:
    """The datasets under one directory (``<home>/datasets``)."""

    def __init__(self, root: str | os.PathLike[str], *, public_group: str = "public") -> None:
        self.root = Path(root)
        self.public_group = public_group

    def _normalise(self, groups: Iterable[str] | None) -> tuple[str, ...]:
        cleaned = sorted({group.strip() for group in (groups or ()) if group and group.strip()})
        return tuple(cleaned) or (self.public_group,)

    def readable(self, info: DatasetInfo, groups: Iterable[str] | None) -> bool:
        """Whether ``groups`` (``None``: everything) may read ``info``."""
        if groups is None:
            return True
        allowed = set(groups) | {self.public_group}
        return bool(allowed & set(info.groups))

    def add(
        self, data: bytes, filename: str, *, groups: Iterable[str] | None, owner: str
    ) -> tuple[DatasetInfo, bool]:
        """Keep ``data`` as dataset ``filename``; ``(info, created)``; a table that does not parse keeps nothing."""
        name = safe_dataset_name(filename)
        if not data:
            raise InputError("the request body is empty; send the file's bytes", source=name)
        kept_groups = self._normalise(groups)
        digest = hashlib.sha256(data).hexdigest()
        key = hashlib.sha256(f"{digest}\n{name}\n{','.join(kept_groups)}".encode()).hexdigest()[:32]
        directory = self.root / key
        if (directory / _SIDECAR).is_file():
            return self._read(directory), False
        directory.mkdir(parents=True, exist_ok=True)
        try:
            target = directory / name
            write_atomic(target, data)
            frame = read_frame(target)
            if frame.shape[1] == 0:
                raise InputError("the table has no columns", source=name)
            sidecar = {
                "id": key,
                "name": name,
                "format": "parquet" if target.suffix.lower() in (".parquet", ".pq") else "csv",
                "groups": list(kept_groups),
                "owner": owner,
                "size": len(data),
                "sha256": digest,
                "rows": int(frame.shape[0]),
                "columns": [{"name": str(column), "dtype": str(dtype)} for column, dtype in frame.dtypes.items()],
                "created_at": datetime.now(UTC).isoformat(),
            }
            write_atomic(directory / _SIDECAR, json.dumps(sidecar, indent=1).encode())
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return self._read(directory), True

    def _read(self, directory: Path) -> DatasetInfo:
        return DatasetInfo._from_sidecar(directory, json.loads((directory / _SIDECAR).read_text("utf-8")))

    def list(self, *, groups: Iterable[str] | None = None) -> list[DatasetInfo]:
        """The complete datasets ``groups`` may read, oldest first."""
        if not self.root.is_dir():
            return []
        found = []
        for sidecar in self.root.glob(f"*/{_SIDECAR}"):
            try:
                info = self._read(sidecar.parent)
            except (OSError, ValueError, KeyError):
                continue  # a damaged sidecar hides one dataset, it does not break the listing
            if self.readable(info, groups):
                found.append(info)
        return sorted(found, key=lambda info: (info.created_at, info.id))

    def get(self, dataset_id: str, *, groups: Iterable[str] | None = None) -> DatasetInfo:
        """One dataset; :class:`NotFoundError` if missing, :class:`AccessDeniedError` if ``groups`` may not read it."""
        directory = self.root / dataset_id
        if not _ID.match(dataset_id) or not (directory / _SIDECAR).is_file():
            raise NotFoundError(f"no dataset {dataset_id}")
        info = self._read(directory)
        if not self.readable(info, groups):
            raise AccessDeniedError(f"not allowed to read dataset {dataset_id}")
        return info

    def frame(self, dataset_id: str, *, groups: Iterable[str] | None = None, nrows: int | None = None) -> Any:
        return read_frame(self.get(dataset_id, groups=groups).path, nrows=nrows)

    def remove(self, dataset_id: str, *, groups: Iterable[str] | None = None) -> DatasetInfo:
        """Delete a dataset (its sidecar first, so a half-deleted one is no longer listed)."""
        info = self.get(dataset_id, groups=groups)
        (info.path.parent / _SIDECAR).unlink()
        shutil.rmtree(info.path.parent, ignore_errors=True)
        return info


def dataset_store(services: Any) -> DatasetStore:
    """The datasets of the API's home (``<home>/datasets``)."""
    return DatasetStore(Path(services.settings.home) / "datasets", public_group=services.settings.search.public_group)


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready rows: dates as ISO text, NaN as null."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def require_columns(info: DatasetInfo, columns: Iterable[str], purpose: str) -> None:
    """A clear :class:`InputError` naming the columns ``info`` lacks for ``purpose``."""
    missing = [column for column in columns if column not in info.column_names]
    if missing:
        raise InputError(
            f"dataset {info.name} has no column(s) {', '.join(missing)} needed for {purpose}"
            f" (it has {', '.join(info.column_names)})",
            source=info.name,
        )


def plain(value: Any) -> Any:
    """``value`` with NumPy scalars, decimals, dates and paths made JSON-ready, and NaN or infinities as null.

    >>> import numpy as np
    >>> plain({"n": np.int64(3), "x": [np.float64("nan"), 1.5], "t": (1, 2)})
    {'n': 3, 'x': [None, 1.5], 't': [1, 2]}
    """
    import math
    from datetime import date
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value
