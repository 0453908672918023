"""The engine and units of work: SQLite pragmas, UTC datetimes, UUIDv7 ids, versions, rollback."""

from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from liaison.actions.accounts import do_create_user
from liaison.domain.accounts import SYSTEM
from liaison.events.bus import Event
from liaison.node import Node
from liaison.store.engine import SQLITE_BUSY_TIMEOUT_MS, Database, make_engine
from liaison.store.ids import new_id
from liaison.store.models import AuditEntry, AuditTree, Credential, OutboxEvent, User
from liaison.store.types import utcnow
from tests.conftest import PASSWORD, abandon, write


def plain_user(username: str) -> User:
    """A row without Argon2 hashing: these tests are about storage, not passwords."""
    return User(
        username=username,
        display_name=username.title(),
        nation="GBR",
        roles=["officer"],
        password_hash="not-a-real-hash",
        origin="test.liaison",
    )


def store_user(node: Node, username: str) -> uuid.UUID:
    with node.db.writing() as session:
        user = plain_user(username)
        session.add(user)
        session.flush()
        return user.id


# --- SQLite -----------------------------------------------------------------------------


def test_sqlite_pragmas_are_in_force_on_every_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    try:
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert (
                    connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                    == SQLITE_BUSY_TIMEOUT_MS
                )
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert SQLITE_BUSY_TIMEOUT_MS >= 1000
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_enforced(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql(
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                "NOT NULL REFERENCES parent (id))"
            )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 42)")
    finally:
        engine.dispose()


def test_sqlite_writing_units_take_the_write_lock_up_front(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a writer holds the lock from its first statement, even a read."""
    path = tmp_path / "lock.sqlite3"
    db = Database(make_engine(f"sqlite:///{path}"))
    try:
        with db.writing() as session:
            session.execute(text("SELECT 1"))
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
        with db.reading() as session:
            session.execute(text("SELECT 1"))
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # a reader does not block writers
                other.execute("ROLLBACK")
            finally:
                other.close()
    finally:
        db.dispose()


# --- both engines -------------------------------------------------------------------------


def test_foreign_keys_are_enforced_on_the_node_database(node: Node) -> None:
    orphan = Credential(
        id=new_id(),
        kind="api",
        secret_hash=b"\x00" * 32,
        user_id=uuid.uuid4(),  # no such user
        expires_at=utcnow() + timedelta(hours=1),
    )
    with pytest.raises(IntegrityError):
        write(node, lambda session: session.add(orphan))
    with node.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Credential)) == 0


def test_aware_datetimes_round_trip_as_utc(node: Node) -> None:
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=plus_two)
    user_id = store_user(node, "timekeeper")
    with node.db.writing() as session:
        session.get_one(User, user_id).locked_until = moment
    with node.db.reading() as session:
        user = session.get_one(User, user_id)
        stored = user.locked_until
        created_at = user.created_at
    assert stored is not None
    assert stored == moment
    assert stored.tzinfo is UTC
    assert (stored.hour, stored.microsecond) == (1, 678901)
    assert created_at.tzinfo is UTC
    assert abs(utcnow() - created_at) < timedelta(minutes=1)


def test_naive_datetimes_are_refused(node: Node) -> None:
    user_id = store_user(node, "naive")

    def set_naive(session: Session) -> None:
        session.get_one(User, user_id).locked_until = datetime(2030, 1, 1)

    with pytest.raises(StatementError, match="naive datetime"):
        write(node, set_naive)


def test_ids_are_uuid7_and_carry_the_creation_time() -> None:
    now_ms = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(500)]
    assert all(isinstance(value, uuid.UUID) and value.version == 7 for value in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    # the first 48 bits are the Unix time in milliseconds (pushed ahead a little, if at all,
    # to keep ids that are made within the same millisecond in order)
    assert 0 <= (ids[0].int >> 80) - now_ms < 5_000


def test_ids_sort_by_creation_in_the_database(node: Node) -> None:
    names = [f"user{n:02d}" for n in range(12)]
    created = [store_user(node, name) for name in names]
    assert all(value.version == 7 for value in created)
    with node.db.reading() as session:
        in_id_order = list(session.scalars(select(User.username).order_by(User.id)))
    assert in_id_order == names


def test_version_increments_on_update(node: Node) -> None:
    user_id = store_user(node, "versioned")
    with node.db.reading() as session:
        first = session.get_one(User, user_id)
        assert first.version == 1
        created_updated_at = first.updated_at
    with node.db.writing() as session:
        session.get_one(User, user_id).display_name = "Renamed once"
    with node.db.writing() as session:
        session.get_one(User, user_id).display_name = "Renamed twice"
    with node.db.reading() as session:
        user = session.get_one(User, user_id)
        assert user.version == 3
        assert user.updated_at > created_updated_at


def test_a_stale_update_raises_and_changes_nothing(node: Node) -> None:
    user_id = store_user(node, "contested")
    with node.db.reading() as session:
        stale = session.get_one(User, user_id)
        session.expunge(stale)  # a copy read earlier, at version 1
    with node.db.writing() as session:
        session.get_one(User, user_id).display_name = "First writer"

    def update_stale_copy(session: Session) -> None:
        session.add(stale)
        stale.display_name = "Second writer, from a stale copy"

    with pytest.raises(StaleDataError):
        write(node, update_stale_copy)
    with node.db.reading() as session:
        user = session.get_one(User, user_id)
        assert (user.display_name, user.version) == ("First writer", 2)


def counts(node: Node) -> tuple[int, int, int, int]:
    with node.db.reading() as session:
        tree = session.get_one(AuditTree, 1)
        return (
            session.scalar(select(func.count()).select_from(User)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
            tree.size,
        )


def create(session: Session, username: str) -> User:
    return do_create_user(
        session,
        SYSTEM,
        username=username,
        display_name=username,
        nation="GBR",
        roles=["officer"],
        password=PASSWORD,
        origin="test.liaison",
    )


def test_a_failing_unit_of_work_leaves_no_trace(node: Node) -> None:
    published: list[Event] = []
    node.bus.subscribe(published.append)

    def written(session: Session) -> None:
        create(session, "halfway")
        session.flush()
        in_session = [
            session.scalar(select(func.count()).select_from(model))
            for model in (User, AuditEntry, OutboxEvent)
        ]
        assert in_session == [1, 1, 1]  # all three were written before the failure

    abandon(node, written)
    assert counts(node) == (0, 0, 0, 0)
    assert published == []


def test_a_database_error_rolls_back_the_whole_unit_of_work(node: Node) -> None:

    def clash(session: Session) -> None:
        create(session, "doomed")
        session.add(plain_user("doomed"))  # the same username: a unique violation at flush

    with pytest.raises(IntegrityError):
        write(node, clash)
    assert counts(node) == (0, 0, 0, 0)
