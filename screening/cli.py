"""The `screening` command: serve, manage keys, load the demo catalogue, rebuild indexes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from screening.settings import Settings

app = typer.Typer(help="Listing screening service.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
index_app = typer.Typer(help="The brand-similarity index.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(index_app, name="index")
err = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the HTTP API (one process; models load once)."""
    import uvicorn

    from api.main import create_app

    uvicorn.run(create_app(Settings()), host=host, port=port, log_level=log_level)


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest."""
    from screening.db.migrate import upgrade

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    err.print(f"migrated {settings.resolved_database_url.split('@')[-1]}")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="listing-flow, moderator, brand-owner or admin")],
    brand: Annotated[list[str] | None, typer.Option(help="brand id (brand-owner keys)")] = None,
    name: Annotated[str | None, typer.Option(help="a label for the key")] = None,
) -> None:
    """Create an API key and print it as one JSON object."""
    from screening.errors import ScreeningError
    from screening.keys import create_key
    from screening.service import Service
    from screening.types import Role

    try:
        role_value = Role(role)
    except ValueError:
        err.print(f"[red]unknown role {role!r}[/]; use one of {', '.join(r.value for r in Role)}")
        raise typer.Exit(2) from None
    service = Service.create(Settings())
    try:
        with service.sessions() as session, session.begin():
            created = create_key(session, role_value, brand or [], name)
    except ScreeningError as exc:
        err.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(2) from None
    finally:
        service.close()
    typer.echo(json.dumps({"id": created.id, "key": created.key, "role": created.role.value,
                           "brand_ids": created.brand_ids}))


@app.command()
def demo(
    catalogue: Annotated[Path | None, typer.Option(help="brands TSV to load")] = None,
) -> None:
    """Load the demo catalogue (brands, aliases, product lines, floors, marks); idempotent."""
    from screening.demo import load_demo

    service_settings = Settings()
    summary = load_demo(service_settings, catalogue)
    table = Table("loaded", "count")
    for key, value in summary.items():
        table.add_row(key, str(value))
    err.print(table)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild every index space from the database (re-embedding stale vectors)."""
    from screening.service import Service

    service = Service.create(Settings())
    try:
        service.load()
        table = Table("space", "vectors")
        for space in list(service.index.spaces()):
            table.add_row(space, str(service.index.rebuild(space)))
        err.print(table)
    finally:
        service.close()


if __name__ == "__main__":
    app()
