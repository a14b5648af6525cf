"""Every docstring example in the package runs and gives the answer it shows."""

import doctest
import importlib
import pkgutil

import pytest

import argentier


def _modules() -> list[str]:
    names = [argentier.__name__]
    for info in pkgutil.walk_packages(argentier.__path__, prefix="argentier."):
        if ".migrations" in info.name or info.name == "argentier.__main__":
            continue  # Alembic scripts run inside a migration context; __main__ starts the CLI
        names.append(info.name)
    return names


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_core_modules_have_examples():
    documented = {
        name
        for name in MODULES
        if doctest.DocTestFinder().find(importlib.import_module(name))
        and any(test.examples for test in doctest.DocTestFinder().find(importlib.import_module(name)))
    }
    for name in ("argentier.config", "argentier.core.library", "argentier.core.chunking", "argentier.core.store"):
        assert name in documented
