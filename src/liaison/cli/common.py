"""What every command needs: the node from settings, and errors turned into one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from liaison.audit.checkpoint import KeyFileError
from liaison.domain.errors import LiaisonError
from liaison.node import Node
from liaison.settings import Settings
from liaison.store import migrate


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"liaison: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "LIAISON_" + str(first["loc"][0]).upper() if first["loc"] else "LIAISON_*"
        raise fail(f"bad setting {name}: {first['msg']}", 2) from None


@contextmanager
def open_node(*, migrated: bool = True) -> Iterator[Node]:
    """Open the node and check the database answers (and, if `migrated`, that its schema is
    current); any failure is one line and exit 1."""
    settings = load_settings()
    try:
        node = Node.open(settings)
    except (KeyFileError, PermissionError, OSError) as error:
        raise fail(str(error)) from None
    try:
        check_database(node)
        if migrated and not migrate.is_current(node.db.engine):
            raise fail("the database schema is not current: run `liaison db upgrade`")
        yield node
    except LiaisonError as error:
        raise fail(str(error)) from None
    finally:
        node.close()


def check_database(node: Node) -> None:
    try:
        with node.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        url = make_url(node.settings.resolved_database_url).render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0]
        raise fail(f"database unreachable at {url}: {reason}") from None
