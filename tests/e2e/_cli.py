"""The installed ``argentier`` command run in a subprocess, in a fresh data home: shared by the e2e tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ARGENTIER = str(Path(sys.executable).parent / "argentier")

Run = Callable[..., subprocess.CompletedProcess]


def clean_env(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without any ``ARGENTIER_*`` setting, pointed at ``home`` (and a database).

    ``COLUMNS`` is wide because rich squeezes tables into 80 columns when it does not write to a terminal.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env.update(ARGENTIER_HOME=str(home), COLUMNS="200")
    if database_url is not None:
        env["ARGENTIER_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def cli_runner(
    cwd: Path,
    database_url: str | None = None,
    *,
    prefix: Sequence[str] = (),
    timeout: float = 300,
    **extra_env: str,
) -> Run:
    """``run(*args, check=True, stdin=None)``: ``argentier [prefix] args`` in ``cwd`` with its home ``cwd/home``.

    With ``check`` a non-zero exit fails the test and shows the command's stderr; ``stdin`` is text to type.
    """
    env = clean_env(cwd / "home", database_url, **extra_env)

    def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        command = [ARGENTIER, *prefix, *args]
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False, input=stdin
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command[1:])} failed ({result.returncode}):\n{result.stderr}")
        return result

    run.env = env  # type: ignore[attr-defined] - for tests that start other processes in the same home
    return run
