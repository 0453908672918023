"""Shared fixtures. Every test runs on SQLite, or on PostgreSQL too when LIAISON_TEST_DATABASE_URL
is set.

The schema is migrated once per run; each test starts from empty tables.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import ColumnElement, Engine, RowMapping, Table, select, text
from sqlalchemy.orm import Session

from liaison.actions.accounts import SignIn, do_create_user, do_sign_in
from liaison.app import create_app
from liaison.domain.accounts import SYSTEM, AccountPolicy, Principal
from liaison.node import Node
from liaison.settings import Settings
from liaison.store import migrate
from liaison.store.engine import make_engine
from liaison.store.models import Base, User

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LIAISON_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(
            text(
                "INSERT INTO audit_tree (id, size, frontier, checkpoint_size) "
                "VALUES (1, 0, '[]', 0)"
            )
        )


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        node_name="test.liaison",
        cookie_secure=False,
    )


@pytest.fixture
def node(settings: Settings, migrated_engine: Engine) -> Iterator[Node]:
    empty_tables(migrated_engine)
    opened = Node.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node)) as test_client:
        yield test_client


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(node: Node) -> UserFactory:
    def make(username: str, *roles: str, nation: str = "GBR", password: str = PASSWORD) -> User:
        with node.db.writing() as session:
            return do_create_user(
                session,
                SYSTEM,
                username=username,
                display_name=username.title(),
                nation=nation,
                roles=list(roles) or ["officer"],
                password=password,
                origin=node.settings.node_name,
            )

    return make


@pytest.fixture
def token_for(node: Node) -> Callable[[str], str]:
    def issue(username: str, password: str = PASSWORD) -> str:
        with node.db.writing() as session:
            outcome = do_sign_in(
                session,
                node.accounts,
                node.sealer,
                username=username,
                password=password,
                otp=None,
                kind="api",
            )
        assert outcome.secret is not None, outcome.failure
        return outcome.secret

    return issue


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def principal(user: User) -> Principal:
    return user.principal()


def sign_in(
    node: Node,
    username: str,
    password: str = PASSWORD,
    *,
    otp: str | None = None,
    kind: str = "api",
    policy: AccountPolicy | None = None,
) -> SignIn:
    """Sign in as the API and the web do, in a unit of work of its own."""
    with node.db.writing() as session:
        return do_sign_in(
            session,
            policy or node.accounts,
            node.sealer,
            username=username,
            password=password,
            otp=otp,
            kind=kind,
        )


def table_rows(node: Node, model: type[Base], *where: ColumnElement[bool]) -> list[RowMapping]:
    """A table's rows as plain mappings (usable after the session ends), in key order."""
    table = cast(Table, model.__table__)
    with node.db.reading() as session:
        query = select(table).where(*where).order_by(*table.primary_key.columns)
        return list(session.execute(query).mappings())


T = TypeVar("T")


def write(node: Node, work: Callable[[Session], T]) -> T:
    """Run `work` in a unit of work of its own: committed, or rolled back if it raises."""
    with node.db.writing() as session:
        return work(session)


class Abandoned(Exception):
    """Raised by `abandon` to fail a unit of work after its work succeeded."""


def abandon(node: Node, work: Callable[[Session], object]) -> None:
    """Run `work` in a unit of work, flush it, then fail the unit: none of it may remain."""
    with contextlib.suppress(Abandoned), node.db.writing() as session:
        work(session)
        session.flush()
        raise Abandoned
