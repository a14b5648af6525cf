"""``argentier serve`` runs the REST API; ``argentier users`` creates users and API tokens (the first admin too)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from argentier.cli._common import (
    AppContext,
    ArgentierGroup,
    console,
    json_option,
    pass_app,
    print_json,
    progress_bar,
    split_groups,
)


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on  [default: [api] host, 127.0.0.1].")
@click.option(
    "--port", default=None, type=click.IntRange(1, 65535), help="Port  [default: [api] port, 8000]."
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load each module's demo data first, create the 'demo' admin and print a one-click login URL.",
)
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, demo: bool) -> None:
    """Serve the REST API and web app (OpenAPI schema at /openapi.json, interactive docs at /docs)."""
    import uvicorn

    from argentier.api import create_app

    settings = app.settings
    host = host or settings.api.host
    port = port or settings.api.port
    if settings.api.blas_threads is not None:
        import numpy  # noqa: F401 - loads BLAS, so the limit below reaches it
        from threadpoolctl import threadpool_limits

        # Requests already run in parallel; BLAS threads on top of them fight for the same cores (a query's
        # embedding took 128 ms with 2 threads against 13 ms with 1 on the 2-core reference machine, loaded).
        threadpool_limits(settings.api.blas_threads, user_api="blas")
    api = create_app(settings)
    if demo:
        _load_demo(api, host, port)
    console.print(f"Argentier on http://{host}:{port}/ (web app; REST API docs at /docs); Ctrl+C to stop")
    uvicorn.run(api, host=host, port=port, log_level="warning")


DEMO_USER = "demo"
DEMO_GROUPS = ("treasury",)  # the demo corpus's one restricted group, so the demo admin reads every document


def _load_demo(api, host: str, port: int) -> None:  # api: the FastAPI app (imported lazily)
    """Load the demo data into the app's store and home, make sure the demo admin exists, print the login URL."""
    import secrets

    from argentier.api._datasets_demo import load_demo_data
    from argentier.api.auth import create_token, create_user, list_users

    services = api.state.services
    store = services.store
    if not any(user.username == DEMO_USER for user in list_users(store)):
        # A random password nobody needs: the token below logs in; `argentier users token demo` issues more.
        create_user(store, DEMO_USER, secrets.token_urlsafe(24), role="admin", groups=DEMO_GROUPS)
    with progress_bar() as progress:
        task = progress.add_task("loading demo data", total=None)
        steps = load_demo_data(
            services,
            owner=DEMO_USER,
            groups=(),  # demo datasets are public: every user of the demo sees them
            on_step=lambda name: progress.update(task, description=f"loading demo data: {name}"),
        )
    console.print("[bold]Demo data[/]")
    for step in steps:
        colour = {"failed": "red", "kept": "dim"}.get(step.status, "green")
        console.print(
            f"  [{colour}]{step.status:<7}[/] {step.module:<14} {escape(step.detail)} ({step.seconds:.1f} s)",
            highlight=False,
        )
    issued = create_token(store, DEMO_USER, name="serve-demo", expires_in_days=7)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"\n[bold]Open[/] http://{shown}:{port}/#token={issued.token}\n"
        f"  (logged in as {DEMO_USER}, admin; the token expires in 7 days)",
        highlight=False,
        soft_wrap=True,
    )


@click.group("users", cls=ArgentierGroup)
def users_group() -> None:
    """Users of the REST API and their tokens."""


@users_group.command("add")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["viewer", "analyst", "admin"]), default="viewer", show_default=True
)
@click.option("--groups", help="Comma-separated groups whose documents the user may read.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters (prompted when omitted; or set ARGENTIER_PASSWORD).",
    envvar="ARGENTIER_PASSWORD",
)
@json_option
@pass_app
def users_add(
    app: AppContext, username: str, role: str, groups: str | None, password: str, as_json: bool
) -> None:
    """Add a user; `argentier users add alice --role admin` bootstraps the first admin."""
    from argentier.api.auth import create_user

    with app.store() as store:
        user = create_user(store, username, password, role=role, groups=split_groups(groups) or ())
    if as_json:
        print_json(user.to_dict())
    else:
        console.print(
            f"user [bold]{escape(user.username)}[/] ({user.role}) added, groups: {', '.join(user.groups) or '-'}"
        )


@users_group.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
@click.option("--expires-days", type=click.FloatRange(min=0, min_open=True), help="Default: never expires.")
@json_option
@pass_app
def users_token(app: AppContext, username: str, name: str, expires_days: float | None, as_json: bool) -> None:
    """Issue an API token for USERNAME; it is printed once."""
    from argentier.api.auth import create_token

    with app.store() as store:
        issued = create_token(store, username, name=name, expires_in_days=expires_days)
    if as_json:
        print_json(issued.to_dict())
    else:
        console.print(f"token for {escape(username)} (shown once): [bold]{issued.token}[/]")


@users_group.command("list")
@json_option
@pass_app
def users_list(app: AppContext, as_json: bool) -> None:
    """Every user with role and groups."""
    from argentier.api.auth import list_users

    with app.store() as store:
        users = list_users(store)
    if as_json:
        print_json([user.to_dict() for user in users])
        return
    table = Table("id", "user", "role", "groups")
    for user in users:
        table.add_row(str(user.id), escape(user.username), user.role, escape(", ".join(user.groups)))
    console.print(table)
