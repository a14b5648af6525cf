"""Writing files so that readers see the old file or the whole new one, never half of it.

Every output file of Argentier (CSV, Parquet, charts, models, uploads) is written beside its target under a
temporary name and renamed into place once complete. The temporary file is created private (``mkstemp``); it is
given the usual permissions (``0o666`` less the umask) before the rename, so an output is as readable as any file
the user writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from argentier.errors import InputError

__all__ = ["atomic_path", "safe_file_name", "write_atomic"]


def _usual_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, make_parents: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    With ``make_parents=False`` a missing folder is an :class:`~argentier.errors.InputError` naming it.

    >>> with atomic_path("report.csv") as temporary:
    ...     _ = temporary.write_text("a\\n1\\n")
    >>> Path("report.csv").read_text(), sorted(p.name for p in Path(".").iterdir())
    ('a\\n1\\n', ['report.csv'])
    """
    path = Path(path)
    parent = path.parent
    if not parent.exists():
        if not make_parents:
            raise InputError("folder does not exist", source=str(parent))
        parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, _usual_mode())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, make_parents: bool = True) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return the path.

    >>> write_atomic("note.txt", "ok").read_text(), oct(Path("note.txt").stat().st_mode & 0o777) != "0o600"
    ('ok', True)
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, make_parents=make_parents) as temporary:
        temporary.write_bytes(payload)
    return Path(path)


def safe_file_name(filename: str, suffixes: Iterable[str], *, what: str = "file") -> str:
    """The last component of an uploaded ``filename`` if it is a plain name with one of ``suffixes``.

    Folders (POSIX or Windows) are dropped; hidden, over-long names and control or reserved characters are an
    :class:`~argentier.errors.InputError`, as is a suffix outside ``suffixes``.

    >>> safe_file_name("../../etc/sales.csv", {".csv"}), safe_file_name("C:\\\\tmp\\\\plan.csv", {".csv"})
    ('sales.csv', 'plan.csv')
    """
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    if (
        not name
        or name.startswith(".")
        or len(name.encode("utf-8")) > 200
        or any(ord(char) < 32 or char in '<>:"|?*' for char in name)
    ):
        raise InputError(f"{filename!r} is not a file name", source="filename")
    allowed = sorted(suffixes)
    if Path(name).suffix.lower() not in allowed:
        raise InputError(f"unsupported {what} type (use {', '.join(allowed)})", source=name)
    return name
