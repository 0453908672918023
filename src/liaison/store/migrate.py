"""Alembic migrations driven from code: upgrade, status for /readyz, and the drift check."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from liaison.store.models import Base

SEARCH_OBJECTS = ("report_portions_fts", "ix_report_portions_search")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "liaison.store:migrations")
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def drift(engine: Engine) -> list[Any]:
    """Differences between the models and a database migrated to head (empty when they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        return list(compare_metadata(context, Base.metadata))


def include_name(name: str | None, kind: str, _parent: Any) -> bool:
    """Leave out the search index, which is engine-specific and kept by `store.search`."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def new_revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration (a developer's tool: `liaison db revision`)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
