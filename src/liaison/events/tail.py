"""Read the outbox in seq order, once per process, and hand new events to listeners.

Every process tails the same table, so a change committed by any process reaches the live
streams of all of them. The tail is woken by this process's bus, by PostgreSQL notifications
(`pg_listen`) and by a timer, so a lost wake-up delays events by at most POLL_SECONDS and
never loses them: the outbox, not the wake-up, is the source of truth.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.events.bus import Event, EventBus
from liaison.events.outbox import _as_event
from liaison.events.pg_listen import listen_for_commits
from liaison.store.engine import Database
from liaison.store.models import OutboxEvent

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # the safety net: read even when no wake-up came
BATCH = 500
RETRY_SECONDS = 5.0  # after a failed read (the database is down, say)
STOP_SECONDS = 10.0  # a thread stuck connecting to a lost database is a daemon: leave it

Listener = Callable[[list[Event]], None]


def read_after(session: Session, after: int, *, through: int | None = None) -> list[Event]:
    """Up to BATCH events with `after < seq <= through`, in seq order."""
    query = select(OutboxEvent).where(OutboxEvent.seq > after)
    if through is not None:
        query = query.where(OutboxEvent.seq <= through)
    rows = session.scalars(query.order_by(OutboxEvent.seq).limit(BATCH))
    return [_as_event(row) for row in rows]


def newest_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(OutboxEvent.seq))) or 0)


class OutboxTail:
    """One per process: a thread that reads `seq > position` whenever it is woken."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self._db = db
        self._bus = bus
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._position: int | None = None  # until the first read: the database may be down
        self._thread: threading.Thread | None = None
        self._stops: list[Callable[[], None]] = []

    @property
    def position(self) -> int | None:
        """The newest seq handed to listeners; None until the tail has read the outbox.

        A listener added before reading this is handed every event after the answer.
        """
        with self._lock:
            return self._position

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def wake(self) -> None:
        """Thread-safe and cheap: many wake-ups before a read cost one read."""
        self._wakeup.set()

    def start(self) -> None:
        """Read from the newest event on: older ones are history, read by those who ask.

        Nothing here touches the database, so the app starts (and says it is not ready)
        while the database is down or behind; the thread keeps trying.
        """
        self._stops.append(self._bus.subscribe(lambda _event: self.wake()))
        listener = listen_for_commits(self._db.engine, self.wake)
        if listener is not None:
            self._stops.append(listener.stop)
        self._thread = threading.Thread(target=self._run, name="outbox-tail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for stop in self._stops:
            stop()
        self._stops.clear()
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.catch_up()
            except Exception:
                log.exception("reading the outbox failed; retrying")
                self._stopping.wait(RETRY_SECONDS)
                continue
            self._wakeup.wait(POLL_SECONDS)
            self._wakeup.clear()

    def catch_up(self) -> None:
        """Hand listeners every event committed since the last read, batch by batch."""
        while not self._stopping.is_set():
            with self._db.reading() as session:
                if self._position is None:
                    newest = newest_seq(session)
                    with self._lock:
                        self._position = newest
                events = read_after(session, self._position)
            if not events:
                return
            with self._lock:
                self._position = events[-1].seq
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(events)
                except Exception:
                    log.exception("outbox listener failed", extra={"seq": events[-1].seq})
            if len(events) < BATCH:
                return
