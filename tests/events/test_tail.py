"""The outbox tail, the per-subscriber queue, the gates, and the PostgreSQL wake-up."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest
from sqlalchemy import Engine

from liaison.domain.accounts import SYSTEM
from liaison.events import outbox, tail
from liaison.events.bus import Event, EventBus
from liaison.events.cursor import CursorCodec
from liaison.events.gates import Fanout, Subscriber, frame_for, label_allows
from liaison.events.pg_listen import CHANNEL, listen_for_commits
from liaison.events.tail import OutboxTail
from liaison.node import Node
from liaison.security import Clearance
from liaison.store.engine import Database, make_engine
from liaison.store.labels import Readable
from liaison.store.types import utcnow

CODEC = CursorCodec(b"test secret")


def emit(node: Node, *kinds: str, object_type: str = "thing") -> None:
    with node.db.writing() as session:
        for kind in kinds:
            outbox.emit(session, kind, object_type=object_type, object_id="t1")


class Collected:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.arrived = threading.Event()

    def __call__(self, events: list[Event]) -> None:
        self.events += events
        self.arrived.set()

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]


@pytest.fixture
def running(node: Node) -> Iterator[OutboxTail]:
    started = OutboxTail(node.db, node.bus)
    started.start()
    yield positioned(started)
    started.stop()


def positioned(reader: OutboxTail) -> OutboxTail:
    """Wait until a started tail has read the outbox (it starts in the background)."""
    deadline = time.monotonic() + 5
    while reader.position is None:
        assert time.monotonic() < deadline, "the tail never read the outbox"
        time.sleep(0.01)
    return reader


def test_the_tail_hands_on_new_events_in_order_batch_by_batch(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    emit(node, "history")
    reader = OutboxTail(node.db, node.bus)
    monkeypatch.setattr(tail, "BATCH", 2)  # several batches in one catch-up
    collected = Collected()
    reader.subscribe(collected)
    assert reader.position is None
    reader.catch_up()  # the first read only finds where the outbox ends
    position = reader.position
    assert position is not None
    emit(node, "a", "b", "c", "d", "e")
    reader.catch_up()
    assert collected.kinds() == ["a", "b", "c", "d", "e"]
    assert all(event.seq > position for event in collected.events)
    assert reader.position == collected.events[-1].seq


def test_a_started_tail_begins_after_the_newest_event(node: Node) -> None:
    emit(node, "history")
    started = OutboxTail(node.db, node.bus)
    collected = Collected()
    started.subscribe(collected)
    started.start()
    try:
        positioned(started)
        emit(node, "news")
        assert collected.arrived.wait(2)
    finally:
        started.stop()
    assert collected.kinds() == ["news"]


def test_a_tail_starts_even_while_the_database_is_unreachable() -> None:
    lost = Database(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    reader = OutboxTail(lost, EventBus())
    reader.start()
    reader.stop()
    assert reader.position is None


def test_a_commit_in_this_process_wakes_the_tail_at_once(node: Node, running: OutboxTail) -> None:
    collected = Collected()
    running.subscribe(collected)
    began = time.monotonic()
    emit(node, "now")
    assert collected.arrived.wait(2)
    assert time.monotonic() - began < tail.POLL_SECONDS / 2, "woken by the bus, not the timer"
    assert collected.kinds() == ["now"]


def test_a_commit_elsewhere_is_read_by_the_timer(
    node: Node, running: OutboxTail, migrated_engine: Engine
) -> None:
    """Another process's commit: no bus here (and on SQLite, no notification)."""
    collected = Collected()
    running.subscribe(collected)
    elsewhere = Database(migrated_engine)
    with elsewhere.writing() as session:
        outbox.emit(session, "elsewhere")
    assert collected.arrived.wait(tail.POLL_SECONDS * 3)
    assert collected.kinds() == ["elsewhere"]


