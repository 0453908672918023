"""Engines and units of work, with the SQLite and PostgreSQL differences kept here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
_WRITE_OPTION = "liaison_writes"


def make_engine(url: str, **kwargs: Any) -> Engine:
    # hide_parameters: a logged database error must not carry the values being written.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for units of work that write.

    A deferred SQLite transaction that reads, then writes after another writer committed, fails
    at once with SQLITE_BUSY_SNAPSHOT; taking the write lock up front makes writers queue instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


class Database:
    """The node's database: short units of work for reading and for writing."""

    def __init__(self, engine: Engine, info: dict[str, Any] | None = None) -> None:
        """`info` is copied into every session (the node's signer travels this way)."""
        self.engine = engine
        self.read_sessions = sessionmaker(engine, expire_on_commit=False, info=info)
        self.write_sessions = sessionmaker(
            engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False, info=info
        )

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """Commit on success, roll back on any exception: no half-written change survives."""
        with self.write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
