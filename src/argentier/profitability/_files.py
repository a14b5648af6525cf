"""Atomic file output for the profitability module (see :mod:`argentier.core.files`)."""

from __future__ import annotations

from pathlib import Path

from argentier.core.files import write_atomic

__all__ = ["atomic_write_text"]


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder (created if missing)."""
    return write_atomic(path, text)