def test_a_failing_listener_does_not_stop_the_others(node: Node) -> None:
    reader = OutboxTail(node.db, node.bus)

    def broken(events: list[Event]) -> None:
        raise RuntimeError("boom")

    collected = Collected()
    reader.subscribe(broken)
    reader.subscribe(collected)
    reader.catch_up()
    emit(node, "x")
    reader.catch_up()
    assert collected.kinds() == ["x"]


def test_a_subscriber_that_fills_its_queue_is_dropped_without_blocking() -> None:
    async def scenario() -> None:
        told: list[str] = []
        queue = Subscriber(
            SYSTEM,
            Readable(0, frozenset()),
            {},
            loop=asyncio.get_running_loop(),
            on_overflow=lambda: told.append("overflow"),
            limit=3,
        )
        for seq in range(1, 4):
            queue.push(seq, f"frame {seq}")
        assert await queue.take(1) == [(1, "frame 1"), (2, "frame 2"), (3, "frame 3")]
        for seq in range(4, 8):  # one more than the queue holds
            queue.push(seq, f"frame {seq}")
        queue.push(8, "frame 8")
        await asyncio.sleep(0)
        assert told == ["overflow"]
        assert queue.overflowed
        assert not queue.live
        assert await queue.take(0.05) == [], "an overflowed queue holds nothing"

    asyncio.run(scenario())


def test_suspending_drops_queued_frames_and_wakes_the_reader() -> None:
    async def scenario() -> None:
        queue = Subscriber(
            SYSTEM,
            Readable(0, frozenset()),
            {},
            loop=asyncio.get_running_loop(),
            on_overflow=lambda: None,
        )
        queue.push(1, "decided on the old clearance")
        queue.suspend()
        queue.push(2, "after")
        assert await queue.take(1) == []
        assert queue.suspended

    asyncio.run(scenario())


def event(object_type: str | None, label_id: str | None = "1") -> Event:
    return Event(
        seq=1,
        event_id=uuid.uuid4(),
        at=utcnow(),
        kind=f"{object_type}.changed",
        object_type=object_type,
        object_id=str(uuid.uuid4()),
        label_id=label_id,
        actor_id=None,
    )


def reader(node: Node, ids: frozenset[int]) -> Subscriber:
    cleared = replace(SYSTEM, clearance=Clearance("NATO", frozenset({"UNCLASSIFIED"})))
    made = Fanout(node.db, OutboxTail(node.db, node.bus), CODEC).subscriber(
        cleared, loop=asyncio.new_event_loop(), on_overflow=lambda: None
    )
    made.readable = Readable(10**9, ids)
    return made


@pytest.mark.parametrize("object_type", ["gizmo", None, "user", "credential"])
def test_an_event_without_a_gate_reaches_nobody(node: Node, object_type: str | None) -> None:
    with node.db.reading() as session:
        assert frame_for(session, event(object_type), [reader(node, frozenset({1}))], CODEC) is None


def test_the_label_gate_decides_in_memory_and_denies_what_it_cannot_read(node: Node) -> None:
    cleared = reader(node, frozenset({1, 2}))
    with node.db.reading() as session:
        assert label_allows(session, cleared, event("message", "2"))
        assert not label_allows(session, cleared, event("message", "3"))
        assert not label_allows(session, cleared, event("message", None))
        assert not label_allows(session, cleared, event("message", "not-a-label"))


@pytest.fixture
def postgres(node: Node) -> str:
    if node.db.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (LIAISON_TEST_DATABASE_URL)")
    return node.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_notification_wakes_the_tail(node: Node, postgres: str) -> None:
    woken = threading.Event()
    listener = listen_for_commits(node.db.engine, woken.set)
    assert listener is not None
    try:
        assert woken.wait(5), "the listener wakes the tail once it is listening"
        woken.clear()
        with psycopg.connect(postgres, autocommit=True) as connection:
            connection.execute(f"NOTIFY {CHANNEL}, '1'")
        assert woken.wait(1)
    finally:
        listener.stop()
