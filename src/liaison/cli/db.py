"""liaison db: migrations."""

from __future__ import annotations

import typer

from liaison.cli.common import fail, open_node
from liaison.store import migrate

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Migrate the database to the latest schema (or to REVISION)."""
    with open_node(migrated=False) as node:
        migrate.upgrade(node.db.engine, revision)
        typer.echo(f"database at revision {migrate.current_revision(node.db.engine)}")


@app.command()
def check() -> None:
    """Fail when the models and the migrations disagree (run on a database at head)."""
    with open_node(migrated=False) as node:
        migrate.upgrade(node.db.engine)
        differences = migrate.drift(node.db.engine)
    if differences:
        for difference in differences:
            typer.echo(f"  {difference}", err=True)
        raise fail("models and migrations disagree: run `liaison db revision -m MESSAGE`")
    typer.echo("models and migrations agree")


@app.command()
def revision(message: str = typer.Option(..., "-m", "--message")) -> None:
    """Autogenerate a migration from the models (for developers)."""
    with open_node(migrated=False) as node:
        migrate.upgrade(node.db.engine)
        migrate.new_revision(node.db.engine, message)
