"""The outbox and the bus: events published after commit, in order, never after a rollback."""

from __future__ import annotations

import itertools
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.events import outbox
from liaison.events.bus import Event, EventBus
from liaison.node import Node
from liaison.store.models import OutboxEvent
from tests.conftest import abandon


def collect(node: Node) -> list[Event]:
    received: list[Event] = []
    node.bus.subscribe(received.append)
    return received


def stored_kinds(node: Node) -> list[str]:
    with node.db.reading() as session:
        return list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.seq)))


def test_events_reach_the_bus_only_after_commit_in_order(node: Node) -> None:
    received = collect(node)
    with node.db.writing() as session:
        for kind in ("first", "second", "third"):
            outbox.emit(session, kind, object_type="thing", object_id="t1", payload={"n": kind})
            assert received == [], "an event was published before its transaction committed"
    assert [event.kind for event in received] == ["first", "second", "third"]
    assert [event.payload["n"] for event in received] == ["first", "second", "third"]
    seqs = [event.seq for event in received]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    assert {event.object_id for event in received} == {"t1"}
    assert all(event.event_id.version == 7 for event in received)


def test_published_events_match_the_stored_rows(node: Node) -> None:
    received = collect(node)
    with node.db.writing() as session:
        outbox.emit(session, "user.created", object_type="user", object_id="u1", payload={"a": 1})
    with node.db.reading() as session:
        row = session.scalars(select(OutboxEvent)).one()
        stored = (row.seq, row.event_id, row.kind, row.payload, row.at)
    (event,) = received
    assert (event.seq, event.event_id, event.kind, event.payload, event.at) == stored
    assert event.at.utcoffset() is not None


def test_nothing_is_published_or_stored_after_a_rollback(node: Node) -> None:
    received = collect(node)
    abandon(node, lambda session: outbox.emit(session, "doomed"))
    assert received == []
    assert stored_kinds(node) == []
    with node.db.writing() as session:
        outbox.emit(session, "later")
    assert [event.kind for event in received] == ["later"]
    assert stored_kinds(node) == ["later"]


def test_a_rolled_back_savepoint_drops_only_its_own_events(node: Node) -> None:
    def failing_savepoint(session: Session) -> None:
        with session.begin_nested():
            outbox.emit(session, "inside")
            raise RuntimeError("the savepoint fails")

    received = collect(node)
    with node.db.writing() as session:
        outbox.emit(session, "before")
        with pytest.raises(RuntimeError):
            failing_savepoint(session)
        outbox.emit(session, "after")
    assert stored_kinds(node) == ["before", "after"]
    assert [event.kind for event in received] == ["before", "after"]


def test_a_failing_subscriber_does_not_stop_the_others(
    node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Event) -> None:
        raise ValueError("subscriber bug")

    node.bus.subscribe(broken)
    received = collect(node)
    with caplog.at_level(logging.ERROR, logger="liaison.events.bus"), node.db.writing() as session:
        outbox.emit(session, "one")
        outbox.emit(session, "two")
    assert [event.kind for event in received] == ["one", "two"]
    assert sum("event subscriber failed" in record.getMessage() for record in caplog.records) == 2


def test_unsubscribed_subscribers_receive_nothing(node: Node) -> None:
    received: list[Event] = []
    unsubscribe = node.bus.subscribe(received.append)
    unsubscribe()
    with node.db.writing() as session:
        outbox.emit(session, "unheard")
    assert received == []


def test_outbox_seq_increases_across_transactions(node: Node) -> None:
    received = collect(node)
    for n in range(4):
        with node.db.writing() as session:
            outbox.emit(session, f"event-{n}")
    seqs = [event.seq for event in received]
    assert len(seqs) == 4
    assert all(a < b for a, b in itertools.pairwise(seqs))
    with node.db.reading() as session:
        assert session.scalar(select(func.max(OutboxEvent.seq))) == seqs[-1]


def test_bus_publishes_to_every_subscriber_in_order() -> None:
    bus = EventBus()
    seen: list[tuple[str, int]] = []
    bus.subscribe(lambda event: seen.append(("a", event.seq)))
    bus.subscribe(lambda event: seen.append(("b", event.seq)))
    events = [
        Event(seq, outbox.new_id(), outbox.utcnow(), "k", None, None, None, None) for seq in (1, 2)
    ]
    bus.publish(events)
    assert seen == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]
