"""Who of the live stream's subscribers may receive an event, and what they receive.

Deny by default: an event whose `object_type` has no gate in GATES reaches nobody. A gate's
`allows` decides per subscriber (in memory for frequent events; a query is fine for rare ones),
and only once one subscriber passes does `render` load the object, once per event, into the
`data` every passing subscriber is sent. Outbox payloads are never sent: they are written for
machines and may carry what a reader may not see.

Renderers load the object as it is now, so each returns None (nobody is sent anything) unless
the object still carries the label the subscribers were decided on, `event.label_id`: what is
sent is then never under a label that was not checked.

Every decision runs off the event loop, in the tail's thread or a worker thread, in a reading
session that connects only when a gate first queries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.dtg import format_dtg
from liaison.events.bus import Event
from liaison.events.cursor import CursorCodec
from liaison.events.tail import OutboxTail, newest_seq, read_after
from liaison.security import label_from_json, render_marking
from liaison.store.channel_access import channel_ids_of, readable_message
from liaison.store.engine import Database
from liaison.store.labels import Readable, authority_of
from liaison.store.models import Message, Notification, Report, StoredLabel
from liaison.store.report_access import readable_report

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000  # frames waiting for one subscriber; one more and it is disconnected
# Events that may change what a subscriber is allowed: its live delivery stops until the
# stream has re-checked the credential and started again from the last frame it sent.
RESYNC_EVENTS = frozenset({"user.updated", "credential.revoked"})
# Events that may change any subscriber's context (the channels they are in): rare.
RESYNC_ALL_EVENTS = frozenset({"channel.changed"})

Frame = tuple[int, str]  # (seq, the JSON text sent)


class Subscriber:
    """One stream's reader: what deciding for them needs, and their bounded queue of frames.

    The tail thread pushes; the stream's task takes on the event loop. A reader that lets the
    queue fill is marked overflowed and told through `on_overflow`; pushing to it (or to one
    suspended) costs nothing, so it never slows the tail or anyone else.
    """

    def __init__(
        self,
        principal: Principal,
        readable: Readable,
        context: dict[str, Any],
        *,
        loop: asyncio.AbstractEventLoop,
        on_overflow: Callable[[], None],
        limit: int = QUEUE_LIMIT,
    ) -> None:
        self.principal = principal
        self.readable = readable
        self.context = context  # per object type, from Gate.context
        self.suspended = False
        self.overflowed = False
        self._ids = {str(principal.user_id), str(principal.credential_id)}
        self._loop = loop
        self._on_overflow = on_overflow
        self._limit = limit
        self._frames: deque[Frame] = deque()
        self._ready = asyncio.Event()
        self._lock = threading.Lock()

    @property
    def live(self) -> bool:
        return not (self.suspended or self.overflowed)

    def affected_by(self, event: Event) -> bool:
        return event.kind in RESYNC_ALL_EVENTS or (
            event.kind in RESYNC_EVENTS and event.object_id in self._ids
        )

    def push(self, seq: int, text: str) -> None:
        """Queue a frame (any thread)."""
        with self._lock:
            if not self.live:
                return
            if len(self._frames) >= self._limit:
                self.overflowed = True
                self._frames.clear()
                self._call(self._on_overflow)
                return
            self._frames.append((seq, text))
            first = len(self._frames) == 1
        if first:
            self._call(self._ready.set)

    def suspend(self) -> None:
        """Stop delivery and drop what is queued: it was decided on a principal now stale."""
        with self._lock:
            self.suspended = True
            self._frames.clear()
        self._call(self._ready.set)

    async def take(self, timeout: float) -> list[Frame]:
        """The queued frames, waiting up to `timeout` seconds for one (on the event loop)."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            return []
        with self._lock:
            frames = list(self._frames)
            self._frames.clear()
            self._ready.clear()
        return frames

    def refresh_labels(self, session: Session) -> None:
        """Decide labels interned since `readable` was taken (their events are arriving)."""
        if self.principal.clearance is None:
            return
        authority = authority_of(session)
        authority.refresh(session)
        self.readable = authority.readable(session, self.principal.clearance)

    def _call(self, callback: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the stream is gone
            self._loop.call_soon_threadsafe(callback)


@dataclass(frozen=True, slots=True)
class Gate:
    """How one object type reaches the stream.

    allows: whether `subscriber` may receive `event` (must deny what it does not understand).
    render: the `data` of the frame, loaded once per event; None sends nothing to anyone.
    context: loaded per subscriber when it joins, kept in `subscriber.context[object_type]`
        (e.g. the channels a reader belongs to).
    """

    allows: Callable[[Session, Subscriber, Event], bool]
    render: Callable[[Session, Event], dict[str, Any] | None]
    context: Callable[[Session, Principal], Any] | None = None


GATES: dict[str, Gate] = {}


def label_allows(session: Session, subscriber: Subscriber, event: Event) -> bool:
    """The event's label is one the subscriber's clearance may read (an in-memory lookup)."""
    if subscriber.principal.clearance is None or event.label_id is None:
        return False
    try:
        label_id = int(event.label_id)
    except ValueError:
        return False
    if label_id > subscriber.readable.through:
        subscriber.refresh_labels(session)
    return label_id in subscriber.readable.ids


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value is not None else None
    except ValueError:
        return None


def _report_allows(session: Session, subscriber: Subscriber, event: Event) -> bool:
    report_id = _uuid(event.object_id)
    return (
        report_id is not None
        and label_allows(session, subscriber, event)
        and readable_report(session, subscriber.principal, report_id) is not None
    )


def _report_summary(session: Session, event: Event) -> dict[str, Any] | None:
    report_id = _uuid(event.object_id)
    report = session.get(Report, report_id) if report_id is not None else None
    if report is None or str(report.label_id) != event.label_id:
        return None
    return {
        "id": str(report.id),
        "title": report.title,
        "state": str(report.state),
        "version": report.version,
        "marking": _marking(session, report.label_id),
    }


GATES["report"] = Gate(allows=_report_allows, render=_report_summary)


def _marking(session: Session, label_id: int) -> str:
    stored = session.get(StoredLabel, label_id)
    if stored is None:  # the foreign key holds
        return ""
    label = label_from_json(stored.canonical)
    policy = authority_of(session).registry.get(label.policy)
    return render_marking(policy, label) if policy is not None else ""


def _message_allows(session: Session, subscriber: Subscriber, event: Event) -> bool:
    """In memory: the message's label, and the channel among the subscriber's channels."""
    channels: set[str] = subscriber.context.get("message") or set()
    return event.payload.get("channel_id") in channels and label_allows(session, subscriber, event)


def _message_channels(session: Session, principal: Principal) -> set[str]:
    return {str(channel_id) for channel_id in channel_ids_of(session, principal)}


def _message(session: Session, event: Event) -> dict[str, Any] | None:
    message_id = _uuid(event.object_id)
    message = session.get(Message, message_id) if message_id is not None else None
    if message is None or str(message.label_id) != event.label_id:
        return None
    return {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "thread_id": str(message.thread_id) if message.thread_id else None,
        "author_id": str(message.author_id),
        "by": str(event.actor_id) if event.actor_id else None,  # who acknowledged, edited
        "body": message.body,
        "deleted": message.deleted_at is not None,
        "precedence": message.precedence,
        "ack_required": message.ack_required,
        "mentions": list(message.mentions),
        "created_at": message.created_at.isoformat(),
        "dtg": format_dtg(message.created_at),
        "version": message.version,
        "marking": _marking(session, message.label_id),
    }


GATES["message"] = Gate(allows=_message_allows, render=_message, context=_message_channels)


def _notification_allows(session: Session, subscriber: Subscriber, event: Event) -> bool:
    """Only its own user, and only while they may still see what it is about."""
    if event.payload.get("user_id") != str(subscriber.principal.user_id):
        return False
    if not label_allows(session, subscriber, event):
        return False
    notification = session.get(Notification, int(event.object_id or 0))
    if notification is None:
        return False
    principal = subscriber.principal
    if notification.report_id is not None:
        return readable_report(session, principal, notification.report_id) is not None
    if notification.message_id is not None:
        return readable_message(session, principal, notification.message_id) is not None
    return False


def _notification(session: Session, event: Event) -> dict[str, Any] | None:
    notification = session.get(Notification, int(event.object_id or 0))
    if notification is None:
        return None
    return {
        "id": notification.id,
        "kind": notification.kind,
        "report_id": str(notification.report_id) if notification.report_id else None,
        "message_id": str(notification.message_id) if notification.message_id else None,
        "marking": _marking(session, int(event.label_id or 0)),
    }


GATES["notification"] = Gate(allows=_notification_allows, render=_notification)


def frame_for(
    session: Session, event: Event, subscribers: Sequence[Subscriber], cursors: CursorCodec
) -> tuple[str, list[Subscriber]] | None:
    """The frame for `event` and those of `subscribers` who may receive it, if any."""
    gate = GATES.get(event.object_type or "")
    if gate is None:
        return None
    readers: list[Subscriber] = []
    data: dict[str, Any] | None = None
    for subscriber in subscribers:
        try:
            allowed = gate.allows(session, subscriber, event)
        except Exception:
            log.exception("stream gate failed; denied", extra={"seq": event.seq})
            continue
        if not allowed:
            continue
        if data is None:
            try:
                data = gate.render(session, event)
            except Exception:
                log.exception("stream renderer failed; sent to nobody", extra={"seq": event.seq})
            if data is None:
                return None
        readers.append(subscriber)
    if data is None:
        return None
    frame = {
        "cursor": cursors.encode(event.seq),
        "kind": event.kind,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "at": event.at.isoformat(),
        "data": data,
    }
    return json.dumps(frame, separators=(",", ":")), readers


class Fanout:
    """The tail's listener for the live stream: every event decided for every subscriber."""

    def __init__(self, db: Database, tail: OutboxTail, cursors: CursorCodec) -> None:
        self._db = db
        self._tail = tail
        self._cursors = cursors
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        tail.subscribe(self)

    def subscriber(
        self,
        principal: Principal,
        *,
        loop: asyncio.AbstractEventLoop,
        on_overflow: Callable[[], None],
    ) -> Subscriber:
        """A subscriber deciding for `principal`, with what that needs loaded (blocking)."""
        with self._db.reading() as session:
            readable = (
                authority_of(session).readable(session, principal.clearance)
                if principal.clearance is not None
                else Readable(0, frozenset())
            )
            context = {
                object_type: gate.context(session, principal)
                for object_type, gate in GATES.items()
                if gate.context is not None
            }
        return Subscriber(principal, readable, context, loop=loop, on_overflow=on_overflow)

    @property
    def position(self) -> int | None:
        return self._tail.position

    def join(self, subscriber: Subscriber) -> int | None:
        """Queue the subscriber's frames from now on; return the seq after which none is missed.

        What it may see up to that seq is for the caller to read (`backlog`); frames queued
        at or below it are duplicates to skip. None: the tail has not read the outbox yet.
        """
        with self._lock:
            self._subscribers.append(subscriber)
        return self._tail.position

    def newest(self) -> int:
        with self._db.reading() as session:
            return newest_seq(session)

    def leave(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.remove(subscriber)

    def backlog(self, subscriber: Subscriber, after: int, through: int) -> tuple[list[Frame], int]:
        """One page of frames with `after < seq <= through`, and the last seq read (blocking)."""
        with self._db.reading() as session:
            events = read_after(session, after, through=through)
            frames = []
            for event in events:
                found = frame_for(session, event, [subscriber], self._cursors)
                if found is not None and found[1]:
                    frames.append((event.seq, found[0]))
        return frames, events[-1].seq if events else through

    def __call__(self, events: list[Event]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        if not subscribers:
            return
        with self._db.reading() as session:
            for event in events:
                for subscriber in subscribers:
                    if subscriber.affected_by(event):
                        subscriber.suspend()
                found = frame_for(session, event, [s for s in subscribers if s.live], self._cursors)
                if found is not None:
                    text, readers = found
                    for reader in readers:
                        reader.push(event.seq, text)
