"""Wake the outbox tail when any process commits an event (PostgreSQL LISTEN/NOTIFY).

A notification only says "look": the tail reads the outbox itself, so notifications lost while
the connection is down cost latency, not events, and one is faked after every reconnect.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "liaison_outbox"  # notified by the outbox insert trigger with the new seq
CHECK_SECONDS = 0.5  # how often the thread looks up from waiting to see if it must stop
MAX_BACKOFF_SECONDS = 30.0


class PgListener:
    """A thread holding its own connection (outside the pool), LISTENing on CHANNEL."""

    def __init__(self, conninfo: str, wake: Callable[[], None]) -> None:
        self._conninfo = conninfo
        self._wake = wake
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    backoff = 0.5
                    self._wake()  # whatever was notified while we were away
                    while not self._stopping.is_set():
                        for _ in connection.notifies(timeout=CHECK_SECONDS):
                            self._wake()
            except psycopg.Error as error:
                log.warning("outbox LISTEN connection lost (%s); retrying in %.1fs", error, backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


def listen_for_commits(engine: Engine, wake: Callable[[], None]) -> PgListener | None:
    """Start a listener on PostgreSQL; None on SQLite, where the tail's timer is the only
    wake-up for commits made by other processes (the CLI, say)."""
    if engine.dialect.name != "postgresql":
        return None
    url = engine.url.set(drivername="postgresql")
    listener = PgListener(url.render_as_string(hide_password=False), wake)
    listener.start()
    return listener
