"""What every command shares: settings and library from the context, JSON output, tables, errors."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from argentier.config import Settings, load_settings
from argentier.errors import ArgentierError

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
err_console = Console(stderr=True)


@dataclass
class AppContext:
    """Per-invocation state: the config file named with ``--config`` and the settings read from it."""

    config_path: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @contextmanager
    def library(self) -> Iterator["Library"]:  # noqa: F821 - imported lazily to keep start-up fast
        from argentier.core.library import Library

        library = Library.open(self.settings)
        try:
            yield library
        finally:
            library.close()

    @contextmanager
    def store(self) -> Iterator["Store"]:  # noqa: F821 - imported lazily
        """The store alone, for commands that need no embedding model."""
        from argentier.core.store import Store

        store = Store.open(self.settings.effective_database_url)
        try:
            yield store
        finally:
            store.close()


pass_app = click.make_pass_decorator(AppContext, ensure=True)


def json_option(function: F) -> F:
    """Add ``--json``: print machine-readable output instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables.")(
        function
    )


def progress_bar(*, disable: bool = False) -> Progress:
    """The progress bar of long commands, on stderr (so ``--json`` output stays clean), gone when done."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=disable,
    )


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def split_groups(value: str | None) -> list[str] | None:
    """``"a,b"`` -> ``["a", "b"]``; ``None`` stays ``None`` (no access restriction)."""
    if value is None:
        return None
    return [group.strip() for group in value.split(",") if group.strip()]


def parse_meta(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("k=v", ...)`` -> ``{"k": "v"}``; a pair without ``=`` is a usage error."""
    meta = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--meta")
        meta[key.strip()] = value.strip()
    return meta


class ArgentierGroup(click.Group):
    """A click group that turns :class:`ArgentierError` into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArgentierError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            sys.exit(1)
