"""Append events to the outbox in the caller's transaction; publish them once it commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session, SessionTransaction

from liaison.events.bus import Event, EventBus
from liaison.store.ids import new_id
from liaison.store.locks import hold_commit_order
from liaison.store.models import OutboxEvent
from liaison.store.types import utcnow

_PENDING = "pending_events"


def emit(
    session: Session,
    kind: str,
    *,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    label_id: str | None = None,
    actor_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    hold_commit_order(session)
    row = OutboxEvent(
        event_id=new_id(),
        at=utcnow(),
        kind=kind,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        label_id=label_id,
        actor_id=actor_id,
        payload=payload or {},
    )
    session.add(row)
    session.flush()
    session.info.setdefault(_PENDING, []).append(row)
    return row


def publish_after_commit(session_factory: Any, bus: EventBus) -> None:
    """Hook a sessionmaker so that each commit hands its outbox rows to the bus."""

    @sa_event.listens_for(session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint was released; the transaction itself may still roll back
        rows = session.info.pop(_PENDING, [])
        if rows:
            bus.publish([_as_event(row) for row in rows])

    @sa_event.listens_for(session_factory, "after_soft_rollback")
    def _after_rollback(session: Session, previous: SessionTransaction) -> None:
        # A rolled-back savepoint drops only the rows it added; the others still commit.
        rows = session.info.pop(_PENDING, [])
        kept = [row for row in rows if inspect(row).persistent]
        if previous.nested and kept:
            session.info[_PENDING] = kept


def _as_event(row: OutboxEvent) -> Event:
    return Event(
        seq=row.seq,
        event_id=row.event_id,
        at=row.at,
        kind=row.kind,
        object_type=row.object_type,
        object_id=row.object_id,
        label_id=row.label_id,
        actor_id=row.actor_id,
        payload=dict(row.payload),
    )
