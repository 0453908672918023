"""Migrations: the test database is at head, and the models and the migrations agree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from liaison.store import migrate
from liaison.store.engine import make_engine
from liaison.store.models import AuditTree, Base


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    yield engine
    engine.dispose()


def test_the_test_database_is_current(migrated_engine: Engine) -> None:
    assert migrate.head_revision() is not None
    assert migrate.current_revision(migrated_engine) == migrate.head_revision()
    assert migrate.is_current(migrated_engine)


def test_models_and_migrations_do_not_drift(migrated_engine: Engine) -> None:
    assert migrate.drift(migrated_engine) == []


def test_every_model_table_is_created_by_the_migrations(migrated_engine: Engine) -> None:
    tables = set(inspect(migrated_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_a_fresh_database_is_behind_until_upgraded(fresh_sqlite: Engine) -> None:
    assert migrate.current_revision(fresh_sqlite) is None
    assert not migrate.is_current(fresh_sqlite)
    migrate.upgrade(fresh_sqlite)
    assert migrate.is_current(fresh_sqlite)
    assert migrate.drift(fresh_sqlite) == []
    migrate.upgrade(fresh_sqlite)  # upgrading a current database is a no-op
    assert migrate.is_current(fresh_sqlite)


def test_a_database_at_an_older_revision_is_not_current(fresh_sqlite: Engine) -> None:
    migrate.upgrade(fresh_sqlite)
    with fresh_sqlite.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    assert migrate.current_revision(fresh_sqlite) == "older"
    assert not migrate.is_current(fresh_sqlite)


def test_the_first_migration_creates_the_empty_audit_tree(fresh_sqlite: Engine) -> None:
    migrate.upgrade(fresh_sqlite)
    with fresh_sqlite.connect() as connection:
        rows = connection.execute(select(AuditTree.__table__)).all()
    assert len(rows) == 1
    assert (rows[0].id, rows[0].size, rows[0].checkpoint_size) == (1, 0, 0)
