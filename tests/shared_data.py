"""Public data under ``../shared/data`` (beside the project), for tests that need it.

A module of its own rather than in ``conftest.py``: with several ``conftest.py`` files in the tree (tests/browser
has one), ``from conftest import ...`` would find whichever was imported first.
"""

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ``../shared/data``; skips the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public data not available: {path} (it lives in ../shared beside the project)")
    return path
