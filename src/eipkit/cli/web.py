"""`eipkit serve` and `eipkit users`: the web application and its accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from eipkit import i18n
from eipkit.api.registry import connect
from eipkit.cli.common import DbOption, attempt

users_app = typer.Typer(help="Accounts of the web application.")


def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo parks and one demo user per role.")] = False,
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Web processes (they share sessions, caches and jobs).")
    ] = 1,
) -> None:
    """Serve the web application (Vietnamese by default; English by the switch in the page header)."""
    import os

    import uvicorn

    from eipkit.api.registry import resolve_url
    from eipkit.jobs import queue
    from eipkit.web import create_app

    database = connect(db)
    if demo:
        from eipkit import demo as demo_data

        typer.echo("loading the demo ...")
        demo_data.load(database)
        names = demo_data.add_users(database, replace=False)
        if names:
            typer.echo(f"demo users (password {demo_data.DEMO_PASSWORD}): {', '.join(names)}")
        typer.echo("accounts that already existed keep their passwords")  # the pages say the data are synthetic
    typer.echo(f"eipkit on http://{host}:{port}/ (API documentation: /docs); database {database.url}")
    if queue.uses_queue(database):
        typer.echo("long calculations are run by `eipkit worker` processes: start at least one on this database")
    if workers == 1:
        uvicorn.run(create_app(database), host=host, port=port, log_level="warning")
        return
    os.environ["EIPKIT_DB"] = resolve_url(db)  # each web process opens the same database (and shows its banner)
    database.engine.dispose()
    uvicorn.run(
        "eipkit.web:app_from_environment", factory=True, workers=workers, host=host, port=port, log_level="warning"
    )


def worker(
    db: DbOption = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Jobs run at once.")] = 2,
) -> None:
    """Run the long calculations people submit (optimisations): any number of workers, on any machine that
    reaches the database. Stop with Ctrl-C; a job it was running goes to another worker."""
    from eipkit.jobs import queue

    database = connect(db)
    way = "procrastinate queue" if queue.uses_queue(database) else "jobs table (embedded)"
    queue.work(database, concurrency, lambda: typer.echo(f"eipkit worker on {database.url} ({way}); Ctrl-C to stop"))


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option("--role", help="ministry, board, coordinator, consultant or enterprise.")],
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option("--name")] = "",
    province: Annotated[str | None, typer.Option("--province", help="A board's province.")] = None,
    park: Annotated[str | None, typer.Option("--park", help="A coordinator's park.")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="An enterprise user's enterprise.")] = None,
    assign_park: Annotated[
        list[str] | None, typer.Option("--assign-park", help="A consultant's park (repeat).")
    ] = None,
    assign_enterprise: Annotated[
        list[str] | None, typer.Option("--assign-enterprise", help="A consultant's enterprise (repeat).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an account (or replace one: new password, role and assignments)."""
    from eipkit import users

    database = connect(db)
    user = attempt(
        lambda: users.add_user(
            database,
            username,
            password,
            role,
            name,
            province,
            park,
            enterprise,
            assign_park or (),
            assign_enterprise or (),
        ),
        i18n.language(None),
    )
    typer.echo(f"{user.username}: {user.role}")
